import { Account } from "./account.entity.js";
import { ApiKey } from "./api-key.entity.js";
import { LedgerAccount } from "./ledger-account.entity.js";
import { LedgerEntry } from "./ledger-entry.entity.js";
import { LedgerTransaction } from "./ledger-transaction.entity.js";
import { Model } from "./model.entity.js";
import { ModelArtifact } from "./model-artifact.entity.js";
import { Node } from "./node.entity.js";
import { RefreshToken } from "./refresh-token.entity.js";
import { Task } from "./task.entity.js";

export { Role } from "./account.entity.js";
export { LedgerAccountKind } from "./ledger-account.entity.js";
export { LedgerTxKind } from "./ledger-transaction.entity.js";
export { Account, ApiKey, LedgerTransaction, Model, ModelArtifact, Node, RefreshToken, Task };

export const entities = [
  Account,
  ApiKey,
  Model,
  ModelArtifact,
  Node,
  Task,
  LedgerAccount,
  LedgerTransaction,
  LedgerEntry,
  RefreshToken,
];
