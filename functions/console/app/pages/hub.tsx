import { useRef, useState } from 'preact/hooks';
import { call, newKey } from '../api.ts';
import { HUB_ROUTES, type HubRoute } from '../routes.ts';
import type { AuditShape, QuarantineDetailShape, QuarantineSummaryShape, QueueDepthShape, RedriveShape, RetryShape, StatusShape, StreamDetailShape, StreamShape, SubscriptionRedriveShape, SubscriptionShape } from '../shapes.ts';
import { ErrorBox, Field, JsonView, Pager, Raw, Show, Time, prefs, useLoad, words } from '../ui.tsx';
import { dec, type PageDecl } from './types.ts';

const enc = encodeURIComponent;

interface ListPage<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

const list = <T,>(route: HubRoute, query: Record<string, string | number | null> = {}) => call<ListPage<T>>(route, {}, { query });

/** Who is acting, sent as `X-Operator` (kept by the hub with a retry, a redrive or a stream change). */
function operatorHeaders(): Record<string, string> {
  const name = prefs.get('operatorName')?.trim();
  return name ? { 'x-operator': name } : {};
}

/** The operator's name for the audit, remembered in this browser (localStorage). */
function OperatorName({ id }: { id: string }) {
  const [name, setName] = useState(() => prefs.get('operatorName') ?? '');
  return (
    <Field id={id} label="Your name (kept with each change)" hint="Sent as X-Operator; empty: the token's label, operator.">
      <input
        id={id}
        autoComplete="name"
        maxLength={128}
        value={name}
        aria-describedby={`${id}-hint`}
        onInput={(e) => {
          const v = (e.target as HTMLInputElement).value;
          setName(v);
          prefs.set('operatorName', v);
        }}
      />
    </Field>
  );
}

/**
 * A button's click handler that ignores the second click of a double click (the click event's
 * `detail` counts the clicks): one intent, sent once, even when the first click's request was
 * answered, and the button enabled again, before the second click came. Keyboard activation
 * (`detail` 0) always acts.
 */
const firstClick =
  (act: () => unknown) =>
  (e: { readonly detail: number }): void => {
    if (e.detail > 1) return;
    void act();
  };

/**
 * The same rule for a form's submit button: the second click of a double click does not submit the
 * form again (cancelling a submit button's click cancels its submit). Enter in a field, and the
 * keyboard on the button (`detail` 0), always submit.
 */
const submitOnFirstClick = (e: { readonly detail: number; preventDefault(): void }): void => {
  if (e.detail > 1) e.preventDefault();
};

/** One action at a time per control: a double click sends once. */
function useAction<T>() {
  const busy = useRef(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<T>();
  const run = async (fn: () => Promise<T>): Promise<T | undefined> => {
    if (busy.current) return undefined;
    busy.current = true;
    setPending(true);
    setError(undefined);
    try {
      const out = await fn();
      setResult(out);
      return out;
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      busy.current = false;
      setPending(false);
    }
  };
  return { run, pending, error, result };
}

const KNOWN_STATUS = new Set(['generatedAt', 'webhooks', 'schedules', 'queues', 'quarantine', 'streams']);

export function Status() {
  const state = useLoad(() => call<StatusShape & Record<string, unknown>>(HUB_ROUTES.status), []);
  return (
    <section aria-labelledby="status-title">
      <div class="heading-row">
        <h1 id="status-title">Hub status</h1>
        <button type="button" onClick={state.reload}>
          Refresh
        </button>
      </div>
      <Show state={state}>
        {(st) => {
          const dlq = st.queues.reduce((n, q) => n + q.dlqDepth, 0);
          // Fields this page does not know yet (counts added to the status later) are drawn as they come.
          const extra = Object.entries(st).filter(([k]) => !KNOWN_STATUS.has(k));
          return (
            <>
              <p class="muted">
                As of <Time iso={st.generatedAt} />.
              </p>
              <div class="tiles">
                <div class="tile">
                  <span class="muted">Quarantined bodies</span>
                  <strong>{st.quarantine.count}</strong>
                  <span>
                    {st.quarantine.retried} retried · <a href="#/hub/quarantine">open the quarantine</a>
                  </span>
                </div>
                <div class="tile">
                  <span class="muted">Messages in DLQs</span>
                  <strong class={dlq > 0 ? 'bad' : ''}>{dlq}</strong>
                  <a href="#/hub/queues">queues and DLQs</a>
                </div>
                <div class="tile">
                  <span class="muted">Failed schedules</span>
                  <strong>{st.schedules.filter((s) => s.outcome === 'failed').length}</strong>
                  <span>of {st.schedules.length}</span>
                </div>
              </div>
              {extra.map(([k, v]) => (
                <section key={k} aria-labelledby={`status-${k}`} data-status-field={k}>
                  <h2 id={`status-${k}`}>{words(k)}</h2>
                  <JsonView value={v} label={words(k)} />
                </section>
              ))}
              <h2>Webhooks</h2>
              <table class="list">
                <caption class="visually-hidden">Last accepted webhook per vendor</caption>
                <thead>
                  <tr>
                    <th scope="col">Vendor</th>
                    <th scope="col">Last accepted</th>
                  </tr>
                </thead>
                <tbody>
                  {st.webhooks.map((w) => (
                    <tr key={w.vendor}>
                      <th scope="row">{w.vendor}</th>
                      <td data-label="Last accepted">
                        <Time iso={w.lastAcceptedAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h2>Schedules</h2>
              <table class="list">
                <caption class="visually-hidden">Each schedule's last run</caption>
                <thead>
                  <tr>
                    <th scope="col">Schedule</th>
                    <th scope="col">Last run</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Figures</th>
                  </tr>
                </thead>
                <tbody>
                  {st.schedules.map((s) => (
                    <tr key={s.name}>
                      <th scope="row">{s.name}</th>
                      <td data-label="Last run">
                        <Time iso={s.lastRunAt} />
                      </td>
                      <td data-label="Outcome">
                        {s.outcome === null ? <span class="muted">not run yet</span> : <span class={`badge ${s.outcome === 'ok' ? 'ok' : 'bad'}`}>{s.outcome}</span>}
                        {s.error && <div class="content">{s.error}</div>}
                      </td>
                      <td data-label="Duration">{s.durationMs === undefined ? '–' : `${s.durationMs} ms`}</td>
                      <td data-label="Figures">
                        {s.figures
                          ? Object.entries(s.figures)
                              .map(([k, v]) => `${words(k)}: ${v}`)
                              .join(', ')
                          : '–'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h2>Queues</h2>
              <QueueTable queues={st.queues} />
              <h2>Poller streams</h2>
              <StreamTable streams={st.streams} />
            </>
          );
        }}
      </Show>
    </section>
  );
}

export function Quarantine() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const state = useLoad(() => list<QuarantineSummaryShape>(HUB_ROUTES.quarantine, { limit: 50, cursor }), [cursor]);
  return (
    <section aria-labelledby="q-title">
      <div class="heading-row">
        <h1 id="q-title">Quarantine</h1>
        <button type="button" onClick={state.reload}>
          Refresh
        </button>
      </div>
      <p class="muted">Bodies the hub accepted but could not use, each kept once with its reason. Open one to read it and retry it.</p>
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
                  <th scope="col">Retried</th>
                </tr>
              </thead>
              <tbody>
                {p.items.map((q) => (
                  <tr key={q.id} data-quarantine-id={q.id}>
                    <td>
                      <a href={`#/hub/quarantine/${enc(q.id)}`} aria-label={`${q.vendor} ${q.stage} body received ${new Date(q.receivedAt).toLocaleString()}`}>
                        <Time iso={q.receivedAt} />
                      </a>
                    </td>
                    <td data-label="Vendor">{q.vendor}</td>
                    <td data-label="Stage">{q.stage}</td>
                    <td data-label="Reason" class="content">
                      {q.reason}
                    </td>
                    <td data-label="Size">
                      {q.bodyBytes} B{q.truncated ? ' (truncated)' : ''}
                    </td>
                    <td data-label="Retried">{q.retriedAt ? `${q.retries ?? 1}× by ${q.retriedBy ?? 'operator'}` : '–'}</td>
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

/** Why a body cannot be re-submitted, or undefined when it can. */
function notRetriable(q: QuarantineDetailShape): string | undefined {
  if (q.truncated) return 'Only its start was kept (it was over the size limit): the vendor must send it again.';
  if (q.retryTo === null) return 'No pipeline reads it again; its poller re-reads it when its stream is reset.';
  if (q.bodyEncoding !== 'utf8') return 'It is not UTF-8 text, which no pipeline reads.';
  return undefined;
}

export function QuarantineItem({ id }: { id: string }) {
  const state = useLoad(() => call<QuarantineDetailShape>(HUB_ROUTES.quarantineItem, { id }), [id]);
  const retry = useAction<RetryShape>();
  // One key per page: the hub's retry marks the entry whatever the key, the key only names the intent.
  const key = useRef(newKey());
  return (
    <section aria-labelledby="qi-title">
      <p>
        <a href="#/hub/quarantine">← Quarantine</a>
      </p>
      <h1 id="qi-title">Quarantined body</h1>
      <Show state={state}>
        {(q) => {
          const why = notRetriable(q);
          return (
            <>
              <dl class="facts">
                <dt>Id</dt>
                <dd>
                  <code>{q.id}</code>
                </dd>
                <dt>Vendor / stage</dt>
                <dd>
                  {q.vendor} / {q.stage}
                </dd>
                <dt>Reason</dt>
                <dd class="content">{q.reason}</dd>
                <dt>Received</dt>
                <dd>
                  <Time iso={q.receivedAt} />
                </dd>
                <dt>Body</dt>
                <dd>
                  {q.bodyBytes} bytes, {q.bodyEncoding === 'base64' ? 'not UTF-8 (shown in base64)' : 'UTF-8 text'}
                  {q.truncated ? ', truncated' : ''}; SHA-256 <code>{q.bodySha256}</code>
                </dd>
                <dt>Retry goes to</dt>
                <dd>{q.retryTo ?? '–'}</dd>
                <dt>Retried</dt>
                <dd data-testid="retried">
                  {q.retriedAt ? (
                    <>
                      {q.retries ?? 1}×, last by {q.retriedBy ?? 'operator'} at <Time iso={q.retriedAt} />
                    </>
                  ) : (
                    'not yet'
                  )}
                </dd>
              </dl>
              <h2>Body (shown as text, never run)</h2>
              <Raw label="The body as received" value={q.body} />
              <OperatorName id="qi-operator" />
              {why && <p class="card warn">{why}</p>}
              <button
                type="button"
                disabled={Boolean(why) || retry.pending}
                onClick={firstClick(async () => {
                  if (await retry.run(() => call<RetryShape>(HUB_ROUTES.quarantineRetry, { id }, { idempotencyKey: key.current, headers: operatorHeaders() }))) state.reload();
                })}
              >
                Retry this body
              </button>
            </>
          );
        }}
      </Show>
      {retry.result && (
        <p role="status" class="card">
          Re-submitted to <strong>{retry.result.queue}</strong> (message <code>{retry.result.messageId}</code>) by {retry.result.retriedBy} at <Time iso={retry.result.retriedAt} />. If it is still unreadable it is quarantined again at the next stage.
        </p>
      )}
      <ErrorBox error={retry.error} />
    </section>
  );
}

function QueueTable({ queues, onRedrive }: { queues: readonly QueueDepthShape[]; onRedrive?: (name: string) => void }) {
  return (
    <table class="list">
      <caption class="visually-hidden">Queue depths</caption>
      <thead>
        <tr>
          <th scope="col">Queue</th>
          <th scope="col">Depth</th>
          <th scope="col">In flight</th>
          <th scope="col">DLQ depth</th>
          {onRedrive && <th scope="col">Redrive</th>}
        </tr>
      </thead>
      <tbody>
        {queues.map((q) => (
          <tr key={q.name} data-queue={q.name}>
            <th scope="row">{q.name}</th>
            <td data-label="Depth" data-field="depth">
              {q.depth}
            </td>
            <td data-label="In flight">{q.inFlight}</td>
            <td data-label="DLQ depth" data-field="dlqDepth" class={q.dlqDepth > 0 ? 'bad' : ''}>
              {q.dlqDepth}
            </td>
            {onRedrive && (
              <td>
                <button type="button" disabled={q.dlqDepth === 0} onClick={firstClick(() => onRedrive(q.name))} aria-label={`Redrive the DLQ of ${q.name}`}>
                  Redrive
                </button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Queues() {
  const state = useLoad(() => list<QueueDepthShape>(HUB_ROUTES.queues), []);
  const redrive = useAction<RedriveShape>();
  return (
    <section aria-labelledby="dlq-title">
      <div class="heading-row">
        <h1 id="dlq-title">Queues and dead-letter queues</h1>
        <button type="button" onClick={state.reload}>
          Refresh
        </button>
      </div>
      <p class="muted">A redrive moves every message of a DLQ back to its queue, to be processed again once the cause is fixed (storage is idempotent: nothing is stored twice).</p>
      <OperatorName id="dlq-operator" />
      <Show state={state}>
        {(p) => (
          <QueueTable
            queues={p.items}
            onRedrive={async (name) => {
              if (await redrive.run(() => call<RedriveShape>(HUB_ROUTES.redrive, { queue: name }, { idempotencyKey: newKey(), headers: operatorHeaders() }))) state.reload();
            }}
          />
        )}
      </Show>
      {redrive.result && (
        <p role="status" class="card">
          {redrive.result.state === 'moved'
            ? `Moved ${redrive.result.moved ?? 0} message(s) from the DLQ of ${redrive.result.queue} back to it (by ${redrive.result.by}).`
            : `A move task started for the DLQ of ${redrive.result.queue} (${redrive.result.dlqDepth} message(s), by ${redrive.result.by}); refresh to see it empty.`}
        </p>
      )}
      <ErrorBox error={redrive.error} />
    </section>
  );
}

function StreamTable({ streams }: { streams: readonly StreamShape[] }) {
  if (streams.length === 0) return <p>No poller stream yet: a stream appears after its poller first runs.</p>;
  return (
    <table class="list">
      <caption class="visually-hidden">Poller streams</caption>
      <thead>
        <tr>
          <th scope="col">Stream</th>
          <th scope="col">Position</th>
          <th scope="col">Read by</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {streams.map((s) => (
          <tr key={s.name}>
            <th scope="row">
              <a href={`#/hub/streams/${enc(s.name)}`}>{s.name}</a>
              <div class="muted">{s.description}</div>
            </th>
            <td data-label="Position">
              <Time iso={s.position} />
            </td>
            <td data-label="Read by">{s.poller}</td>
            <td data-label="Updated">
              <Time iso={s.updatedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Streams() {
  const state = useLoad(() => list<StreamShape>(HUB_ROUTES.streams), []);
  return (
    <section aria-labelledby="streams-title">
      <div class="heading-row">
        <h1 id="streams-title">Poller streams</h1>
        <button type="button" onClick={state.reload}>
          Refresh
        </button>
      </div>
      <p class="muted">Where each poller reads from next. Open one to reset it or backfill it; each change is kept with who made it.</p>
      <Show state={state}>{(p) => <StreamTable streams={p.items} />}</Show>
    </section>
  );
}

/** `datetime-local` value (the operator's local time) as ISO-8601 UTC. */
const isoOf = (local: string): string => new Date(local).toISOString();

export function StreamDetail({ name }: { name: string }) {
  const state = useLoad(() => call<StreamDetailShape>(HUB_ROUTES.stream, { stream: name }), [name]);
  const [from, setFrom] = useState('');
  const [mode, setMode] = useState<'reset' | 'backfill'>('backfill');
  const move = useAction<AuditShape>();
  const fid = 'stream-move';
  return (
    <section aria-labelledby="sd-title">
      <p>
        <a href="#/hub/streams">← Poller streams</a>
      </p>
      <h1 id="sd-title">Stream {name}</h1>
      <Show state={state}>
        {(s) => (
          <>
            <dl class="facts">
              <dt>What it is</dt>
              <dd>{s.description}</dd>
              <dt>Read by</dt>
              <dd>{s.poller}</dd>
              <dt>Position</dt>
              <dd data-testid="position">
                <Time iso={s.position} /> {s.position && <code>{s.position}</code>}
              </dd>
              <dt>Updated</dt>
              <dd>
                <Time iso={s.updatedAt} /> (version {s.version})
              </dd>
            </dl>
            <h2>Move it</h2>
            <p class="muted">The poller reads from the new position on its next run; what is read again is stored once. A backfill only goes back; a reset goes anywhere up to now.</p>
            <form
              class="inline"
              onSubmit={async (e) => {
                e.preventDefault();
                const at = from ? isoOf(from) : '';
                if (!at) return;
                const out = await move.run(() => call<AuditShape>(mode === 'backfill' ? HUB_ROUTES.streamBackfill : HUB_ROUTES.streamReset, { stream: name }, { body: { from: at }, idempotencyKey: newKey(), headers: operatorHeaders() }));
                if (out) state.reload();
              }}
            >
              <Field id={`${fid}-mode`} label="Change">
                <select id={`${fid}-mode`} value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as 'reset' | 'backfill')}>
                  <option value="backfill">Backfill: go back and read again</option>
                  <option value="reset">Reset: move to any time</option>
                </select>
              </Field>
              <Field id={`${fid}-from`} label="From (your local time)">
                <input id={`${fid}-from`} type="datetime-local" step={1} required value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
              </Field>
              <OperatorName id={`${fid}-operator`} />
              <button type="submit" disabled={move.pending} onClick={submitOnFirstClick}>
                Apply
              </button>
            </form>
            {move.result && (
              <p role="status" class="card">
                Recorded: {move.result.action} of {move.result.stream} from {move.result.from ?? 'no position'} to {move.result.to} by {move.result.who}.
              </p>
            )}
            <ErrorBox error={move.error} />
            <h2>Changes (latest 100, newest first)</h2>
            {s.audit.length === 0 ? (
              <p>No operator has moved this stream.</p>
            ) : (
              <table class="list audit">
                <caption class="visually-hidden">Changes to {name}</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Change</th>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                  </tr>
                </thead>
                <tbody>
                  {s.audit.map((a, i) => (
                    <tr key={`${a.at}-${i}`}>
                      <td data-label="When">
                        <Time iso={a.at} />
                      </td>
                      <td data-label="Who">{a.who}</td>
                      <td data-label="Change">{a.action}</td>
                      <td data-label="From">{a.from ?? '–'}</td>
                      <td data-label="To">{a.to}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Show>
    </section>
  );
}

export function Subscriptions() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const state = useLoad(() => list<SubscriptionShape>(HUB_ROUTES.subscriptions, { limit: 50, cursor }), [cursor]);
  const redrive = useAction<SubscriptionRedriveShape>();
  return (
    <section aria-labelledby="subs-title">
      <div class="heading-row">
        <h1 id="subs-title">Subscriptions</h1>
        <button type="button" onClick={state.reload}>
          Refresh
        </button>
      </div>
      <p class="muted">
        Signed webhooks the hub sends for every stored change. Subscriptions are configuration, with their signing secrets: <code>HUB_SUBSCRIPTIONS</code> on the local hub, the <code>subscriptions</code> context of the stack on AWS (each secret generated into Secrets Manager at deploy). Here: each one's delivery state, and a redrive of its DLQ.
      </p>
      <Show state={state}>
        {(p) => (
          <>
            {p.items.length === 0 && <p>No subscription is configured.</p>}
            <ul class="plain">
              {p.items.map((s) => (
                <li key={s.id} class="card" data-subscription={s.id}>
                  <h2>
                    {s.id} <span class={`badge ${s.state === 'healthy' ? 'ok' : s.state === 'failing' ? 'bad' : ''}`} data-field="state">{s.state}</span>
                  </h2>
                  <dl class="facts">
                    <dt>URL</dt>
                    <dd>
                      <code>{s.url}</code>
                    </dd>
                    <dt>Events</dt>
                    <dd>{s.events.join(', ')}</dd>
                    <dt>Last delivered</dt>
                    <dd data-field="lastSuccessAt">
                      <Time iso={s.lastSuccessAt} />
                    </dd>
                    <dt>Last failure</dt>
                    <dd data-field="lastFailure">
                      {s.lastFailure ? (
                        <>
                          <Time iso={s.lastFailureAt} />: {s.lastFailure.status || 'no answer'} (event <code>{s.lastFailure.eventId}</code>)
                        </>
                      ) : (
                        '–'
                      )}
                    </dd>
                    <dt>Waiting</dt>
                    <dd data-field="queueDepth">{s.queueDepth}</dd>
                    <dt>In its DLQ</dt>
                    <dd data-field="dlqDepth" class={s.dlqDepth > 0 ? 'bad' : ''}>
                      {s.dlqDepth}
                    </dd>
                  </dl>
                  <button
                    type="button"
                    disabled={s.dlqDepth === 0 || redrive.pending}
                    aria-label={`Redrive the DLQ of subscription ${s.id}`}
                    onClick={firstClick(async () => {
                      if (await redrive.run(() => call<SubscriptionRedriveShape>(HUB_ROUTES.subscriptionRedrive, { id: s.id }, { idempotencyKey: newKey() }))) state.reload();
                    })}
                  >
                    Redrive
                  </button>
                </li>
              ))}
            </ul>
            <Pager cursor={p.nextCursor} atFirst={cursors.length === 1} onFirst={() => setCursors([null])} onNext={(c) => setCursors([...cursors, c])} />
          </>
        )}
      </Show>
      {redrive.result && (
        <p role="status" class="card">
          Moved {redrive.result.moved} event(s) of {redrive.result.id} back to its queue; {redrive.result.dlqDepth} left in its DLQ.
        </p>
      )}
      <ErrorBox error={redrive.error} />
    </section>
  );
}

/** The hub's own pages. */
export const hubPages: readonly PageDecl[] = [
  { pattern: /^\/hub$/, title: 'Hub status', nav: 'Status', href: '#/hub', render: () => <Status /> },
  { pattern: /^\/hub\/quarantine$/, title: 'Quarantine', nav: 'Quarantine', href: '#/hub/quarantine', render: () => <Quarantine /> },
  { pattern: /^\/hub\/quarantine\/([^/]+)$/, title: 'Quarantined body', render: ([id]) => <QuarantineItem id={dec(id)} /> },
  { pattern: /^\/hub\/queues$/, title: 'Queues', nav: 'DLQs', href: '#/hub/queues', render: () => <Queues /> },
  { pattern: /^\/hub\/streams$/, title: 'Poller streams', nav: 'Streams', href: '#/hub/streams', render: () => <Streams /> },
  { pattern: /^\/hub\/streams\/([^/]+)$/, title: 'Poller stream', render: ([name]) => <StreamDetail name={dec(name)} /> },
  { pattern: /^\/hub\/subscriptions$/, title: 'Subscriptions', nav: 'Subscriptions', href: '#/hub/subscriptions', render: () => <Subscriptions /> },
];
