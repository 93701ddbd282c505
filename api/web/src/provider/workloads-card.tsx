import { useEffect } from "react";
import { useQuery } from "urql";
import type { ProviderWorkloadsQuery } from "../generated/operation-types.js";
import { PROVIDER_WORKLOADS } from "./provider-operations.js";

/**
 * The model deployments with replicas on the provider's nodes, and every actor placed there.
 * A provider has no actor subscription: the card is read again when one of its nodes changes
 * state (`nodesKey`, from nodeStatus) and every REFRESH_MS.
 */
const REFRESH_MS = 5_000;

export function WorkloadsCard({ nodesKey }: { nodesKey: string }) {
  const [{ data, error }, reload] = useQuery<ProviderWorkloadsQuery>({ query: PROVIDER_WORKLOADS });
  useEffect(() => {
    if (nodesKey) reload({ requestPolicy: "network-only" });
  }, [nodesKey, reload]);
  useEffect(() => {
    const timer = setInterval(() => reload({ requestPolicy: "network-only" }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const w = data?.providerWorkloads;
  return (
    <section className="card wide" aria-labelledby="workloads-title">
      <h2 id="workloads-title">Actors and deployments on your nodes</h2>
      {error ? <p className="error">{error.message}</p> : null}
      {w && w.deployments.length === 0 ? (
        <p className="muted">No deployment runs on your nodes yet.</p>
      ) : null}
      <ul className="plain" aria-label="Deployments on your nodes">
        {w?.deployments.map((d) => (
          <li key={`${d.namespace}/${d.name}`} data-testid={`deployment-${d.name}`}>
            <strong>{d.name}</strong> — {d.aliveOnYourNodes} of your replicas alive{" "}
            <span className="muted">
              ({d.aliveReplicas} of {d.targetReplicas} overall; on {d.nodeIds.join(", ")})
            </span>
          </li>
        ))}
      </ul>
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Actors placed on your nodes</caption>
          <thead>
            <tr>
              <th scope="col">Actor</th>
              <th scope="col">State</th>
              <th scope="col">Node</th>
              <th scope="col">GPUs</th>
            </tr>
          </thead>
          <tbody>
            {w?.actors.map((a) => (
              <tr key={`${a.namespace}/${a.name}`} data-testid="workload-actor">
                <td className="wrap">{a.name}</td>
                <td>
                  <span className={`state state-${a.state.toLowerCase()}`}>{a.state}</span>
                </td>
                <td>{a.nodeId ?? "—"}</td>
                <td>{a.gpuIds.length > 0 ? a.gpuIds.join(", ") : "none"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {w && w.actors.length === 0 ? <p className="muted">No actors on your nodes.</p> : null}
    </section>
  );
}
