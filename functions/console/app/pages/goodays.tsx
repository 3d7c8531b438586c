import { useRef, useState } from 'preact/hooks';
import { api, ApiError, newKey, page } from '../api.ts';
import { dec, type PageDecl } from './types.ts';
import { duration, ErrorBox, Field, prefs, Show, Time, useInterval, useLoad } from '../ui.tsx';

interface ResponseSummary {
  responseId: string;
  state: string | null;
  source: string | null;
  offeredActions: string[];
  latestEventType: string | null;
  latestEventReceivedAt: string | null;
  awaiting: boolean;
  messages: number;
}

interface ThreadMessage {
  id: string;
  createdAt: string | null;
  kind: 'verbatim' | 'reply' | 'message';
  from: 'customer' | 'customer-service';
  type: string | null;
  content: string | null;
  sender: { email: string | null; firstName: string | null; lastName: string | null } | null;
}

export interface ActionView {
  actionId: string;
  responseId: string;
  action: string;
  state: 'accepted' | 'sending' | 'retrying' | 'succeeded' | 'failed' | 'unknown';
  createdAt: string;
  updatedAt: string;
  operatorEmail?: string;
  attempts: number;
  vendorStatus?: number;
  vendorMessages?: string[];
  error?: string;
  needsDecision: boolean;
  resolution?: { outcome: 'sent' | 'not-sent'; note?: string; at: string };
}

interface ResponseDetail {
  thread: {
    responseId: string;
    state: string | null;
    source: string | null;
    response: Record<string, unknown> | null;
    delegatedTo: Record<string, unknown> | null;
    messages: ThreadMessage[];
    latestEventReceivedAt: string | null;
    unknownEvents: { eventKey: string; eventType: string; receivedAt: string }[];
  };
  allowedActions: string[];
  awaiting: boolean;
  lastHandledAt: string | null;
  actions: ActionView[];
  needsDecision: string[];
}

/** What the operator reads for each action state (the hub's names in brackets where they differ). */
export const STATE_LABEL: Record<ActionView['state'], string> = {
  accepted: 'queued',
  sending: 'sending',
  retrying: 'sending (retrying)',
  succeeded: 'sent',
  failed: 'failed',
  unknown: 'unknown: needs a decision',
};
const FINAL = new Set(['succeeded', 'failed', 'unknown']);

const DEFAULT_TARGET_MINUTES = 60;
/** Sources Goodays collects itself; any other needs remark_type on reply, message and close (the hub's default list; the hub decides). */
const NATIVE_SOURCES = ['goodays', 'email', 'sms', 'web', 'link', 'qrcode', 'kiosk', 'tablet', 'app', 'widget', 'import', 'api'];
const REMARK_TYPES = ['Praise', 'Question', 'Idea', 'Problem', 'Message'];
const PAGE_LIMIT = 1000;
const MAX_PAGES = 3;

const minutesSince = (iso: string | null, now: number): number | undefined => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? undefined : (now - t) / 60_000;
};

/** Open responses that nobody has handled, oldest first, with their age against the target. */
export function Inbox() {
  const [target, setTarget] = useState(() => Number(prefs.get('targetMinutes')) || DEFAULT_TARGET_MINUTES);
  const state = useLoad(async () => {
    // Open responses, and closed ones where the customer wrote again after the reply.
    const all: ResponseSummary[] = [];
    let truncated = false;
    for (const state of ['open', 'closed']) {
      let cursor: string | null = null;
      for (let i = 0; i < MAX_PAGES; i += 1) {
        const p: { items: ResponseSummary[]; nextCursor: string | null } = await page<ResponseSummary>('/goodays/responses', { state, limit: PAGE_LIMIT, cursor });
        all.push(...p.items);
        cursor = p.nextCursor;
        if (!cursor) break;
        if (i === MAX_PAGES - 1) truncated = true;
      }
    }
    const open = all.filter((r) => r.awaiting).sort((a, b) => (a.latestEventReceivedAt ?? '').localeCompare(b.latestEventReceivedAt ?? ''));
    return { open, truncated, at: Date.now() };
  }, []);
  useInterval(state.reload, 30_000, true);
  return (
    <section aria-labelledby="inbox-title">
      <div class="heading-row">
        <h1 id="inbox-title">Inbox</h1>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <Field id="target" label="Target (minutes)">
            <input
              id="target"
              type="number"
              min={1}
              max={100000}
              value={target}
              onInput={(e) => {
                const v = Number((e.target as HTMLInputElement).value);
                if (v > 0) {
                  setTarget(v);
                  prefs.set('targetMinutes', String(v));
                }
              }}
            />
          </Field>
          <button type="button" onClick={state.reload}>
            Refresh
          </button>
        </form>
      </div>
      <p class="muted">Goodays responses waiting for an answer (new, or the customer wrote again), oldest first. Age is counted from the latest event the hub received.</p>
      <Show state={state}>
        {({ open, truncated, at }) =>
          open.length === 0 ? (
            <p>Nothing is waiting. Well done.</p>
          ) : (
            <>
              <table class="list">
                <caption class="visually-hidden">Responses waiting for an answer</caption>
                <thead>
                  <tr>
                    <th scope="col">Response</th>
                    <th scope="col">Source</th>
                    <th scope="col">Last event</th>
                    <th scope="col">Age</th>
                    <th scope="col">Messages</th>
                  </tr>
                </thead>
                <tbody>
                  {open.map((r) => {
                    const age = minutesSince(r.latestEventReceivedAt, at);
                    const late = age !== undefined && age > target;
                    return (
                      <tr key={r.responseId} class={late ? 'late' : ''}>
                        <td>
                          <a href={`#/goodays/${encodeURIComponent(r.responseId)}`}>{r.responseId}</a>
                        </td>
                        <td>{r.source ?? '–'}</td>
                        <td>
                          {r.latestEventType ?? '–'} <Time iso={r.latestEventReceivedAt} />
                        </td>
                        <td>
                          {age === undefined ? '–' : duration(age)}
                          <span class={late ? 'badge bad' : 'badge ok'}>{late ? 'over target' : 'within target'}</span>
                        </td>
                        <td>{r.messages}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {truncated && <p class="muted">Showing what the first {PAGE_LIMIT * MAX_PAGES} responses of each state hold.</p>}
            </>
          )
        }
      </Show>
    </section>
  );
}

const who = (m: ThreadMessage): string => {
  const name = [m.sender?.firstName, m.sender?.lastName].filter(Boolean).join(' ');
  return `${m.from === 'customer' ? 'Customer' : 'Customer service'}${name ? ` (${name})` : ''}`;
};
const KIND_LABEL = { verbatim: 'Feedback', reply: 'Public reply', message: 'Private message' } as const;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** One Goodays thread: answers, every message in order, place, delegation, actions and their states. */
export function Thread({ id }: { id: string }) {
  const state = useLoad(() => api<ResponseDetail>(`/goodays/responses/${encodeURIComponent(id)}`), [id]);
  const pending = state.data?.actions.some((a) => !FINAL.has(a.state)) ?? false;
  useInterval(state.reload, 1000, pending);
  return (
    <section aria-labelledby="thread-title">
      <p>
        <a href="#/inbox">← Inbox</a>
      </p>
      <h1 id="thread-title">Response {id}</h1>
      <Show state={state}>
        {(d) => {
          const r = d.thread.response ?? {};
          const answers = Array.isArray(r.answers) ? (r.answers as { value?: unknown; question?: { title?: string } }[]) : [];
          const place = (r.place ?? null) as Record<string, unknown> | null;
          return (
            <div class="thread-layout">
              <div>
                <dl class="facts">
                  <dt>State</dt>
                  <dd>{d.thread.state ?? '–'}{d.awaiting ? ' · waiting for an answer' : ''}</dd>
                  <dt>Source</dt>
                  <dd>{d.thread.source ?? '–'}</dd>
                  <dt>Place</dt>
                  <dd>{str(place?.name) ?? '–'}</dd>
                  <dt>Delegated to</dt>
                  <dd>{d.thread.delegatedTo ? (str(d.thread.delegatedTo.name) ?? 'yes') : 'not delegated'}</dd>
                  <dt>Survey</dt>
                  <dd>{str((r.survey as Record<string, unknown> | undefined)?.label) ?? '–'}</dd>
                </dl>
                {answers.length > 0 && (
                  <>
                    <h2>Answers</h2>
                    <dl class="facts">
                      {answers.map((a, i) => (
                        <>
                          <dt key={`q${i}`}>{a.question?.title ?? `Question ${i + 1}`}</dt>
                          <dd key={`a${i}`}>{typeof a.value === 'string' || typeof a.value === 'number' ? String(a.value) : JSON.stringify(a.value)}</dd>
                        </>
                      ))}
                    </dl>
                  </>
                )}
                <h2>Conversation</h2>
                <ol class="messages">
                  {d.thread.messages.map((m) => (
                    <li key={m.id} class={`message ${m.from}`}>
                      <header>
                        <strong>{KIND_LABEL[m.kind]}</strong> · {who(m)} · <Time iso={m.createdAt} />
                        {m.type && <span class="badge">{m.type}</span>}
                      </header>
                      <p class="content">{m.content ?? ''}</p>
                    </li>
                  ))}
                </ol>
                {d.thread.unknownEvents.length > 0 && (
                  <p class="muted">
                    {d.thread.unknownEvents.length} event(s) of a type the hub does not know: {d.thread.unknownEvents.map((e) => e.eventType).join(', ')}
                  </p>
                )}
              </div>
              <div>
                <h2>Actions</h2>
                <ActionHistory actions={d.actions} onChange={state.reload} />
                {d.allowedActions.length === 0 ? <p class="muted">No action is allowed on this response now.</p> : <ActionForms responseId={id} source={d.thread.source} allowed={d.allowedActions} onSent={state.reload} />}
              </div>
            </div>
          );
        }}
      </Show>
    </section>
  );
}

function ActionHistory({ actions, onChange }: { actions: ActionView[]; onChange: () => void }) {
  if (actions.length === 0) return <p class="muted">The hub has sent nothing on this response yet.</p>;
  return (
    <ol class="actions" aria-live="polite">
      {actions.map((a) => (
        <li key={a.actionId} data-action-id={a.actionId}>
          <strong>{a.action}</strong> <span class={`badge state-${a.state}`}>{STATE_LABEL[a.state]}</span> <Time iso={a.updatedAt} />
          {a.operatorEmail && <span class="muted"> by {a.operatorEmail}</span>}
          {a.vendorMessages && a.vendorMessages.length > 0 && <p class="muted">Goodays said: {a.vendorMessages.join('; ')}</p>}
          {a.resolution && (
            <p class="muted">
              Resolved by hand as {a.resolution.outcome}
              {a.resolution.note ? `: ${a.resolution.note}` : ''}
            </p>
          )}
          {a.needsDecision && <Resolve action={a} onDone={onChange} />}
        </li>
      ))}
    </ol>
  );
}

/** The decision on an action whose outcome the hub could not learn: a person checks Goodays and says. */
function Resolve({ action, onDone }: { action: ActionView; onDone: () => void }) {
  const [outcome, setOutcome] = useState<'sent' | 'not-sent' | ''>('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const base = `resolve-${action.actionId}`;
  return (
    <form
      class="card warn"
      aria-labelledby={`${base}-title`}
      onSubmit={async (e) => {
        e.preventDefault();
        if (busy || !outcome) return;
        setBusy(true);
        setError(undefined);
        try {
          await api(`/goodays/actions/${action.actionId}/resolve`, { method: 'POST', body: { outcome, ...(note ? { note } : {}) } });
          onDone();
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3 id={`${base}-title`}>Outcome unknown</h3>
      <p>The hub may or may not have reached Goodays, and will not send it again. Check this response in the Goodays back office, then record what happened.</p>
      <fieldset>
        <legend>Did the customer get it?</legend>
        <label>
          <input type="radio" name={`${base}-outcome`} value="sent" checked={outcome === 'sent'} onChange={() => setOutcome('sent')} /> Sent: Goodays shows it
        </label>
        <label>
          <input type="radio" name={`${base}-outcome`} value="not-sent" checked={outcome === 'not-sent'} onChange={() => setOutcome('not-sent')} /> Not sent: free the response for another action
        </label>
      </fieldset>
      <Field id={`${base}-note`} label="Note (optional)">
        <input id={`${base}-note`} value={note} maxLength={500} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      </Field>
      <button type="submit" disabled={busy || !outcome}>
        Record the outcome
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

const ACTION_TITLE: Record<string, string> = { reply: 'Reply', message: 'Private message', call: 'Call', close: 'Close', spam: 'Mark as spam' };

function ActionForms({ responseId, source, allowed, onSent }: { responseId: string; source: string | null; allowed: string[]; onSent: () => void }) {
  const [chosen, setChosen] = useState(allowed[0] ?? '');
  const action = allowed.includes(chosen) ? chosen : (allowed[0] ?? '');
  return (
    <div class="card">
      <div role="group" aria-label="Action" class="tabs">
        {allowed.map((a) => (
          <button key={a} type="button" aria-pressed={a === action} onClick={() => setChosen(a)}>
            {ACTION_TITLE[a] ?? a}
          </button>
        ))}
      </div>
      <ActionForm key={action} responseId={responseId} action={action} source={source} onSent={onSent} />
    </div>
  );
}

/**
 * One action as a form. The Idempotency-Key is made once per body: a double click, or a retry after
 * an answer that got lost, sends the same key, and the hub makes one action of it.
 */
function ActionForm({ responseId, action, source, onSent }: { responseId: string; action: string; source: string | null; onSent: () => void }) {
  const [content, setContent] = useState('');
  const [remark, setRemark] = useState('');
  const [email, setEmail] = useState(() => prefs.get('operatorEmail') ?? '');
  const [rating, setRating] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState<string>();
  const inFlight = useRef(false);
  const [busy, setBusy] = useState(false);
  const attempt = useRef<{ body: string; key: string } | undefined>(undefined);
  const id = (f: string) => `${action}-${f}`;
  const hasContent = action === 'reply' || action === 'message';
  const hasRemark = hasContent || action === 'close';
  const remarkRequired = hasRemark && source !== null && source !== '' && !NATIVE_SOURCES.includes(source.toLowerCase());
  const emailRequired = action === 'message';

  const body = (): Record<string, unknown> => ({
    ...(hasContent ? { content } : {}),
    ...(email ? { user: email } : {}),
    ...(hasRemark && remark ? { remark_type: remark } : {}),
    ...(action === 'call' && rating !== '' ? { rating: Number(rating) } : {}),
    ...(action === 'call' && note ? { note } : {}),
  });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(undefined);
    const b = body();
    const text = JSON.stringify(b);
    if (attempt.current?.body !== text) attempt.current = { body: text, key: newKey() };
    try {
      const out = await api<{ actionId: string }>(`/goodays/responses/${encodeURIComponent(responseId)}/${action}`, { method: 'POST', body: b, idempotencyKey: attempt.current.key });
      if (email) prefs.set('operatorEmail', email);
      setSent(out.actionId);
      onSent();
    } catch (err) {
      setError(err);
      // A definite refusal will not change by sending the same again; a lost answer keeps the key.
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) attempt.current = undefined;
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  if (sent) return <p role="status">Sent to the hub as {sent}; its state is in the list above.</p>;
  return (
    <form onSubmit={submit} aria-label={ACTION_TITLE[action] ?? action}>
      {hasContent && (
        <Field id={id('content')} label={action === 'reply' ? 'Public reply' : 'Private message'}>
          <textarea id={id('content')} required rows={6} maxLength={5000} value={content} onInput={(e) => setContent((e.target as HTMLTextAreaElement).value)} />
        </Field>
      )}
      {hasRemark && (
        <Field id={id('remark')} label={remarkRequired ? 'Remark type (required for this source)' : 'Remark type'}>
          <select id={id('remark')} required={remarkRequired} value={remark} onChange={(e) => setRemark((e.target as HTMLSelectElement).value)}>
            <option value="">{remarkRequired ? 'Choose…' : 'None'}</option>
            {REMARK_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </Field>
      )}
      {action === 'call' && (
        <>
          <Field id={id('rating')} label="Rating (0–5, optional)">
            <input id={id('rating')} type="number" min={0} max={5} step={1} value={rating} onInput={(e) => setRating((e.target as HTMLInputElement).value)} />
          </Field>
          <Field id={id('note')} label="Private note (optional)">
            <textarea id={id('note')} rows={3} maxLength={2000} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
          </Field>
        </>
      )}
      <Field id={id('email')} label={emailRequired ? 'Your Goodays e-mail' : 'Your Goodays e-mail (optional)'} hint="The hub names you to Goodays with it.">
        <input id={id('email')} type="email" autoComplete="email" required={emailRequired} value={email} aria-describedby={`${id('email')}-hint`} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
      </Field>
      <button type="submit" disabled={busy}>
        {busy ? 'Sending…' : `Send ${(ACTION_TITLE[action] ?? action).toLowerCase()}`}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

/** The Goodays pages: the inbox (the console's start page) and a thread. */
export const goodaysPages: readonly PageDecl[] = [
  { pattern: /^\/inbox$/, title: 'Inbox', nav: 'Inbox', href: '#/inbox', probe: '/goodays/responses?limit=1', render: () => <Inbox /> },
  { pattern: /^\/goodays\/([^/]+)$/, title: 'Response', render: ([id]) => <Thread id={dec(id)} /> },
];
