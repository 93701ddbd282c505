import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261125000000_foundation } from "./Migration20261125000000_foundation.js";
import { Migration20261125010000_auth } from "./Migration20261125010000_auth.js";
import { Migration20261125020000_metered_pricing } from "./Migration20261125020000_metered_pricing.js";
import { Migration20261125030000_payouts } from "./Migration20261125030000_payouts.js";
import { Migration20261201000000_model_registry } from "./Migration20261201000000_model_registry.js";
import { Migration20261202000000_gpu_alerts } from "./Migration20261202000000_gpu_alerts.js";
import { Migration20261203000000_ledger_statement_checks } from "./Migration20261203000000_ledger_statement_checks.js";
import { Migration20261206100000_deposits } from "./Migration20261206100000_deposits.js";
import { Migration20261206110000_withdrawals } from "./Migration20261206110000_withdrawals.js";
import { Migration20261206120000_stakes } from "./Migration20261206120000_stakes.js";
import { Migration20261206200000_dashboard_metrics } from "./Migration20261206200000_dashboard_metrics.js";
import { Migration20261206300000_artifact_storage } from "./Migration20261206300000_artifact_storage.js";
import { Migration20261206500000_node_faults } from "./Migration20261206500000_node_faults.js";
import { Migration20261206510000_account_limits } from "./Migration20261206510000_account_limits.js";
import { Migration20261206520000_ledger_checks_replanned } from "./Migration20261206520000_ledger_checks_replanned.js";
import { Migration20261206600000_alert_webhooks } from "./Migration20261206600000_alert_webhooks.js";
import { Migration20261206710000_task_verifications } from "./Migration20261206710000_task_verifications.js";
import { Migration20261206740000_webhook_outbox } from "./Migration20261206740000_webhook_outbox.js";
import { Migration20261206760000_task_actor_epoch } from "./Migration20261206760000_task_actor_epoch.js";
import { Migration20261206810000_provider_pending } from "./Migration20261206810000_provider_pending.js";
import { Migration20261206820000_node_quarantine } from "./Migration20261206820000_node_quarantine.js";
import { Migration20261206830000_node_checks } from "./Migration20261206830000_node_checks.js";
import { Migration20261206840000_ledger_checks_subplans } from "./Migration20261206840000_ledger_checks_subplans.js";
import { Migration20261206850000_partial_unique_keys } from "./Migration20261206850000_partial_unique_keys.js";

/** Every migration, in order (static imports, so compiled `node dist/...` finds them). */
export const migrationsList: MigrationObject[] = [
  { name: "Migration20261125000000_foundation", class: Migration20261125000000_foundation },
  { name: "Migration20261125010000_auth", class: Migration20261125010000_auth },
  { name: "Migration20261125020000_metered_pricing", class: Migration20261125020000_metered_pricing },
  { name: "Migration20261125030000_payouts", class: Migration20261125030000_payouts },
  { name: "Migration20261201000000_model_registry", class: Migration20261201000000_model_registry },
  { name: "Migration20261202000000_gpu_alerts", class: Migration20261202000000_gpu_alerts },
  {
    name: "Migration20261203000000_ledger_statement_checks",
    class: Migration20261203000000_ledger_statement_checks,
  },
  { name: "Migration20261206100000_deposits", class: Migration20261206100000_deposits },
  { name: "Migration20261206110000_withdrawals", class: Migration20261206110000_withdrawals },
  { name: "Migration20261206120000_stakes", class: Migration20261206120000_stakes },
  { name: "Migration20261206200000_dashboard_metrics", class: Migration20261206200000_dashboard_metrics },
  { name: "Migration20261206300000_artifact_storage", class: Migration20261206300000_artifact_storage },
  { name: "Migration20261206500000_node_faults", class: Migration20261206500000_node_faults },
  { name: "Migration20261206510000_account_limits", class: Migration20261206510000_account_limits },
  {
    name: "Migration20261206520000_ledger_checks_replanned",
    class: Migration20261206520000_ledger_checks_replanned,
  },
  { name: "Migration20261206600000_alert_webhooks", class: Migration20261206600000_alert_webhooks },
  { name: "Migration20261206710000_task_verifications", class: Migration20261206710000_task_verifications },
  { name: "Migration20261206740000_webhook_outbox", class: Migration20261206740000_webhook_outbox },
  { name: "Migration20261206760000_task_actor_epoch", class: Migration20261206760000_task_actor_epoch },
  { name: "Migration20261206810000_provider_pending", class: Migration20261206810000_provider_pending },
  { name: "Migration20261206820000_node_quarantine", class: Migration20261206820000_node_quarantine },
  { name: "Migration20261206830000_node_checks", class: Migration20261206830000_node_checks },
  {
    name: "Migration20261206840000_ledger_checks_subplans",
    class: Migration20261206840000_ledger_checks_subplans,
  },
  { name: "Migration20261206850000_partial_unique_keys", class: Migration20261206850000_partial_unique_keys },
];
