import type { Role } from "../db/entities/index.js";

/**
 * API key scopes. A key carries a subset of what its account's role may do; a field needs a
 * role and, when called with a scoped key, a scope. Tokens from a login (JWT) carry every
 * scope of the role.
 */
const SCOPES = {
  "tasks:read": "read your tasks and their results",
  "tasks:write": "submit and cancel tasks",
  "ledger:read": "read balances and ledger entries",
  "keys:manage": "create and revoke API keys",
  "nodes:read": "read your nodes",
  "nodes:write": "register and revoke nodes",
  admin: "everything an admin may do",
} as const;
export type Scope = keyof typeof SCOPES;

const ROLE_SCOPES: Record<Role, Scope[]> = {
  client: ["tasks:read", "tasks:write", "ledger:read", "keys:manage"],
  provider: ["nodes:read", "nodes:write", "ledger:read", "keys:manage"],
  admin: Object.keys(SCOPES) as Scope[],
};

export function scopesOfRole(role: Role): Scope[] {
  return [...ROLE_SCOPES[role]];
}

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

/** Scopes a new key for this role may have: the requested ones if all allowed, else why not. */
export function grantableScopes(role: Role, requested: string[] | undefined): Scope[] | string {
  const allowed = scopesOfRole(role);
  if (!requested || requested.length === 0) return allowed;
  for (const s of requested) {
    if (!isScope(s)) return `unknown scope ${s} (known: ${Object.keys(SCOPES).join(", ")})`;
    if (!allowed.includes(s)) return `a ${role} cannot grant the scope ${s}`;
  }
  return [...new Set(requested)] as Scope[];
}
