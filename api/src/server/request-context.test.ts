/**
 * A request's context (request-context.ts): the caller's account is merged into the request's
 * unit of work only when something reads it, even after Apollo has copied the context for the
 * operation (a submit needs only the account's id, and must not pay for the merge).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Account } from "../db/entities/index.js";
import type { Services } from "../graphql/context.js";
import { callerOf } from "../identity/caller.js";
import { newContext } from "./request-context.js";

/** What Apollo Server does with the context of each HTTP operation (runHttpQuery's cloneObject). */
const copiedAsApolloDoes = <T extends object>(o: T): T =>
  Object.assign(Object.create(Object.getPrototypeOf(o)) as T, o);

test("the caller's account is made an entity at its first read, not before, however the context is copied", () => {
  const account = { id: "acc-1", role: "client", name: "the client" } as Account;
  let merged = 0;
  const caller = callerOf(
    {
      id: "acc-1",
      role: "client",
      entity: () => {
        merged++;
        return account;
      },
    },
    { via: "api-key", scopes: ["tasks:write"] },
  );
  const ctx = copiedAsApolloDoes(
    newContext({} as Services, {} as EntityManager, { caller }, { clientAddress: "127.0.0.1" }),
  );
  assert.equal(ctx.caller?.accountId, "acc-1");
  assert.equal(ctx.caller?.role, "client");
  assert.equal(ctx.clientAddress, "127.0.0.1");
  assert.equal(merged, 0, "nothing merged for the id and the role");
  assert.equal(ctx.account, account);
  assert.equal(ctx.caller?.account, account);
  assert.equal(merged, 2, "each read asks the credential's look-up, which merges once (credential-cache.ts)");
});

test("an anonymous context has no account, and keeps why a credential was refused", () => {
  const ctx = copiedAsApolloDoes(
    newContext({} as Services, {} as EntityManager, { caller: null, authError: "access token expired" }),
  );
  assert.equal(ctx.account, null);
  assert.equal(ctx.authError, "access token expired");
});
