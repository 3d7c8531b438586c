import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox, SandboxContext, SandboxDecl } from './index.ts';
import { sandboxJournal } from './state.ts';

/**
 * A local stand-in for the Goodays Converse API (https://api.goodays.co/v2), on loopback:
 * - `PUT /responses/{id}/{reply|message|call|close|spam}` with Goodays' rules: a response is
 *   processed once (reply, call, close or spam), no message before a reply, no spam once processed,
 *   `remark_type` required when the source is not Goodays; `Authorization: <token>` without Bearer.
 * - `GET /users?email=`, `GET /events?event_type=` (sample payloads).
 * - `/_sandbox/...` control routes: the outbox (what customers would have received), the request
 *   log, the action requests received (`received`, kept across restarts), fault injection, new responses, customer messages, and signed webhooks sent to the hub.
 */

const ACTIONS = ['reply', 'message', 'call', 'close', 'spam'] as const;
type Action = (typeof ACTIONS)[number];
const REMARK_TYPES = ['Praise', 'Question', 'Idea', 'Problem', 'Message'];
const NATIVE_SOURCES = ['goodays', 'email', 'sms', 'web', 'link', 'qrcode', 'kiosk', 'tablet', 'app', 'widget', 'import', 'api'];

interface Person {
  email: string;
  first_name: string;
  last_name: string;
}
interface Msg {
  id: string;
  created_date: string;
  type: string;
  content: string;
  attachment: null;
  sender: Person;
}
interface SandboxResponse {
  id: string;
  source: string;
  created_date: string;
  updated_date: string;
  customer: Person;
  verbatim: Msg;
  reply: Msg | null;
  /** Private messages after the reply, both ways, oldest first. */
  messages: Msg[];
  processed: Action | null;
  delegated: boolean;
  token: string;
}

/** What a customer would have received. */
export interface OutboxEntry {
  readonly responseId: string;
  readonly action: 'reply' | 'message';
  readonly to: string;
  readonly content: string;
  readonly user: string | null;
  readonly at: string;
}

/** One request the sandbox received (headers reduced to what tests check). */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | null;
  readonly body: string;
  readonly answered: number | 'hang' | 'reset';
}

/**
 * One Goodays API request as the sandbox received it, kept across restarts with the state: what the
 * hub sent, whatever came of it (a fault may have dropped it, Goodays' rules may have refused it).
 * The vendor's own record, for counting what a customer could have been sent twice.
 */
export interface ReceivedEntry {
  readonly seq: number;
  readonly at: string;
  readonly method: string;
  readonly responseId: string;
  readonly action: string;
}

/** Faults applied to the next `count` Goodays API requests (control routes excluded). */
export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly count: number; readonly retryAfter?: number }
  /** Processes the request, then answers `status` anyway (a gateway error after Goodays saved it). */
  | { readonly kind: 'status-after'; readonly status: number; readonly count: number }
  /** Processes the request, then never answers (the client times out: outcome unknown). */
  | { readonly kind: 'hang-after'; readonly count: number }
  /** Processes the request, then drops the connection (outcome unknown). */
  | { readonly kind: 'reset-after'; readonly count: number }
  /** Drops the connection without processing. */
  | { readonly kind: 'reset-before'; readonly count: number }
  /** Waits until `releaseHeld()`, then processes and answers as usual (a send still under way). */
  | { readonly kind: 'hold'; readonly count: number };

/** The running sandbox with its control surface (also reachable over HTTP under `/_sandbox`). */
export interface GoodaysSandbox extends Sandbox {
  outbox(): OutboxEntry[];
  requests(): RequestLogEntry[];
  /** Every action request received (`PUT /responses/{id}/{action}`), across restarts when the state is kept. */
  received(): ReceivedEntry[];
  injectFault(fault: Fault): void;
  /** Lets the requests a `hold` fault keeps waiting go on. */
  releaseHeld(): void;
  /** Creates a response; returns its id. */
  addResponse(options?: { id?: string; source?: string; content?: string; email?: string; delegated?: boolean }): string;
  /** The customer writes a private message (after a reply); returns the message id. */
  customerWrites(responseId: string, content: string): string;
  /** The webhook body Goodays would send now for this response. */
  eventBody(eventType: 'response' | 'message' | 'delegated', responseId: string, options?: { actionUrlBase?: string }): string;
  /** Sends a signed webhook (first secret of GOODAYS_HMAC_SECRETS) to `{hub}/webhooks/goodays`. */
  sendWebhook(eventType: 'response' | 'message' | 'delegated', responseId: string, options?: { actionUrlBase?: string }): Promise<{ status: number; body: string }>;
  reset(): void;
}

const SEED_USERS = [
  { id: '1a2b3c4', email: 'jennifer.parker@cs.example.com', first_name: 'Jennifer', last_name: 'Parker' },
  { id: '5e6f7a8', email: 'marty.mcfly@cs.example.com', first_name: 'Marty', last_name: 'McFly' },
];

function id(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(11)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A Goodays-style timestamp with microseconds and an offset. */
function stamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 23)}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}+00:00`;
}

/** Starts the sandbox on 127.0.0.1. */
export async function startGoodaysSandbox(ctx: SandboxContext): Promise<GoodaysSandbox> {
  const responses = new Map<string, SandboxResponse>();
  let outbox: OutboxEntry[] = [];
  let log: RequestLogEntry[] = [];
  let faults: { fault: Fault; left: number }[] = [];
  // Requests a `hold` fault keeps waiting, until releaseHeld() (or reset, or stop).
  let held: (() => void)[] = [];
  const releaseHeld = () => {
    const waiting = held;
    held = [];
    for (const go of waiting) go();
  };
  let received: ReceivedEntry[] = [];
  const users = [...SEED_USERS];
  // Responses (threads, with what was replied and written), the outbox and the action requests received
  // survive a restart when the hub gives a state file: a journal of records, each change written before
  // the sandbox answers (`<state file>l`, JSON lines). The request log and faults are per run.
  const journal = sandboxJournal(ctx.stateFile ? `${ctx.stateFile.replace(/\.json$/, '')}.jsonl` : undefined);
  const saveResponse = (r: SandboxResponse): void => journal.put('response', r.id, r);
  const addOutbox = (e: OutboxEntry): void => {
    outbox.push(e);
    journal.put('outbox', String(outbox.length - 1), e);
  };

  const addResponse: GoodaysSandbox['addResponse'] = (o = {}) => {
    const rid = o.id ?? id();
    const now = stamp();
    const customer = { email: o.email ?? `customer.${rid.toLowerCase()}@example.com`, first_name: 'Chester', last_name: 'COPPERPOT' };
    responses.set(rid, {
      id: rid,
      source: o.source ?? 'email',
      created_date: now,
      updated_date: now,
      customer,
      verbatim: { id: id(), created_date: now, type: 'Problem', content: o.content ?? 'The seller needs to respond in a timely manner.', attachment: null, sender: customer },
      reply: null,
      messages: [],
      processed: null,
      delegated: o.delegated ?? false,
      token: randomBytes(16).toString('hex'),
    });
    const added = responses.get(rid);
    if (added) saveResponse(added);
    return rid;
  };
  const seed = () => {
    responses.clear();
    addResponse({ id: 'vdOpL1NJ74l', source: 'email', email: 'chester.copperpot@example.com' });
    addResponse({ id: 'G00gleRev1', source: 'google' });
  };
  const kept = journal.load();
  if (kept) {
    for (const e of kept) {
      if (e.kind === 'response') responses.set(e.id, e.value as SandboxResponse);
      else if (e.kind === 'outbox') outbox.push(e.value as OutboxEntry);
      else if (e.kind === 'received') received.push(e.value as ReceivedEntry);
    }
  } else seed();

  const offered = (r: SandboxResponse): Action[] => {
    if (!r.processed) return r.delegated ? ['reply', 'spam', 'close'] : ['reply', 'spam', 'close', 'call'];
    return r.reply ? ['message'] : [];
  };

  const snapshot = (r: SandboxResponse, actionUrlBase: string) => ({
    id: r.id,
    token: r.token,
    created_date: r.created_date,
    updated_date: r.updated_date,
    source: r.source,
    survey: { id: '12AB34', slug: 'survey1', label: 'survey 1', enabled: true, detail_url: `${actionUrlBase}/surveys/12AB34` },
    answers: [{ id: '12AB34', value: 5, question: { id: '12AB34', title: 'Would you recommend this shop?', type: 'nps', enabled: true } }],
    message: r.verbatim,
    reply: r.reply,
    user: { ...r.customer, opt_in: { newsletter: false, email: false, sms: false } },
    context: { email: r.customer.email, crm_id: '', extra: { transaction_date: '2020-01-28' }, last_name: r.customer.last_name, first_name: r.customer.first_name },
    place: { id: '12AB34', partner_id: '1234', name: 'place name', enabled: true, detail_url: `${actionUrlBase}/places/12AB34` },
    delegated_to: r.delegated ? { id: 'ap4M7B1w82', partner_id: 'CustomerService', name: 'Customer Service', enabled: true, detail_url: `${actionUrlBase}/places/ap4M7B1w82` } : null,
    attached_messages: [...(r.reply ? [{ ...r.reply, type: 'Message' }] : []), ...r.messages].reverse(),
    state: r.processed ? 'closed' : 'open',
    thread: r.id,
    // As in Goodays' own payloads, these URLs are not where the API is (`/api/v2` vs `/v2`).
    actions: Object.fromEntries(offered(r).map((a) => [a, `${actionUrlBase}/api/v2/responses/${r.id}/${a}`])),
    alert_triggered: false,
  });

  const eventBody: GoodaysSandbox['eventBody'] = (eventType, responseId, options = {}) => {
    const r = responses.get(responseId);
    if (!r) throw new Error(`No sandbox response ${responseId}`);
    const base = options.actionUrlBase ?? 'https://api.goodays.co';
    const lastCustomerMessage = [...r.messages].reverse().find((m) => m.sender.email === r.customer.email);
    const payload: Record<string, unknown> = { event_type: eventType, response: snapshot(r, base) };
    if (eventType === 'message') payload.message = lastCustomerMessage ?? null;
    return JSON.stringify(payload, null, 2);
  };

  const customerWrites: GoodaysSandbox['customerWrites'] = (responseId, content) => {
    const r = responses.get(responseId);
    if (!r) throw new Error(`No sandbox response ${responseId}`);
    const m: Msg = { id: id(), created_date: stamp(), type: 'Message', content, attachment: null, sender: r.customer };
    r.messages.push(m);
    r.updated_date = m.created_date;
    saveResponse(r);
    return m.id;
  };

  const sendWebhook: GoodaysSandbox['sendWebhook'] = async (eventType, responseId, options) => {
    const body = eventBody(eventType, responseId, options);
    const secret = (ctx.env.GOODAYS_HMAC_SECRETS ?? '').split(',').map((s) => s.trim()).find(Boolean);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret) headers['x-hmac-sha256'] = createHmac('sha256', secret).update(body).digest('hex');
    const res = await fetch(`${ctx.hubUrl().replace(/\/+$/, '')}/webhooks/goodays`, { method: 'POST', headers, body });
    return { status: res.status, body: await res.text() };
  };

  const apiToken = ctx.env.GOODAYS_API_TOKEN;

  /** Applies an action with Goodays' rules; returns [status, body]. */
  const act = (responseId: string, action: Action, input: Record<string, unknown>): [number, unknown] => {
    const r = responses.get(responseId);
    if (!r) return [404, { message: `Response ${responseId} not found` }];
    const user = input.user;
    if (user !== undefined && !users.some((u) => u.id === user)) return [400, { message: `Unknown user ${String(user)}` }];
    if (action === 'message' && user === undefined) return [400, { message: 'user is required for a message' }];
    if (['reply', 'message'].includes(action) && (typeof input.content !== 'string' || input.content.trim() === '')) return [400, { message: 'content is required' }];
    const needsRemark = ['reply', 'message', 'close'].includes(action) && !NATIVE_SOURCES.includes(r.source);
    if (input.remark_type !== undefined && !REMARK_TYPES.includes(String(input.remark_type))) return [400, { message: `remark_type must be one of ${REMARK_TYPES.join(', ')}` }];
    if (needsRemark && input.remark_type === undefined) return [400, { message: `remark_type is mandatory for a ${r.source} response` }];
    if (action === 'call' && input.rating !== undefined && !(Number.isInteger(input.rating) && Number(input.rating) >= 0 && Number(input.rating) <= 5)) {
      return [400, { message: 'rating must be an integer from 0 to 5' }];
    }
    if (action === 'message' && !r.reply) return [400, { message: 'You cannot send a message before the response has been replied to' }];
    if (action === 'spam' && r.processed) return [400, { message: 'A processed response cannot be marked as spam' }];
    if (action !== 'message' && r.processed) return [400, { message: `Response already processed (${r.processed})` }];
    const sender = users.find((u) => u.id === user) ?? { email: 'customer.service@example.com', first_name: 'Customer', last_name: 'Service' };
    const now = stamp();
    if (action === 'reply' || action === 'message') {
      const m: Msg = { id: id(), created_date: now, type: action === 'reply' ? 'text' : 'Message', content: String(input.content), attachment: null, sender: { email: sender.email, first_name: sender.first_name, last_name: sender.last_name } };
      if (action === 'reply') r.reply = m;
      else r.messages.push(m);
      addOutbox({ responseId, action, to: r.customer.email, content: m.content, user: typeof user === 'string' ? user : null, at: new Date().toISOString() });
    }
    if (action !== 'message') r.processed = action;
    r.updated_date = now;
    saveResponse(r);
    return [200, { id: r.id, state: 'closed', action }];
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { message: err instanceof Error ? err.message : String(err) });
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/^\/v2(?=\/)/, '');
    if (path.startsWith('/_sandbox/')) return control(req.method ?? 'GET', path, body, res);

    const entry = { method: req.method ?? '', path: url.pathname + url.search, authorization: req.headers.authorization ?? null, body };
    // An action request is on record before anything else happens to it (a fault included).
    const action = /^\/responses\/([^/]+)\/([a-z]+)\/?$/.exec(path);
    if (action?.[1] && action[2]) {
      const r: ReceivedEntry = { seq: received.length, at: new Date().toISOString(), method: req.method ?? '', responseId: decodeURIComponent(action[1]), action: action[2] };
      received.push(r);
      journal.put('received', String(r.seq), r);
    }
    const active = faults.find((f) => f.left > 0);
    if (active) active.left--;
    faults = faults.filter((f) => f.left > 0);
    if (active?.fault.kind === 'reset-before') {
      log.push({ ...entry, answered: 'reset' });
      req.socket.destroy();
      return;
    }
    if (active?.fault.kind === 'status') {
      log.push({ ...entry, answered: active.fault.status });
      const headers: Record<string, string> = active.fault.retryAfter !== undefined ? { 'retry-after': String(active.fault.retryAfter) } : {};
      return send(res, active.fault.status, { message: `Sandbox fault: ${active.fault.status}` }, headers);
    }
    if (active?.fault.kind === 'hold') await new Promise<void>((resolve) => held.push(resolve));
    const [status, out] = api(req, url, path, body);
    if (active?.fault.kind === 'hang-after') {
      log.push({ ...entry, answered: 'hang' });
      return; // processed, never answered
    }
    if (active?.fault.kind === 'status-after') {
      log.push({ ...entry, answered: active.fault.status });
      return send(res, active.fault.status, { message: `Sandbox fault after processing: ${active.fault.status}` });
    }
    if (active?.fault.kind === 'reset-after') {
      log.push({ ...entry, answered: 'reset' });
      req.socket.destroy();
      return;
    }
    log.push({ ...entry, answered: status });
    send(res, status, out);
  };

  const api = (req: IncomingMessage, url: URL, path: string, body: string): [number, unknown] => {
    const auth = req.headers.authorization;
    if (!auth || /^Bearer\s/i.test(auth) || (apiToken !== undefined && apiToken !== '' && auth !== apiToken)) return [401, { message: 'Invalid token.' }];
    const actionMatch = /^\/responses\/([^/]+)\/([a-z]+)\/?$/.exec(path);
    if (actionMatch?.[1] && actionMatch[2]) {
      if (req.method !== 'PUT') return [405, { message: 'Use PUT' }];
      if (!(ACTIONS as readonly string[]).includes(actionMatch[2])) return [404, { message: `Unknown action ${actionMatch[2]}` }];
      let input: unknown;
      try {
        input = body.trim() === '' ? {} : JSON.parse(body);
      } catch {
        return [400, { message: 'JSON parse error' }];
      }
      if (!input || typeof input !== 'object' || Array.isArray(input)) return [400, { message: 'Body must be a JSON object' }];
      return act(decodeURIComponent(actionMatch[1]), actionMatch[2] as Action, input as Record<string, unknown>);
    }
    if (path === '/users' && req.method === 'GET') {
      const email = url.searchParams.get('email')?.toLowerCase();
      const results = users.filter((u) => !email || u.email.toLowerCase() === email);
      return [200, { count: results.length, next: null, previous: null, results }];
    }
    if (path === '/events' && req.method === 'GET') {
      const type = url.searchParams.get('event_type');
      const sampleId = 'vdOpL1NJ74l';
      const samples = (['response', 'message', 'delegated'] as const).filter((t) => !type || t === type).map((t) => JSON.parse(eventBody(t, sampleId)) as unknown);
      return [200, { results: samples }];
    }
    return [404, { message: `No route ${req.method} ${path}` }];
  };

  const control = async (method: string, path: string, body: string, res: ServerResponse) => {
    let input: Record<string, unknown> = {};
    try {
      const parsed: unknown = body ? JSON.parse(body) : {};
      if (parsed && typeof parsed === 'object') input = parsed as Record<string, unknown>;
    } catch {
      return send(res, 400, { message: 'JSON parse error' });
    }
    try {
      if (method === 'GET' && path === '/_sandbox/outbox') return send(res, 200, outbox);
      if (method === 'GET' && path === '/_sandbox/requests') return send(res, 200, log);
      if (method === 'GET' && path === '/_sandbox/received') return send(res, 200, received);
      if (method === 'POST' && path === '/_sandbox/reset') {
        sandbox.reset();
        return send(res, 200, { ok: true });
      }
      if (method === 'POST' && path === '/_sandbox/faults') {
        sandbox.injectFault(input as unknown as Fault);
        return send(res, 200, { ok: true });
      }
      if (method === 'POST' && path === '/_sandbox/release') {
        sandbox.releaseHeld();
        return send(res, 200, { ok: true });
      }
      if (method === 'POST' && path === '/_sandbox/responses') {
        const rid = addResponse({
          id: typeof input.id === 'string' ? input.id : undefined,
          source: typeof input.source === 'string' ? input.source : undefined,
          content: typeof input.content === 'string' ? input.content : undefined,
          delegated: input.delegated === true,
        });
        return send(res, 201, { id: rid });
      }
      const msg = /^\/_sandbox\/responses\/([^/]+)\/customer-message$/.exec(path);
      if (method === 'POST' && msg?.[1]) {
        const mid = customerWrites(msg[1], String(input.content ?? ''));
        return send(res, 201, { id: mid });
      }
      if (method === 'POST' && path === '/_sandbox/webhooks') {
        const type = input.eventType === 'message' || input.eventType === 'delegated' ? input.eventType : 'response';
        const out = await sendWebhook(type, String(input.responseId ?? ''), { actionUrlBase: typeof input.actionUrlBase === 'string' ? input.actionUrlBase : undefined });
        return send(res, 200, { hubStatus: out.status, hubBody: out.body });
      }
      return send(res, 404, { message: `No sandbox route ${method} ${path}` });
    } catch (err) {
      return send(res, 400, { message: err instanceof Error ? err.message : String(err) });
    }
  };

  await new Promise<void>((resolve) => server.listen(ctx.port, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sandbox: GoodaysSandbox = {
    url: `http://127.0.0.1:${port}/v2`,
    async stop() {
      releaseHeld();
      journal.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    outbox: () => [...outbox],
    requests: () => [...log],
    received: () => [...received],
    injectFault(fault) {
      faults.push({ fault, left: fault.count });
    },
    releaseHeld,
    addResponse,
    customerWrites,
    eventBody,
    sendWebhook,
    reset() {
      releaseHeld();
      outbox = [];
      log = [];
      faults = [];
      received = [];
      seed();
      journal.replaceAll([...responses.values()].map((r) => ({ kind: 'response', id: r.id, value: r })));
    },
  };
  return sandbox;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Registry entry: used by the local runtime when GOODAYS_BASE_URL is not set. */
export const goodaysSandbox: SandboxDecl = {
  vendor: 'goodays',
  baseUrlEnv: 'GOODAYS_BASE_URL',
  webhookUrl: (hubUrl, env) => `${hubUrl}/webhooks/goodays   (X-HMAC-SHA256 with GOODAYS_HMAC_SECRETS=${env.GOODAYS_HMAC_SECRETS ?? '<unset>'})`,
  start: (ctx) => startGoodaysSandbox(ctx),
};
