import { useState } from "react";
import { useQuery } from "urql";
import type { AccountsQuery, AccountsVariables } from "../generated/operation-types.js";
import { formatNeuro, formatTime } from "../money.js";
import { ACCOUNTS } from "./admin-pages-operations.js";

const PAGE_SIZE = 25;

/**
 * Accounts with their balances, newest first: a search box (part of a name or email, or an
 * exact id) over a table of name, role, available, in escrow and earnings; further pages on demand.
 */
export function AccountsPage() {
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [after, setAfter] = useState<string[]>([]);
  const [{ data, error, fetching }] = useQuery<AccountsQuery, AccountsVariables>({
    query: ACCOUNTS,
    variables: { search: search || null, first: PAGE_SIZE, after: after.at(-1) ?? null },
  });
  const accounts = data?.accounts;
  return (
    <div className="grid">
      <section className="card wide" aria-labelledby="accounts-title">
        <h2 id="accounts-title">Accounts</h2>
        <form
          className="search-form"
          onSubmit={(e) => {
            e.preventDefault();
            setAfter([]);
            setSearch(typed.trim());
          }}
        >
          <label>
            Search accounts
            <input
              type="search"
              value={typed}
              placeholder="name, email or id"
              onChange={(e) => setTyped(e.target.value)}
            />
          </label>
          <button type="submit">Search</button>
        </form>
        {error ? <p className="error">{error.message}</p> : null}
        <p className="muted" data-testid="accounts-count" aria-live="polite">
          {accounts ? `${accounts.totalCount} account${accounts.totalCount === 1 ? "" : "s"}` : "…"}
          {search ? ` matching “${search}”` : ""}
        </p>
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Accounts and their balances</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Available</th>
                <th scope="col">In escrow</th>
                <th scope="col">Earnings</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {accounts?.edges.map(({ node: a }) => (
                <tr key={a.id} data-testid={`account-${a.name}`}>
                  <td>
                    {a.name}
                    {a.email ? <span className="muted"> {a.email}</span> : null}
                  </td>
                  <td>{a.role}</td>
                  <td data-testid="account-available">{formatNeuro(a.balance.available)}</td>
                  <td>{formatNeuro(a.balance.held)}</td>
                  <td>{formatNeuro(a.balance.earnings)}</td>
                  <td>{formatTime(a.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="pager">
          <button
            type="button"
            className="secondary"
            disabled={after.length === 0 || fetching}
            onClick={() => setAfter((a) => a.slice(0, -1))}
          >
            Previous page
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!accounts?.pageInfo.hasNextPage || fetching}
            onClick={() => {
              const cursor = accounts?.pageInfo.endCursor;
              if (cursor) setAfter((a) => [...a, cursor]);
            }}
          >
            Next page
          </button>
        </div>
      </section>
    </div>
  );
}
