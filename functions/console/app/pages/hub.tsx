import { useRef, useState } from 'preact/hooks';
import { api, newKey, page } from '../api.ts';
import { dec, type PageDecl } from './types.ts';
import { ErrorBox, Field, Pager, Raw, Show, Time, useLoad } from '../ui.tsx';

type Row = Record<string, unknown>;
const s = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
const enc = encodeURIComponent;

/** The hub's own operator routes, in one place. */
export const HUB_ROUTES = {
  status: '/status',
  quarantine: '/quarantine',
  quarantineItem: (id: string) => `/quarantine/${enc(id)}`,
  quarantineRetry: (id: string) => `/quarantine/${enc(id)}/retry`,
  queues: '/queues',
  redrive: (name: string) => `/queues/${enc(name)}/redrive`,
  streams: '/streams',
  streamReset: (name: string) => `/streams/${enc(name)}/reset`,
  streamBackfill: (name: string) => `/streams/${enc(name)}/backfill`,
};

export function Status() {
  const state = useLoad(() => api<Row>(HUB_ROUTES.status), []);
  return (
    <section aria-labelledby="status-title">
      <div class="heading-row">
        <h1 id="status-title">Hub status</h1>
        <button type="button" onClick={state.reload}>
          Refresh
        </button>
      </div>
      <Show state={state}>
        {(st) => (
          <>
            <div class="tiles">
              {Object.entries(st)
                .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
                .map(([k, v]) => (
                  <div class="tile" key={k}>
                    <span class="muted">{k}</span>
                    <strong>{s(v)}</strong>
                  </div>
                ))}
            </div>
            {Object.entries(st)
              .filter(([, v]) => v && typeof v === 'object')
              .map(([k, v]) => (
                <details key={k} open>
                  <summary>{k}</summary>
                  <Raw label={k} value={v} />
                </details>
              ))}
          </>
        )}
      </Show>
    </section>
  );
}

export function Quarantine() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const state = useLoad(() => page<Row>(HUB_ROUTES.quarantine, { limit: 50, cursor }), [cursor]);
  return (
    <section aria-labelledby="q-title">
      <h1 id="q-title">Quarantine</h1>
      <p class="muted">Bodies the hub accepted but could not use, each kept once with its reason.</p>
      <Show state={state}>
        {(p) => (
          <>
            <table class="list">
              <caption class="visually-hidden">Quarantined bodies</caption>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Vendor</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Size</th>
                </tr>
              </thead>
              <tbody>
                {p.items.map((q) => (
                  <tr key={s(q.id)}>
                    <td>
                      <a href={`#/hub/quarantine/${enc(s(q.id))}`}>
                        <Time iso={s(q.receivedAt)} />
                      </a>
                    </td>
                    <td>{s(q.vendor)}</td>
                    <td>{s(q.stage)}</td>
                    <td>{s(q.reason)}</td>
                    <td>
                      {s(q.bodyBytes)} B{q.truncated ? ' (truncated)' : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {p.items.length === 0 && <p>The quarantine is empty.</p>}
            <Pager cursor={p.nextCursor} atFirst={cursors.length === 1} onFirst={() => setCursors([null])} onNext={(c) => setCursors([...cursors, c])} />
          </>
        )}
      </Show>
    </section>
  );
}

export function QuarantineItem({ id }: { id: string }) {
  const state = useLoad(() => api<Row>(HUB_ROUTES.quarantineItem(id)), [id]);
  const [outcome, setOutcome] = useState<Row>();
  const [error, setError] = useState<unknown>();
  const busy = useRef(false);
  const key = useRef(newKey());
  const retry = async () => {
    if (busy.current) return;
    busy.current = true;
    setError(undefined);
    try {
      setOutcome(await api<Row>(HUB_ROUTES.quarantineRetry(id), { method: 'POST', idempotencyKey: key.current }));
      state.reload();
    } catch (err) {
      setError(err);
    } finally {
      busy.current = false;
    }
  };
  return (
    <section aria-labelledby="qi-title">
      <p>
        <a href="#/hub/quarantine">← Quarantine</a>
      </p>
      <h1 id="qi-title">Quarantined body</h1>
      <Show state={state}>
        {(q) => (
          <>
            <dl class="facts">
              <dt>Vendor / stage</dt>
              <dd>
                {s(q.vendor)} / {s(q.stage)}
              </dd>
              <dt>Reason</dt>
              <dd>{s(q.reason)}</dd>
              <dt>Received</dt>
              <dd>
                <Time iso={s(q.receivedAt)} />
              </dd>
              <dt>Body</dt>
              <dd>
                {s(q.bodyBytes)} bytes, {s(q.bodyEncoding) || 'utf8'}, SHA-256 <code>{s(q.bodySha256)}</code>
                {q.truncated ? ', truncated: it cannot be retried' : ''}
              </dd>
            </dl>
            <h2>Body (shown as text, never run)</h2>
            <Raw label="Quarantined body" value={s(q.body)} />
            <button type="button" onClick={retry} disabled={Boolean(q.truncated)}>
              Retry this body
            </button>
          </>
        )}
      </Show>
      {outcome && (
        <div role="status" class="card">
          Retried: <code>{JSON.stringify(outcome)}</code>
        </div>
      )}
      <ErrorBox error={error} />
    </section>
  );
}

export function Queues() {
  const state = useLoad(() => page<Row>(HUB_ROUTES.queues, { limit: 1000 }), []);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<unknown>();
  const busy = useRef(new Set<string>());
  const redrive = async (name: string) => {
    if (busy.current.has(name)) return;
    busy.current.add(name);
    setError(undefined);
    try {
      const out = await api<Row>(HUB_ROUTES.redrive(name), { method: 'POST', idempotencyKey: newKey() });
      setMessage(`Redrive of ${name}: ${JSON.stringify(out)}`);
      state.reload();
    } catch (err) {
      setError(err);
    } finally {
      busy.current.delete(name);
    }
  };
  return (
    <section aria-labelledby="dlq-title">
      <div class="heading-row">
        <h1 id="dlq-title">Queues and dead-letter queues</h1>
        <button type="button" onClick={state.reload}>
          Refresh
        </button>
      </div>
      <Show state={state}>
        {(p) => (
          <table class="list">
            <caption class="visually-hidden">Queue depths</caption>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Depth</th>
                <th scope="col">DLQ depth</th>
                <th scope="col">Redrive</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((q) => {
                const name = s(q.name ?? q.queue);
                const dlq = Number(q.dlqDepth ?? (q.dlq as Row | undefined)?.depth ?? 0);
                return (
                  <tr key={name}>
                    <th scope="row">{name}</th>
                    <td>{s(q.depth ?? (q.queue as Row | undefined)?.depth)}</td>
                    <td class={dlq > 0 ? 'bad' : ''}>{dlq}</td>
                    <td>
                      <button type="button" disabled={dlq === 0} onClick={() => redrive(name)} aria-label={`Redrive ${name}`}>
                        Redrive
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Show>
      {message && (
        <p role="status" class="card">
          {message}
        </p>
      )}
      <ErrorBox error={error} />
    </section>
  );
}

export function Streams() {
  const state = useLoad(() => page<Row>(HUB_ROUTES.streams, { limit: 1000 }), []);
  return (
    <section aria-labelledby="streams-title">
      <h1 id="streams-title">Poller streams</h1>
      <p class="muted">Where each poller is; a reset or a backfill is kept as an audit record.</p>
      <Show state={state}>
        {(p) => (
          <ul class="plain">
            {p.items.map((st) => (
              <StreamRow key={s(st.name)} stream={st} onDone={state.reload} />
            ))}
          </ul>
        )}
      </Show>
    </section>
  );
}

function StreamRow({ stream, onDone }: { stream: Row; onDone: () => void }) {
  const name = s(stream.name);
  const [from, setFrom] = useState('');
  const [mode, setMode] = useState<'reset' | 'backfill'>('backfill');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const busy = useRef(false);
  const fid = `stream-${name.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <li class="card">
      <h2>{name}</h2>
      <Raw label={`Position of ${name}`} value={stream.position ?? stream} />
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (busy.current) return;
          busy.current = true;
          setError(undefined);
          try {
            const body = mode === 'backfill' ? { from: new Date(from).toISOString() } : {};
            await api(mode === 'backfill' ? HUB_ROUTES.streamBackfill(name) : HUB_ROUTES.streamReset(name), { method: 'POST', body, idempotencyKey: newKey() });
            setDone(`${mode} of ${name} recorded`);
            onDone();
          } catch (err) {
            setError(err);
          } finally {
            busy.current = false;
          }
        }}
      >
        <Field id={`${fid}-mode`} label="Change">
          <select id={`${fid}-mode`} value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as 'reset' | 'backfill')}>
            <option value="backfill">Backfill from a date</option>
            <option value="reset">Reset to the start</option>
          </select>
        </Field>
        {mode === 'backfill' && (
          <Field id={`${fid}-from`} label="From (your local time)">
            <input id={`${fid}-from`} type="datetime-local" required value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
          </Field>
        )}
        <button type="submit">Apply</button>
      </form>
      {done && <p role="status">{done}</p>}
      <ErrorBox error={error} />
    </li>
  );
}

/** The hub's own pages. */
export const hubPages: readonly PageDecl[] = [
  { pattern: /^\/hub$/, title: 'Hub status', nav: 'Status', href: '#/hub', render: () => <Status /> },
  { pattern: /^\/hub\/quarantine$/, title: 'Quarantine', nav: 'Quarantine', href: '#/hub/quarantine', render: () => <Quarantine /> },
  { pattern: /^\/hub\/quarantine\/([^/]+)$/, title: 'Quarantined body', render: ([id]) => <QuarantineItem id={dec(id)} /> },
  { pattern: /^\/hub\/queues$/, title: 'Queues', nav: 'DLQs', href: '#/hub/queues', render: () => <Queues /> },
  { pattern: /^\/hub\/streams$/, title: 'Poller streams', nav: 'Streams', href: '#/hub/streams', render: () => <Streams /> },
];
