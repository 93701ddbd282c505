import { useCallback, useState } from "react";
import { ApiKeysPanel } from "./api-keys-panel.js";
import { BalanceCard } from "./balance-card.js";
import { DepositPanel } from "./deposit-panel.js";
import { LedgerCard } from "./ledger-card.js";
import { Playground } from "./playground.js";
import { TaskPage } from "./task-page.js";
import { TasksTable } from "./tasks-table.js";
import { useHashRoute } from "./use-hash-route.js";

/**
 * What a client sees first: the balance (available and in escrow), a deposit request, the
 * playground, API keys and recent tasks, and the ledger (with a CSV export); a task's own page
 * at #/tasks/<id>. The schema has no balance subscription, so the balance and the task list are
 * read again when a task's or a deposit's own subscription says the money moved (held at
 * submit, captured or refunded at the end, credited): live, without polling.
 */
export function ClientView() {
  const [moneyMoved, setMoneyMoved] = useState(0);
  const onMoneyMoved = useCallback(() => setMoneyMoved((n) => n + 1), []);
  const route = useHashRoute();
  if (route.page === "task") {
    return (
      <div className="grid">
        <TaskPage taskId={route.taskId} onMoneyMoved={onMoneyMoved} />
      </div>
    );
  }
  return (
    <div className="grid">
      <BalanceCard refreshKey={moneyMoved} />
      <DepositPanel onMoneyMoved={onMoneyMoved} />
      <Playground onMoneyMoved={onMoneyMoved} />
      <ApiKeysPanel />
      <TasksTable refreshKey={moneyMoved} />
      <LedgerCard refreshKey={moneyMoved} />
    </div>
  );
}
