import type { EntityManager } from "@mikro-orm/postgresql";
import { LedgerAccountKind } from "../db/entities/index.js";
import { ensureLedgerAccount } from "./ledger.js";

/** The ledger accounts one movement of a task touches, resolved (and created) by owner. */
export async function clientAccounts(em: EntityManager, clientId: string) {
  return {
    available: await ensureLedgerAccount(em, LedgerAccountKind.CLIENT_AVAILABLE, clientId),
    held: await ensureLedgerAccount(em, LedgerAccountKind.CLIENT_HELD, clientId),
  };
}

export const providerEarningsAccount = (em: EntityManager, providerId: string) =>
  ensureLedgerAccount(em, LedgerAccountKind.PROVIDER_EARNINGS, providerId);

/**
 * Where a capture credits a provider's share (held until released: verification-money.ts). Its
 * earnings account is made with it: a release moves the share there inside one statement, which
 * cannot create an account and move its balance at once.
 */
export async function providerPendingAccount(em: EntityManager, providerId: string): Promise<string> {
  await providerEarningsAccount(em, providerId);
  return ensureLedgerAccount(em, LedgerAccountKind.PROVIDER_PENDING, providerId);
}

export const platformFeesAccount = (em: EntityManager) =>
  ensureLedgerAccount(em, LedgerAccountKind.PLATFORM_FEES, null);

export const externalAccount = (em: EntityManager) =>
  ensureLedgerAccount(em, LedgerAccountKind.EXTERNAL, null);

export interface Balances {
  available: bigint;
  held: bigint;
  earnings: bigint;
  /** A provider's share of its tasks not yet released (not payable). */
  pending: bigint;
}

/** An owner's balances by kind (zero where the account does not exist yet). */
export async function balancesOf(em: EntityManager, ownerId: string): Promise<Balances> {
  const rows = await em.execute<{ kind: string; balance: string }[]>(
    "select kind, balance from ledger_accounts where owner_id = ?",
    [ownerId],
  );
  const by = new Map(rows.map((r) => [r.kind, BigInt(r.balance)]));
  return {
    available: by.get(LedgerAccountKind.CLIENT_AVAILABLE) ?? 0n,
    held: by.get(LedgerAccountKind.CLIENT_HELD) ?? 0n,
    earnings: by.get(LedgerAccountKind.PROVIDER_EARNINGS) ?? 0n,
    pending: by.get(LedgerAccountKind.PROVIDER_PENDING) ?? 0n,
  };
}

export async function platformBalance(em: EntityManager, kind: LedgerAccountKind): Promise<bigint> {
  const rows = await em.execute<{ balance: string }[]>(
    "select balance from ledger_accounts where kind = ? and owner_id is null",
    [kind],
  );
  return rows[0] ? BigInt(rows[0].balance) : 0n;
}
