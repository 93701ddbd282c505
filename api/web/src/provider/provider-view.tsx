import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { AlertsCard } from "./alerts-card.js";
import { GpuChart, RANGES, type RangeName } from "./gpu-chart.js";
import { NodesCard, useLiveNodes } from "./nodes-card.js";
import { PayoutsCard } from "./payouts-card.js";
import { PROVIDER_ME, type ProviderMeData } from "./provider-operations.js";
import { ReputationCard } from "./reputation-card.js";
import { useTelemetryHub } from "./telemetry-hub.js";
import { WalletCard } from "./wallet-card.js";
import { WorkloadsCard } from "./workloads-card.js";

/**
 * What a provider sees first: earnings and the payout wallet, the nodes with their live state,
 * live charts of the chosen node's GPUs, the alerts to acknowledge, its reputation and its nodes'
 * faults from result verification, and the actors and deployments running on its nodes.
 */
export function ProviderView() {
  const [{ data: me }, reloadMe] = useQuery<ProviderMeData>({ query: PROVIDER_ME });
  const hub = useTelemetryHub();
  const { nodes, error } = useLiveNodes();
  const [chosen, setChosen] = useState<string | undefined>();
  const [range, setRange] = useState<RangeName>("hour");
  const node = chosen ?? nodes[0]?.id;
  const nodesKey = nodes.map((n) => `${n.id}:${n.state}`).join(",");

  return (
    <div className="grid">
      <WalletCard me={me} onLinked={() => reloadMe({ requestPolicy: "network-only" })} />
      <PayoutsCard />
      <NodesCard nodes={nodes} error={error} hub={hub} selected={node} onSelect={setChosen} />
      {node ? (
        <GpuCharts key={`${node}-${range}`} hub={hub} nodeId={node} range={range} onRange={setRange} />
      ) : null}
      <AlertsCard />
      <ReputationCard nodesKey={nodesKey} />
      <WorkloadsCard nodesKey={nodesKey} />
    </div>
  );
}

function GpuCharts(props: {
  hub: ReturnType<typeof useTelemetryHub>;
  nodeId: string;
  range: RangeName;
  onRange: (r: RangeName) => void;
}) {
  const { hub, nodeId, range, onRange } = props;
  const [gpus, setGpus] = useState(() => hub.latest.get(nodeId)?.gpus ?? []);
  // The node's GPUs are known from its first telemetry sample.
  useEffect(() => {
    if (gpus.length > 0) return;
    return hub.listen((event) => {
      if (event.nodeId === nodeId) setGpus(event.gpus);
    });
  }, [hub, nodeId, gpus.length]);
  return (
    <section className="card wide" aria-labelledby="charts-title">
      <h2 id="charts-title">GPUs of {nodeId}</h2>
      <fieldset className="range">
        <legend className="sr-only">Time range</legend>
        {(Object.keys(RANGES) as RangeName[]).map((r) => (
          <label key={r} className="inline">
            <input type="radio" name="range" checked={range === r} onChange={() => onRange(r)} /> last {r}
          </label>
        ))}
      </fieldset>
      {gpus.length === 0 ? <p className="muted">waiting for telemetry…</p> : null}
      <div className="charts">
        {gpus.map((g) => (
          <GpuChart key={g.index} hub={hub} nodeId={nodeId} gpu={g.index} name={g.name} range={range} />
        ))}
      </div>
    </section>
  );
}
