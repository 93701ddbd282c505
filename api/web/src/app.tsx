import { useEffect, useMemo, useState } from "react";
import { Provider } from "urql";
import { AdminPages } from "./admin/admin-pages.js";
import { ClientView } from "./client/client-view.js";
import { createDashboardClient } from "./graphql-client.js";
import { LoginView } from "./login-view.js";
import { ProviderView } from "./provider/provider-view.js";
import type { Session, SessionStore } from "./session.js";

/** The shell: resumes or asks for a sign-in, then shows the view of the account's role. */
export function App({ sessions }: { sessions: SessionStore }) {
  const [session, setSession] = useState<Session | null>(sessions.current);
  const [resuming, setResuming] = useState(true);

  useEffect(() => {
    const unsubscribe = sessions.subscribe(setSession);
    void sessions.resume().finally(() => setResuming(false));
    return () => void unsubscribe();
  }, [sessions]);

  if (!session) {
    return resuming ? (
      <main className="centered" aria-busy="true">
        <p>Signing in…</p>
      </main>
    ) : (
      <LoginView sessions={sessions} />
    );
  }
  return <SignedIn session={session} onSignOut={() => void sessions.logout()} />;
}

function SignedIn({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const dashboard = useMemo(() => createDashboardClient(session.accessToken), [session.accessToken]);
  useEffect(() => () => dashboard.dispose(), [dashboard]);
  const { account } = session;
  return (
    <Provider value={dashboard.client}>
      <header className="topbar">
        <span className="brand">NeuroGrid</span>
        <span className="who">
          {account.name} <span className="role">{account.role}</span>
        </span>
        <button type="button" className="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main className="content">
        {account.role === "client" ? <ClientView /> : null}
        {account.role === "provider" ? <ProviderView /> : null}
        {account.role === "admin" ? <AdminPages /> : null}
      </main>
    </Provider>
  );
}
