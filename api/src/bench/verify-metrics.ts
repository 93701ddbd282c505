import type { EntityManager } from "@mikro-orm/postgresql";
import {
  compareResults,
  mlpClassifierManifest,
  mlpClassifierWeights,
  mlpForwardReference,
} from "@neurogrid/cluster/models";

/**
 * What bench:verify reports, read from the api's database after the run and judged against the
 * model's own reference (mlpForwardReference: the truth no provider computed):
 *
 *   liesTold            the liar's task answers that were wrong (its own result, before any referee
 *                       replaced it)
 *   liesDetected        wrong answers of the liar found by the platform: faults against its node
 *                       (a check's referee, a canary, onboarding)
 *   liesServed          tasks whose final result, as the client reads it, is wrong
 *   falseAccusations    faults against an honest node (must be 0)
 *   tasksUntilQuarantine  the liar's tasks submitted before its node was quarantined (null: never)
 *   extraComputeRatio   runs no client asked for, per task: checks, referees, canaries and
 *                       onboarding's known-answer tasks
 *   verifiedLatencyP50Ms  submit to VERIFIED, for the tasks verified
 *   liarNetUnits        what the liar's provider earned (its tasks' provider shares) minus what it
 *                       lost to forfeits and penalties
 *   liarHonestUnits     what it would have earned honestly: a third of the provider shares of the
 *                       run's tasks, as each of three providers serving alike would
 */
export interface VerifyMetrics {
  tasks: number;
  liarTasks: number;
  liesTold: number;
  liesDetected: number;
  liesServed: number;
  falseAccusations: number;
  tasksUntilQuarantine: number | null;
  extraComputeRatio: number;
  verifiedLatencyP50Ms: number | null;
  liarNetUnits: string;
  liarHonestUnits: string;
}

interface TaskRow {
  node_id: string | null;
  input: { features: number[][] };
  result: unknown;
  own_result: unknown;
}

export async function readVerifyMetrics(em: EntityManager, liar: string): Promise<VerifyMetrics> {
  const tasks = await em.getConnection().execute<TaskRow[]>(
    `select t.node_id, t.input, t.result, coalesce(v.task_result, t.result) as own_result
       from tasks t left join task_verifications v on v.task_id = t.id
      where t.status = 'COMPLETED'`,
  );
  const weights = mlpClassifierWeights();
  const wrong = (input: TaskRow["input"], result: unknown) =>
    !compareResults(mlpClassifierManifest, mlpForwardReference(weights, input.features), result).agree;
  let liarTasks = 0;
  let liesTold = 0;
  let liesServed = 0;
  for (const t of tasks) {
    if (t.node_id === liar) {
      liarTasks++;
      if (wrong(t.input, t.own_result)) liesTold++;
    }
    if (wrong(t.input, t.result)) liesServed++;
  }
  const [faults] = await em.getConnection().execute<{ liar: string; honest: string }[]>(
    `select count(*) filter (where node_id = ?) as liar, count(*) filter (where node_id <> ?) as honest
       from node_faults`,
    [liar, liar],
  );
  const [runs] = await em.getConnection().execute<{ checks: string; referees: string; p50: number | null }[]>(
    `select count(v.checked_by) as checks, count(v.referee) as referees,
            percentile_cont(0.5) within group (order by extract(epoch from v.checked_at - t.created_at) * 1000)
              filter (where v.status = 'VERIFIED') as p50
       from task_verifications v join tasks t on t.id = v.task_id`,
  );
  const [quarantine] = await em.getConnection().execute<{ quarantined: boolean; tasks: string }[]>(
    `select n.quarantined_at is not null as quarantined,
            (select count(*) from tasks t where t.node_id = n.id and t.created_at < n.quarantined_at) as tasks
       from nodes n where n.id = ?`,
    [liar],
  );
  const [known] = await em.getConnection().execute<{ n: string }[]>("select count(*) as n from node_checks");
  const [money] = await em.getConnection().execute<{ earned: string; lost: string; shares: string }[]>(
    `select (select coalesce(sum(provider_earning), 0) from tasks where node_id = ?) as earned,
            (select coalesce(-sum(e.amount), 0) from ledger_entries e
               join ledger_transactions x on x.id = e.transaction_id and x.kind in ('forfeit', 'penalty')
               join ledger_accounts a on a.id = e.account_id and a.kind = 'provider_pending'
               join nodes n on n.provider_id = a.owner_id and n.id = ?) as lost,
            (select coalesce(sum(provider_earning), 0) from tasks where status = 'COMPLETED') as shares`,
    [liar, liar],
  );
  const extraRuns = Number(runs?.checks ?? 0) + Number(runs?.referees ?? 0) + Number(known?.n ?? 0);
  return {
    tasks: tasks.length,
    liarTasks,
    liesTold,
    liesDetected: Number(faults?.liar ?? 0),
    liesServed,
    falseAccusations: Number(faults?.honest ?? 0),
    tasksUntilQuarantine: quarantine?.quarantined ? Number(quarantine.tasks) : null,
    extraComputeRatio: tasks.length === 0 ? 0 : extraRuns / tasks.length,
    liarNetUnits: (BigInt(money?.earned ?? 0) - BigInt(money?.lost ?? 0)).toString(),
    liarHonestUnits: (BigInt(money?.shares ?? 0) / 3n).toString(),
    verifiedLatencyP50Ms: runs?.p50 === null || runs?.p50 === undefined ? null : Number(runs.p50),
  };
}
