import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { encodeTransferRequest, newReference, parseAddress } from "@neurogrid/contracts";
import type { PublicKey } from "@solana/web3.js";
import QRCode from "qrcode";

/**
 * depositRequest: a Solana Pay transfer request for the treasury, in NEURO, with a fresh
 * reference key the watcher finds the payment by, a memo naming the request, an expiry, and the
 * URL as a QR code (PNG data URL) for a wallet app to scan.
 */
const DEPOSIT_MEMO_PREFIX = "neurogrid-deposit:";

export interface DepositRequestRow {
  id: string;
  account_id: string;
  reference: string;
  amount: string;
  memo: string;
  status: "PENDING" | "SEEN" | "CREDITED" | "EXPIRED";
  signature: string | null;
  credited_amount: string | null;
  created_at: Date;
  expires_at: Date;
}

export interface NewDepositRequest {
  row: DepositRequestRow;
  url: string;
  qrCode: string;
}

export interface DepositRequestOptions {
  treasury: PublicKey;
  mint: PublicKey;
  label: string;
  ttlMs: number;
  now: Date;
  /** Leave out the QR code (the benchmark). */
  withoutQrCode?: boolean;
}

function requestUrl(
  row: Pick<DepositRequestRow, "reference" | "amount" | "memo">,
  o: Pick<DepositRequestOptions, "treasury" | "mint" | "label">,
): string {
  return encodeTransferRequest({
    recipient: o.treasury,
    amount: BigInt(row.amount),
    splToken: o.mint,
    reference: parseAddress(row.reference, "reference"),
    label: o.label,
    memo: row.memo,
  });
}

export async function createDepositRequest(
  em: EntityManager,
  accountId: string,
  amount: bigint,
  o: DepositRequestOptions,
): Promise<NewDepositRequest> {
  const id = randomUUID();
  const [row] = await em.execute<DepositRequestRow[]>(
    `insert into deposit_requests (id, account_id, reference, amount, memo, status, created_at, expires_at)
     values (?, ?, ?, ?, ?, 'PENDING', ?, ?) returning *`,
    [
      id,
      accountId,
      newReference().toBase58(),
      amount.toString(),
      `${DEPOSIT_MEMO_PREFIX}${id}`,
      o.now,
      new Date(o.now.getTime() + o.ttlMs),
    ],
  );
  if (!row) throw new Error("deposit request not stored");
  const url = requestUrl(row, o);
  const qrCode = o.withoutQrCode ? "" : await QRCode.toDataURL(url, { errorCorrectionLevel: "M" });
  return { row, url, qrCode };
}
