import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, onUnauthorised, session } from './api.ts';
import { pages } from './pages/index.tsx';
import { ErrorBox, Field } from './ui.tsx';

const route = (): string => location.hash.replace(/^#/, '') || '/inbox';

function useHash(): string {
  const [h, setH] = useState(route);
  useEffect(() => {
    const on = () => setH(route());
    addEventListener('hashchange', on);
    // Effects run after paint: a hash change between the first render and now fired no event here.
    on();
    return () => removeEventListener('hashchange', on);
  }, []);
  return h;
}

/** The operator token, asked once per browser tab and kept in sessionStorage (never in a URL). */
function SignIn({ onIn }: { onIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="signin">
      <h1>Switchboard console</h1>
      <form
        aria-labelledby="signin-title"
        onSubmit={async (e) => {
          e.preventDefault();
          if (busy) return;
          setBusy(true);
          setError(undefined);
          try {
            // Any operator route checks the token; the start page names a cheap one.
            await api(pages.find((pg) => pg.probe)?.probe ?? '/status', { token });
            session.signIn(token);
            onIn();
          } catch (err) {
            setError(err instanceof ApiError && err.status === 401 ? new ApiError(401, 'The hub refused this token', [], null) : err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <h2 id="signin-title">Sign in</h2>
        <Field id="token" label="Operator token" hint="HUB_OPERATOR_TOKEN; kept in this tab only until you close it.">
          <input id="token" type="password" autoComplete="off" required value={token} aria-describedby="token-hint" onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <ErrorBox error={error} />
      </form>
    </main>
  );
}

function Shell({ onOut }: { onOut: () => void }) {
  const path = useHash();
  const main = useRef<HTMLElement>(null);
  const found = pages.map((p) => ({ p, m: p.pattern.exec(path) })).find((x) => x.m);
  const current = found ?? { p: pages[0], m: null };
  useEffect(() => {
    document.title = `${current.p?.title ?? 'Console'} · Switchboard`;
    // Move focus to the new page so keyboard and screen-reader users start there.
    main.current?.focus();
  }, [path]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Switchboard</span>
        <nav aria-label="Console">
          <ul>
            {pages
              .filter((p) => p.nav)
              .map((p) => (
                <li key={p.href}>
                  <a href={p.href} aria-current={current.p === p ? 'page' : undefined}>
                    {p.nav}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            session.signOut();
            onOut();
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {found ? current.p?.render(found.m?.slice(1) ?? []) : <p>No such page. <a href="#/inbox">Go to the inbox</a>.</p>}
      </main>
    </>
  );
}

function App() {
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  useEffect(
    () =>
      onUnauthorised(() => {
        session.signOut();
        setSignedIn(false);
      }),
    [],
  );
  return signedIn ? <Shell onOut={() => setSignedIn(false)} /> : <SignIn onIn={() => setSignedIn(true)} />;
}

const root = document.getElementById('app');
if (root) render(<App />, root);
