import { createHash, randomBytes, randomUUID } from "node:crypto";
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { type Account, RefreshToken } from "../db/entities/index.js";
import { ApiError } from "../errors.js";
import type { AccessRevoker } from "./credential-cache.js";

/**
 * Refresh tokens: opaque, 7 days, rotated on every use. A login starts a family; refreshing
 * marks the presented token used and issues the next one in the same family. A used (or
 * revoked) token presented again means it was copied: the whole family is revoked, so both the
 * thief and the user must log in again. Revoking a family (reuse, logout) also revokes the access
 * tokens issued with it, at once, in every process (`AccessRevoker`: the credential cache's
 * revocation list); the revoker is a required argument, so no caller can forget it.
 */
const REFRESH_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;

const hash = (token: string) => createHash("sha256").update(token).digest("hex");

export async function issueRefreshToken(
  em: EntityManager,
  account: Account,
  familyId: string = randomUUID(),
): Promise<{ token: string; expiresAt: Date; familyId: string }> {
  const token = `ngr_${randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(Date.now() + REFRESH_TOKEN_TTL_MS);
  em.persist(em.create(RefreshToken, { account, familyId, tokenHash: hash(token), expiresAt }));
  await em.flush();
  return { token, expiresAt, familyId };
}

/** Uses a refresh token up; returns its account and family for the successor. */
export async function consumeRefreshToken(
  em: EntityManager,
  token: string,
  revoker: AccessRevoker,
): Promise<{ account: Account; familyId: string }> {
  type Outcome = "unknown" | "expired" | { reused: string } | { account: Account; familyId: string };
  const outcome = await em.transactional(async (tx): Promise<Outcome> => {
    const found = await tx.findOne(
      RefreshToken,
      { tokenHash: hash(token) },
      { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ["account"] },
    );
    if (!found) return "unknown";
    if (found.usedAt || found.revokedAt) {
      await tx.nativeUpdate(
        RefreshToken,
        { familyId: found.familyId, revokedAt: null },
        { revokedAt: new Date() },
      );
      return { reused: found.familyId };
    }
    if (found.expiresAt.getTime() <= Date.now()) return "expired";
    found.usedAt = new Date();
    return { account: found.account, familyId: found.familyId };
  });
  if (outcome === "unknown") throw new ApiError("UNAUTHENTICATED", "invalid refresh token");
  if (outcome === "expired") throw new ApiError("UNAUTHENTICATED", "refresh token expired: log in again");
  if ("reused" in outcome) {
    await revoker.revokeFamily(outcome.reused);
    throw new ApiError(
      "UNAUTHENTICATED",
      "refresh token reuse detected: every session of this login was revoked",
    );
  }
  return outcome;
}

/** Logout: revokes the family the token belongs to. */
export async function revokeRefreshFamily(
  em: EntityManager,
  token: string,
  revoker: AccessRevoker,
): Promise<boolean> {
  const found = await em.findOne(RefreshToken, { tokenHash: hash(token) });
  if (!found) return false;
  await em.nativeUpdate(
    RefreshToken,
    { familyId: found.familyId, revokedAt: null },
    { revokedAt: new Date() },
  );
  await revoker.revokeFamily(found.familyId);
  return true;
}
