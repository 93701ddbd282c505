import type { EntityManager } from "@mikro-orm/postgresql";
import { LedgerTxKind } from "../db/entities/index.js";
import { clientAccounts, externalAccount } from "./accounts.js";
import { post } from "./ledger.js";

/** Money coming in from outside (an admin deposit, the dev faucet): external -> available. */
export async function deposit(
  em: EntityManager,
  clientId: string,
  amount: bigint,
  memo: string,
): Promise<void> {
  if (amount <= 0n) throw new Error("a deposit must be positive");
  // Accounts are resolved before the transaction: resolving may need a connection of its own.
  const client = await clientAccounts(em, clientId);
  const external = await externalAccount(em);
  await em.transactional(async (tx) => {
    await post(tx, {
      kind: LedgerTxKind.DEPOSIT,
      memo,
      legs: [
        { accountId: external, amount: -amount },
        { accountId: client.available, amount },
      ],
    });
  });
}
