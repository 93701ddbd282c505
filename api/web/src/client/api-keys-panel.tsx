import { type FormEvent, useState } from "react";
import { useMutation, useQuery } from "urql";
import { formatTime } from "../money.js";
import {
  API_KEYS,
  type ApiKeysData,
  CREATE_API_KEY,
  type CreateApiKeyData,
  REVOKE_API_KEY,
} from "./client-operations.js";

/** A client's key scopes (api/src/identity/scopes.ts); a new key gets the ones ticked. */
const CLIENT_SCOPES = ["tasks:read", "tasks:write", "ledger:read", "keys:manage"];

export function ApiKeysPanel() {
  const [{ data, error }, reload] = useQuery<ApiKeysData>({ query: API_KEYS });
  const [created, createKey] = useMutation<CreateApiKeyData>(CREATE_API_KEY);
  const [, revokeKey] = useMutation(REVOKE_API_KEY);
  const [shownKey, setShownKey] = useState<string | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const scopes = CLIENT_SCOPES.filter((s) => form.get(s) === "on");
    const answer = await createKey({ input: { label: String(form.get("label") ?? ""), scopes } });
    if (answer.data) {
      setShownKey(answer.data.createApiKey.key);
      reload({ requestPolicy: "network-only" });
    }
  }

  const keys = data?.apiKeys.edges.map((e) => e.node) ?? [];
  return (
    <section className="card wide" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <form onSubmit={create} className="stack">
        <label>
          Label
          <input name="label" maxLength={64} placeholder="e.g. batch job" />
        </label>
        <fieldset>
          <legend>Scopes</legend>
          {CLIENT_SCOPES.map((s) => (
            <label key={s} className="inline">
              <input type="checkbox" name={s} defaultChecked /> {s}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={created.fetching}>
          Create key
        </button>
      </form>
      {created.error ? <p className="error">{created.error.message}</p> : null}
      {shownKey ? (
        <div className="notice" role="status">
          <p>Your new key — copy it now, it is never shown again:</p>
          <code data-testid="new-api-key" className="secret">
            {shownKey}
          </code>
          <button type="button" className="secondary" onClick={() => setShownKey(null)}>
            Done
          </button>
        </div>
      ) : null}
      {error ? <p className="error">{error.message}</p> : null}
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Your API keys</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Prefix</th>
              <th scope="col">Scopes</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.label || "—"}</td>
                <td>
                  <code>{k.prefix}</code>
                </td>
                <td>{k.scopes.join(", ")}</td>
                <td>{formatTime(k.lastUsedAt)}</td>
                <td>
                  {k.revokedAt ? (
                    <span className="muted">revoked</span>
                  ) : (
                    <button
                      type="button"
                      className="secondary"
                      aria-label={`Revoke key ${k.prefix}`}
                      onClick={() =>
                        void revokeKey({ id: k.id }).then(() => reload({ requestPolicy: "network-only" }))
                      }
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
