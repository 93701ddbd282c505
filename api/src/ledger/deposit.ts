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
  await em.transactional(async (tx) => {
    const client = await clientAccounts(tx, clientId);
    await post(tx, {
      kind: LedgerTxKind.DEPOSIT,
      memo,
      legs: [
        { accountId: await externalAccount(tx), amount: -amount },
        { accountId: client.available, amount },
      ],
    });
  });
}
