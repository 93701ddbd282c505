import { useEffect, useState } from "react";
import { useClient, useQuery } from "urql";
import { formatNeuro, formatTime } from "../money.js";
import { LEDGER_ENTRIES, type LedgerEntriesData, type LedgerRow } from "./client-operations.js";

const SHOWN = 20;
/** The API's page size limit; the export reads pages of this size. */
const EXPORT_PAGE = 100;
/** The export stops here (a long history belongs to the API, not a browser download). */
const EXPORT_MAX_ROWS = 10_000;

/** Your ledger entries, newest first, and all of them as CSV. */
export function LedgerCard({ refreshKey }: { refreshKey: number }) {
  const client = useClient();
  const [{ data, error }, reexecute] = useQuery<LedgerEntriesData>({
    query: LEDGER_ENTRIES,
    variables: { first: SHOWN },
  });
  const [exporting, setExporting] = useState(false);
  useEffect(() => {
    if (refreshKey > 0) reexecute({ requestPolicy: "network-only" });
  }, [refreshKey, reexecute]);

  async function exportCsv() {
    setExporting(true);
    try {
      const rows: LedgerRow[] = [];
      let after: string | null = null;
      do {
        const page: { data?: LedgerEntriesData; error?: { message: string } } = await client
          .query<LedgerEntriesData>(
            LEDGER_ENTRIES,
            { first: EXPORT_PAGE, after },
            { requestPolicy: "network-only" },
          )
          .toPromise();
        const entries: LedgerEntriesData["ledgerEntries"] | undefined = page.data?.ledgerEntries;
        if (!entries) throw new Error(page.error?.message ?? "no ledger entries");
        rows.push(...entries.edges.map((e) => e.node));
        after = entries.pageInfo.hasNextPage ? entries.pageInfo.endCursor : null;
      } while (after && rows.length < EXPORT_MAX_ROWS);
      download("neurogrid-ledger.csv", toCsv(rows));
    } finally {
      setExporting(false);
    }
  }

  const entries = data?.ledgerEntries.edges.map((e) => e.node) ?? [];
  return (
    <section className="card wide" aria-labelledby="ledger-title">
      <h2 id="ledger-title">Ledger</h2>
      {error ? <p className="error">{error.message}</p> : null}
      <button type="button" className="secondary" disabled={exporting} onClick={() => void exportCsv()}>
        Export CSV
      </button>
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Your latest ledger entries</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Movement</th>
              <th scope="col">Account</th>
              <th scope="col">Amount</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{formatTime(e.createdAt)}</td>
                <td>{e.movement}</td>
                <td>{e.accountKind}</td>
                <td>{formatNeuro(e.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const CSV_COLUMNS: (keyof LedgerRow)[] = [
  "createdAt",
  "movement",
  "accountKind",
  "amount",
  "memo",
  "taskId",
  "id",
];

function toCsv(rows: LedgerRow[]): string {
  const cell = (v: string | null) => {
    const s = v ?? "";
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [CSV_COLUMNS.join(","), ...rows.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(","))].join("\n");
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}
