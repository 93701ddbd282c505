import { useEffect, useRef } from "react";
import { useQuery, useSubscription } from "urql";
import { formatTime } from "../money.js";
import { AlertsCard } from "../provider/alerts-card.js";
import {
  CLUSTER_EVENTS,
  CLUSTER_OVERVIEW,
  type ClusterEventsData,
  type ClusterOverviewData,
} from "./admin-operations.js";
import { LedgerCheckCard } from "./ledger-check-card.js";
import { ThresholdsCard } from "./thresholds-card.js";

/**
 * Queue depths have no subscription: the overview is read again this often, and at once (at
 * most once per this interval) when clusterEvents says a node or an actor changed. Node states
 * also follow the events directly, so a node that dies shows DEAD as the head declares it.
 */
const OVERVIEW_REFRESH_MS = 5000;

export function AdminView() {
  const [{ data, error }, reload] = useQuery<ClusterOverviewData>({ query: CLUSTER_OVERVIEW });
  const [{ data: nodeStates = {} }] = useSubscription<ClusterEventsData, Record<string, string>>(
    { query: CLUSTER_EVENTS },
    (seen = {}, next) => {
      const e = next.clusterEvents;
      return e.kind === "node" && e.nodeId
        ? { ...seen, [e.nodeId]: e.type === "DEAD" ? "DEAD" : "ALIVE" }
        : seen;
    },
  );
  const lastReload = useRef(0);
  useEffect(() => {
    const refresh = () => {
      lastReload.current = Date.now();
      reload({ requestPolicy: "network-only" });
    };
    const timer = setInterval(refresh, OVERVIEW_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  useEffect(() => {
    if (Object.keys(nodeStates).length > 0 && Date.now() - lastReload.current > OVERVIEW_REFRESH_MS) {
      lastReload.current = Date.now();
      reload({ requestPolicy: "network-only" });
    }
  }, [nodeStates, reload]);

  const o = data?.clusterOverview;
  const nodes = (o?.nodes ?? []).map((n) => ({ ...n, state: nodeStates[n.nodeId] ?? n.state }));
  const alive = nodes.filter((n) => n.state === "ALIVE").length;
  return (
    <div className="grid">
      <section className="card wide" aria-labelledby="overview-title">
        <h2 id="overview-title">Cluster</h2>
        {error ? <p className="error">{error.message}</p> : null}
        <dl className="figures">
          <div>
            <dt>Nodes alive</dt>
            <dd data-testid="nodes-alive">
              {alive} / {nodes.length}
            </dd>
          </div>
          <div>
            <dt>GPUs (free)</dt>
            <dd>
              {nodes.reduce((s, n) => s + n.gpus, 0)} ({nodes.reduce((s, n) => s + n.freeGpus, 0)})
            </dd>
          </div>
          <div>
            <dt>Actors alive</dt>
            <dd>{o?.actors.filter((a) => a.state === "ALIVE").length ?? "—"}</dd>
          </div>
          <div>
            <dt>Queue (waiting / active / delayed)</dt>
            <dd data-testid="queue-depths">
              {o ? `${o.queue.waiting + o.queue.prioritized} / ${o.queue.active} / ${o.queue.delayed}` : "—"}
            </dd>
          </div>
        </dl>
      </section>
      <section className="card wide" aria-labelledby="cluster-nodes-title">
        <h2 id="cluster-nodes-title">Nodes</h2>
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Every node of the cluster</caption>
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">State</th>
                <th scope="col">GPUs (free)</th>
                <th scope="col">Last heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => (
                <tr key={n.nodeId}>
                  <td>{n.nodeId}</td>
                  <td>
                    <span
                      className={`state state-${n.state.toLowerCase()}`}
                      data-testid={`node-state-${n.nodeId}`}
                    >
                      {n.state}
                    </span>
                  </td>
                  <td>
                    {n.gpus} ({n.freeGpus})
                  </td>
                  <td>{formatTime(n.lastHeartbeatAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-labelledby="deployments-title">
        <h2 id="deployments-title">Deployments</h2>
        {o?.deployments.length === 0 ? <p className="muted">No deployments yet.</p> : null}
        <ul className="plain">
          {o?.deployments.map((d) => (
            <li key={`${d.namespace}/${d.name}`}>
              <strong>{d.name}</strong> — {d.aliveReplicas} of {d.targetReplicas} replicas alive,{" "}
              {d.ongoingRequests} in flight
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="actors-title">
        <h2 id="actors-title">Actors</h2>
        {o?.actors.length === 0 ? <p className="muted">No actors yet.</p> : null}
        <ul className="plain">
          {o?.actors.map((a) => (
            <li key={`${a.namespace}/${a.name}`}>
              <span className={`state state-${a.state.toLowerCase()}`}>{a.state}</span> {a.name}
              <span className="muted"> on {a.nodeId ?? "—"}</span>
            </li>
          ))}
        </ul>
      </section>
      <LedgerCheckCard />
      <AlertsCard />
      <ThresholdsCard nodeIds={nodes.map((n) => n.nodeId)} />
    </div>
  );
}
