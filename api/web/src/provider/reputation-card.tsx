import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { FaultItem } from "./fault-item.js";
import { PROVIDER_REPUTATION, type ProviderReputationData } from "./reputation-operations.js";
import { useNodeFaults } from "./use-node-faults.js";

/**
 * A provider has no subscription of its nodes' verdicts (taskProgress is the client's, per task):
 * the scores are read again when one of its nodes changes state (`nodesKey`, from nodeStatus) and
 * every REFRESH_MS; the faults (a query per node) when the scores' fault count moves, a node
 * changes state, and every FAULTS_REFRESH_TICKS reads (for a fault no verdict counts: an output
 * not of the model's shape).
 */
const REFRESH_MS = 10_000;
const FAULTS_REFRESH_TICKS = 6;

function formatScore(score: number): string {
  return score.toFixed(3);
}

/**
 * The provider's reputation from result verification, each node's, and its nodes' faults newest
 * first, each opening onto the dispute's evidence and its verdict.
 */
export function ReputationCard({ nodesKey }: { nodesKey: string }) {
  const [tick, setTick] = useState(0);
  const [{ data, error }, reload] = useQuery<ProviderReputationData>({ query: PROVIDER_REPUTATION });
  const mine = data?.me.reputation;
  const [faultsTick, setFaultsTick] = useState(0);
  const faultsKey = `${nodesKey}|${mine?.faults ?? ""}|${Math.floor(tick / FAULTS_REFRESH_TICKS)}`;
  useEffect(() => {
    if (faultsKey) setFaultsTick((t) => t + 1);
  }, [faultsKey]);
  const { faults, error: faultsError } = useNodeFaults(faultsTick);
  useEffect(() => {
    if (nodesKey) setTick((t) => t + 1);
  }, [nodesKey]);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (tick > 0) reload({ requestPolicy: "network-only" });
  }, [tick, reload]);
  const nodes = data?.nodes.edges.map((e) => e.node) ?? [];

  return (
    <section className="card wide" aria-labelledby="reputation-title">
      <h2 id="reputation-title">Reputation and faults</h2>
      <p className="muted">
        Score from result verification: starts at 0.5, ×1.01 per agreement (at most 1), ×0.8 per fault; lower
        scores are checked more often, and a node whose score falls below the floor after a fault is
        quarantined (it takes no work) until an admin restores it.
      </p>
      {error ? <p className="error">{error.message}</p> : null}
      {faultsError ? <p className="error">{faultsError}</p> : null}
      {mine ? (
        <dl className="figures">
          <div>
            <dt>Your score</dt>
            <dd data-testid="provider-score">{formatScore(mine.score)}</dd>
          </div>
          <div>
            <dt>Agreements</dt>
            <dd>{mine.agreed}</dd>
          </div>
          <div>
            <dt>Faults</dt>
            <dd data-testid="provider-faults">{mine.faults}</dd>
          </div>
        </dl>
      ) : null}
      <ul className="plain scores" aria-label="Your nodes' scores">
        {nodes.map((n) => (
          <li key={n.id} data-testid="node-score" data-node={n.id}>
            <strong>{n.id}</strong> <span className="score">{formatScore(n.reputation.score)}</span>{" "}
            <span className="muted">
              ({n.reputation.agreed} agreed, {n.reputation.faults} faults)
            </span>
            {n.quarantine ? (
              <span className="error" data-testid="node-quarantine">
                {" "}
                quarantined since {new Date(n.quarantine.since).toLocaleString()}: {n.quarantine.reason}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      <h3>Faults, newest first</h3>
      {faults && faults.length === 0 ? (
        <p className="muted">No faults: no result of your nodes was found wrong.</p>
      ) : null}
      <ol className="plain faults" aria-label="Faults of your nodes">
        {faults?.map(({ nodeId, fault }) => (
          <FaultItem key={`${nodeId}-${fault.taskId ?? ""}-${fault.at}`} nodeId={nodeId} fault={fault} />
        ))}
      </ol>
    </section>
  );
}
