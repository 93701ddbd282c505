import { useEffect, useState } from "react";
import { useQuery, useSubscription } from "urql";
import { formatTime } from "../money.js";
import {
  NODE_STATUS,
  NODES,
  type NodeRow,
  type NodeStatusData,
  type NodesData,
} from "./provider-operations.js";
import type { TelemetryHub } from "./telemetry-hub.js";

/** How often the GPU column is redrawn from the latest telemetry (it changes every heartbeat). */
const GPU_SUMMARY_REDRAW_MS = 2000;

/** Nodes with their state, kept live by nodeStatus, and their GPUs from the latest telemetry. */
export function useLiveNodes(): { nodes: NodeRow[]; error?: string } {
  const [{ data, error }] = useQuery<NodesData>({ query: NODES });
  const [{ data: states = {} }] = useSubscription<NodeStatusData, Record<string, string>>(
    { query: NODE_STATUS },
    (seen = {}, next) => ({ ...seen, [next.nodeStatus.nodeId]: next.nodeStatus.state }),
  );
  const nodes = (data?.nodes.edges ?? []).map(({ node }) => ({
    ...node,
    state: states[node.id] ?? node.state,
  }));
  return error ? { nodes, error: error.message } : { nodes };
}

export function NodesCard(props: {
  nodes: NodeRow[];
  error?: string | undefined;
  hub: TelemetryHub;
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  const { nodes, error, hub, selected, onSelect } = props;
  const [, redraw] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => redraw((n) => n + 1), GPU_SUMMARY_REDRAW_MS);
    return () => clearInterval(timer);
  }, []);
  return (
    <section className="card wide" aria-labelledby="nodes-title">
      <h2 id="nodes-title">Nodes</h2>
      {error ? <p className="error">{error}</p> : null}
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Your nodes</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">State</th>
              <th scope="col">GPUs</th>
              <th scope="col">Last heartbeat</th>
              <th scope="col">
                <span className="sr-only">Charts</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((n) => {
              const latest = hub.latest.get(n.id);
              const gpus = latest?.gpus ?? [];
              return (
                <tr key={n.id} data-node={n.id}>
                  <td>
                    {n.name}
                    {n.name !== n.id ? <div className="muted">{n.id}</div> : null}
                  </td>
                  <td>
                    <span
                      className={`state state-${n.state.toLowerCase()}`}
                      data-testid={`node-state-${n.id}`}
                    >
                      {n.state}
                    </span>
                  </td>
                  <td>{gpus.length ? `${gpus.length} × ${gpus[0]?.name ?? "GPU"}` : "—"}</td>
                  <td>{formatTime(latest?.at ?? n.lastHeartbeatAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      aria-pressed={selected === n.id}
                      onClick={() => onSelect(n.id)}
                    >
                      Charts
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
