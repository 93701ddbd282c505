import { useEffect, useState } from "react";
import { AccountsPage } from "./accounts-page.js";
import { AdminView } from "./admin-view.js";
import { MoneyAttentionPage } from "./money-attention-page.js";
import { WebhooksPage } from "./webhooks-page.js";

/**
 * The admin's pages, chosen by the URL's fragment so Back, Forward and shared links work: the
 * cluster overview (#/), accounts (#/accounts), money needing attention (#/money) and alert
 * webhooks with their delivery log (#/webhooks).
 */
const PAGES = [
  { hash: "#/", label: "Cluster", render: () => <AdminView /> },
  { hash: "#/accounts", label: "Accounts", render: () => <AccountsPage /> },
  { hash: "#/money", label: "Money needing attention", render: () => <MoneyAttentionPage /> },
  { hash: "#/webhooks", label: "Webhooks", render: () => <WebhooksPage /> },
] as const;

function pageOf(hash: string) {
  return PAGES.find((p) => p.hash === hash) ?? PAGES[0];
}

export function AdminPages() {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  const current = pageOf(hash);
  return (
    <>
      <nav className="tabs" aria-label="Admin pages">
        {PAGES.map((p) => (
          <a key={p.hash} href={p.hash} aria-current={p === current ? "page" : undefined}>
            {p.label}
          </a>
        ))}
      </nav>
      {current.render()}
    </>
  );
}
