import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import type { Sandbox, SandboxDecl } from './index.ts';
import { sandboxState } from './state.ts';
import { RESULT_NAMES } from '#rungopher/domain/result.ts';

/**
 * Local stand-in for Rungopher API v1.3 (`rungopher-campaign-api.txt`, `rungopher-results-api.txt`),
 * a real HTTP server on loopback. It answers the templates, campaign, contact upload, journey and the
 * 12 results endpoints with the document's validation and `{"errors": [...]}` bodies, checks the
 * `ApiKey` header, and delivers its results to the hub's webhook, resending until it gets exactly 200
 * (Rungopher resends every 5 minutes; here every few seconds, configurable).
 *
 * Where the document is silent the sandbox assumes (and the README says so): editing a completed
 * campaign is a 403; a journey's id is its campaign's id and its solution fields are named
 * `<campaign-short-name>.<field>`; an unknown contact attribute is ignored with a warning.
 *
 * Test hooks (no API key): `POST /_sandbox/results` (a result or a list, `?deliver=false` to skip the
 * webhook), `POST /_sandbox/faults` ({status, times, path?, retryAfter?, skip?}), `GET /_sandbox/calls`,
 * `GET /_sandbox/deliveries`, `POST /_sandbox/campaigns/{id}/state` ({state}).
 */

const MANDATORY = ['contactId', 'firstName', 'lastName', 'mobile'] as const;
const SOLUTION = ['email', 'weblink', 'addressToVerify', 'bouncedAddress', 'upgradeAmount'] as const;
const CUSTOM = ['custom1', 'custom2', 'custom3', 'custom4'] as const;
const KNOWN_ATTRIBUTES = new Set<string>([...MANDATORY, ...SOLUTION, ...CUSTOM]);
const JOURNEY_PLAIN = new Set<string>(['firstName', 'lastName', ...CUSTOM]);
const MAX_CONTACTS = 30_000;

interface SmsContentState {
  name: string;
  displayName: string;
  content: string;
}

interface TemplateState {
  category: string;
  name: string;
  displayName: string;
  description: string;
  diagramUrl?: string;
  costPerContact: number;
  /** Sandbox-only: what a campaign made from it starts with. */
  smsContent: SmsContentState[];
  requiredFields: string[];
  shortName: string;
}

interface CampaignState {
  id: number;
  title: string;
  campaignToken: string;
  state: string;
  transitionEmail: string;
  costPerContact: number;
  costPerExtraSms: number;
  costPerTransition: number;
  smsContent: SmsContentState[];
  requiredFields: string[];
  /** Sandbox-only: journey solution-field prefix. */
  shortName: string;
  /** Sandbox-only: contacts started, by mobile digits (no `+`). */
  contacts: Map<string, Record<string, string>[]>;
}

/** A request the sandbox received, for tests and the benchmark to count. */
export interface SandboxCall {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly status: number;
}

/** One webhook delivery attempt. */
export interface DeliveryAttempt {
  readonly resultId: string;
  readonly attempt: number;
  readonly status: number | 'error';
}

export interface Fault {
  readonly status: number;
  /** How many requests get it. */
  times: number;
  /** Only requests whose path (after /api/v1) starts with this. */
  readonly path?: string;
  readonly retryAfter?: number;
  /** Matching requests to let through before the fault starts (e.g. fail the second batch). */
  skip?: number;
}

export interface RungopherSandboxOptions {
  /** 0 for a random port. */
  readonly port?: number;
  /** When set, only this `ApiKey` is accepted; when not, any non-empty key is. */
  readonly apiKey?: string;
  /** Where results are POSTed; undefined (or returning undefined) disables delivery. */
  readonly webhookUrl?: () => string | undefined;
  /** Wait between delivery attempts of a result until it gets 200. @default 5000 */
  readonly resendMs?: number;
  /** Seed the document's templates and campaigns 15 and 16. @default true */
  readonly seed?: boolean;
  /**
   * Where campaigns, their contacts, results and the results still to deliver are kept across restarts
   * (undefined: in memory only). Results not yet answered 200 are resent after a restart.
   */
  readonly stateFile?: string;
}

/** A running sandbox with in-process test hooks. */
export interface RungopherSandbox extends Sandbox {
  /** Adds results (any JSON objects), visible to polling at once and delivered unless `deliver` is false. */
  addResults(results: readonly Record<string, unknown>[], options?: { deliver?: boolean }): void;
  /** The next `times` requests (optionally under `path`) get `status`. */
  injectFault(fault: Fault): void;
  readonly calls: SandboxCall[];
  readonly deliveries: DeliveryAttempt[];
  /** Contacts started in a campaign (by mobile digits). */
  contactsOf(campaignId: number): Record<string, string>[];
  setCampaignState(campaignId: number, state: string): void;
  /** Resolves once no delivery is pending (every result got its 200). */
  deliveriesSettled(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
  ) {
    super(messages.join('; '));
  }
}

const EmailSchema = z.email();
const AfterSchema = z.iso.datetime({ offset: true });

function seedTemplates(): TemplateState[] {
  return [
    {
      category: 'General',
      name: 'AcceptDecline',
      displayName: 'Accept or Decline',
      description: 'This campaign template asks the contact if they are interested in an event and categorizes the responses.',
      costPerContact: 0.34,
      smsContent: [
        { name: 'smsInterested', displayName: 'A. Interested in offer?', content: "Hi! It's <Sue> from <My Company> here. Just wondering if you'd like to participate in our Great Event?" },
        { name: 'smsAcceptReply', displayName: 'B. Accept reply', content: "Thanks! We'll be in touch shortly" },
      ],
      requiredFields: [...MANDATORY],
      shortName: 'acceptDecline',
    },
    {
      category: 'Charities',
      name: 'TellYourFriends',
      displayName: 'Tell Your Friends',
      description: 'This solution prepares a template sms message that the recipient can then forward on to friends.',
      costPerContact: 0.56,
      smsContent: [{ name: 'smsForward', displayName: 'A. Forward to friends', content: 'Hi {firstName}, please share this with your friends: {weblink}' }],
      requiredFields: [...MANDATORY, 'weblink'],
      shortName: 'promo',
    },
  ];
}

function campaignFromTemplate(id: number, t: TemplateState, title: string, transitionEmail: string): CampaignState {
  return {
    id,
    title,
    campaignToken: `${id}-${Math.random().toString(36).slice(2, 7)}-${Math.random().toString(36).slice(2, 9)}`,
    state: 'draft',
    transitionEmail,
    costPerContact: t.costPerContact,
    costPerExtraSms: 0.04,
    costPerTransition: 0.05,
    smsContent: t.smsContent.map((s) => ({ ...s })),
    requiredFields: [...t.requiredFields],
    shortName: t.shortName,
    contacts: new Map(),
  };
}

function publicCampaign(c: CampaignState): Record<string, unknown> {
  return {
    id: c.id,
    title: c.title,
    campaignToken: c.campaignToken,
    state: c.state,
    transitionEmail: c.transitionEmail,
    costPerContact: c.costPerContact,
    costPerExtraSms: c.costPerExtraSms,
    costPerTransition: c.costPerTransition,
    smsContent: c.smsContent.map((s) => ({ ...s })),
    requiredFields: [...c.requiredFields],
  };
}

async function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new ApiError(413, ['Request too large']);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw new ApiError(400, ['Request body is empty; JSON expected']);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, ['Request body is not valid JSON']);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Starts the sandbox. */
export async function startRungopherSandbox(options: RungopherSandboxOptions = {}): Promise<RungopherSandbox> {
  const templates = options.seed === false ? [] : seedTemplates();
  const campaigns = new Map<number, CampaignState>();
  if (options.seed !== false) {
    const [accept] = templates;
    if (accept) {
      const c15 = campaignFromTemplate(15, accept, 'T1001: My Great Event Opt In', 'my-new-transition-email@me.com');
      c15.campaignToken = '143-dfvsm-3r3ndkd';
      campaigns.set(15, c15);
      const c16 = campaignFromTemplate(16, { ...accept, costPerContact: 0.15 }, 'T1003: My Great Event', 'my-new-transition-email@me.com');
      c16.campaignToken = 'abc-123sm-3r3ndkd';
      c16.smsContent = [{ name: 'smsHello', displayName: 'A. Hello', content: "Hi! It's <Sue> from <My Company> here. I hope your ready for the great event!" }];
      campaigns.set(16, c16);
    }
  }
  let nextId = 100;
  const results: Record<string, unknown>[] = [];
  const faults: Fault[] = [];
  const calls: SandboxCall[] = [];
  const deliveries: DeliveryAttempt[] = [];
  /** Results not yet answered 200, with the timer of their next attempt when one is scheduled. */
  const pending = new Map<string, NodeJS.Timeout | undefined>();
  const inFlight = new Set<Promise<void>>();
  let settledWaiters: (() => void)[] = [];
  let stopping = false;
  const resendMs = options.resendMs ?? 5000;

  interface Stored {
    nextId: number;
    campaigns: (Omit<CampaignState, 'contacts'> & { contacts: [string, Record<string, string>[]][] })[];
    results: Record<string, unknown>[];
    pending: string[];
  }
  const state = sandboxState<Stored>(options.stateFile, () => ({
    nextId,
    campaigns: [...campaigns.values()].map((c) => ({ ...c, contacts: [...c.contacts.entries()] })),
    results,
    pending: [...pending.keys()],
  }));
  const kept = state.load();
  if (kept) {
    campaigns.clear();
    for (const c of kept.campaigns) campaigns.set(c.id, { ...c, contacts: new Map(c.contacts) });
    results.push(...kept.results);
    nextId = kept.nextId;
  }

  const checkSettled = (): void => {
    if (pending.size === 0 && inFlight.size === 0) {
      const w = settledWaiters;
      settledWaiters = [];
      for (const f of w) f();
    }
  };

  const deliver = (result: Record<string, unknown>, attempt: number): void => {
    const url = options.webhookUrl?.();
    const id = String(result.id);
    if (!url || stopping) {
      pending.delete(id);
      checkSettled();
      return;
    }
    const p = (async () => {
      let status: number | 'error';
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(result), signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 'error';
      }
      deliveries.push({ resultId: id, attempt, status });
      // Rungopher's rule: anything but exactly 200 (202 and 204 included) means "try again later"
      // (after a restart too, when a state file keeps what is still to deliver).
      if (status === 200) {
        pending.delete(id);
        if (!stopping) state.saveSoon();
      } else if (!stopping) pending.set(id, setTimeout(() => deliver(result, attempt + 1), resendMs));
    })();
    inFlight.add(p);
    void p.finally(() => {
      inFlight.delete(p);
      checkSettled();
    });
  };

  const addResults = (items: readonly Record<string, unknown>[], opts: { deliver?: boolean } = {}): void => {
    for (const r of items) {
      results.push(r);
      if (opts.deliver !== false && options.webhookUrl?.()) {
        pending.set(String(r.id), undefined);
        deliver(r, 1);
      }
    }
    state.saveSoon();
  };

  const campaignOr404 = (raw: string | undefined): CampaignState => {
    const id = Number(raw);
    const c = Number.isInteger(id) ? campaigns.get(id) : undefined;
    if (!c) throw new ApiError(404, ['No such campaign']);
    return c;
  };

  async function api(method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<[number, unknown]> {
    const parts = path.split('/').filter(Boolean);
    if (method === 'GET' && path === 'template') {
      return [200, templates.map((t) => ({ category: t.category, name: t.name, displayName: t.displayName, description: t.description, ...(t.diagramUrl ? { diagramUrl: t.diagramUrl } : {}), costPerContact: t.costPerContact }))];
    }
    if (parts[0] === 'campaign') {
      if (parts.length === 1 && method === 'GET') return [200, [...campaigns.values()].map(publicCampaign)];
      if (parts.length === 1 && method === 'POST') {
        const body = parseJson(await readBody(req));
        if (!isObject(body)) throw new ApiError(400, ['Request body must be a JSON object']);
        const errors: string[] = [];
        const template = typeof body.name === 'string' ? templates.find((t) => t.name === body.name) : undefined;
        if (typeof body.name !== 'string' || body.name === '') errors.push('name is required');
        else if (!template) errors.push(`No such template: ${body.name}`);
        if (typeof body.title !== 'string' || body.title.trim() === '') errors.push('title is required');
        if (typeof body.transitionEmail !== 'string' || !EmailSchema.safeParse(body.transitionEmail).success) errors.push('transitionEmail must be a valid email address');
        if (errors.length || !template) throw new ApiError(400, errors);
        const id = Math.max(16, ...campaigns.keys()) + 1;
        const c = campaignFromTemplate(id, template, String(body.title), String(body.transitionEmail));
        campaigns.set(id, c);
        return [200, publicCampaign(c)];
      }
      if (parts.length === 2 && method === 'GET') return [200, publicCampaign(campaignOr404(parts[1]))];
      if (parts.length === 2 && method === 'POST') return [200, publicCampaign(editCampaign(campaignOr404(parts[1]), parseJson(await readBody(req))))];
      if (parts.length === 3 && parts[2] === 'contact' && method === 'POST') {
        const c = campaignOr404(parts[1]);
        return [200, uploadContacts(c, parseJson(await readBody(req)))];
      }
    }
    if (parts[0] === 'journey' && parts.length === 4 && parts[2] === 'contact' && method === 'PUT') {
      const c = campaignOr404(parts[1]);
      const mobile = decodeURIComponent(parts[3] ?? '');
      if (!/^\d{7,15}$/.test(mobile)) throw new ApiError(400, [`Invalid mobile "${mobile}": country code and number, digits only, without the +`]);
      const existing = c.contacts.get(mobile);
      if (!existing?.length) throw new ApiError(404, ['No such contact in this journey']);
      const body = parseJson(await readBody(req));
      if (!isObject(body) || !isObject(body.fields)) throw new ApiError(400, ['fields must be a JSON object']);
      const entries = Object.entries(body.fields);
      if (entries.length === 0) throw new ApiError(400, ['fields must contain at least one field']);
      const errors: string[] = [];
      for (const [k, v] of entries) {
        const dot = k.indexOf('.');
        const allowed = JOURNEY_PLAIN.has(k) || (dot > 0 && k.slice(0, dot) === c.shortName && (SOLUTION as readonly string[]).includes(k.slice(dot + 1)));
        if (!allowed) errors.push(`Field ${k} cannot be updated`);
        if (typeof v !== 'string') errors.push(`Field ${k} must be a string`);
      }
      if (errors.length) throw new ApiError(400, errors);
      for (const contact of existing) for (const [k, v] of entries) contact[k] = String(v);
      return [200, {}];
    }
    if (parts[0] === 'results' && parts.length === 2 && method === 'GET') {
      const name = parts[1] ?? '';
      if (!(RESULT_NAMES as readonly string[]).includes(name)) throw new ApiError(404, [`No such result endpoint: ${name}`]);
      const after = query.get('after');
      let afterMs = Number.NEGATIVE_INFINITY;
      if (after !== null) {
        // URLSearchParams turns an unencoded "+" into a space, as the real server does: the offset's
        // "+" must be sent as %2B.
        if (!AfterSchema.safeParse(after).success) throw new ApiError(400, [`Invalid after "${after}": ISO-8601 with an offset expected (encode + as %2B)`]);
        afterMs = Date.parse(after);
      }
      return [200, results.filter((r) => r.resultName === name && typeof r.timestamp === 'string' && Date.parse(r.timestamp) > afterMs)];
    }
    throw new ApiError(404, [`No such endpoint: ${method} api/v1/${path}`]);
  }

  function editCampaign(c: CampaignState, body: unknown): CampaignState {
    if (!isObject(body)) throw new ApiError(400, ['Request body must be a JSON object']);
    if (c.state === 'completed') throw new ApiError(403, ['Action denied: the campaign is completed']);
    const errors: string[] = [];
    const unknown = Object.keys(body).filter((k) => k !== 'transitionEmail' && k !== 'smsContent');
    if (unknown.length) errors.push(`Not editable: ${unknown.join(', ')}`);
    if (body.transitionEmail === undefined && body.smsContent === undefined) errors.push('Nothing to edit: give transitionEmail, smsContent or both');
    if (body.transitionEmail !== undefined && (typeof body.transitionEmail !== 'string' || !EmailSchema.safeParse(body.transitionEmail).success)) {
      errors.push('transitionEmail must be a valid email address');
    }
    const edits: { name: string; content: string }[] = [];
    if (body.smsContent !== undefined) {
      if (!Array.isArray(body.smsContent) || body.smsContent.length === 0) errors.push('smsContent must contain at least one object');
      else {
        const seen = new Set<string>();
        for (const item of body.smsContent as unknown[]) {
          if (!isObject(item) || typeof item.name !== 'string' || typeof item.content !== 'string') {
            errors.push('Each smsContent item needs a name and a content');
            continue;
          }
          if (seen.has(item.name)) errors.push(`Each name must appear only once in smsContent: ${item.name}`);
          seen.add(item.name);
          if (!c.smsContent.some((s) => s.name === item.name)) errors.push(`No such sms content: ${item.name}`);
          const len = Array.from(item.content).length;
          if (len < 1 || len > 1000) errors.push(`SMS content must be between 1 and 1000 characters long: ${item.name} has ${len}`);
          edits.push({ name: item.name, content: item.content });
        }
      }
    }
    if (errors.length) throw new ApiError(400, errors);
    if (typeof body.transitionEmail === 'string') c.transitionEmail = body.transitionEmail;
    for (const e of edits) {
      const s = c.smsContent.find((x) => x.name === e.name);
      if (s) s.content = e.content;
    }
    return c;
  }

  function uploadContacts(c: CampaignState, body: unknown): { started: number; warnings: string[] } {
    if (!isObject(body)) throw new ApiError(400, ['Request body must be a JSON object']);
    const errors: string[] = [];
    if (body.mode !== 'live' && body.mode !== 'test') errors.push('mode must be live or test');
    if (!Array.isArray(body.contacts)) errors.push('contacts must be a list');
    else if (body.contacts.length < 1 || body.contacts.length > MAX_CONTACTS) errors.push(`contacts must contain between 1 and ${MAX_CONTACTS} contacts (got ${body.contacts.length})`);
    if (errors.length) throw new ApiError(400, errors);
    if (c.state === 'completed') throw new ApiError(403, ['Action denied: the campaign is completed']);
    const live = body.mode === 'live';
    const warnings: string[] = [];
    let started = 0;
    for (const [i, raw] of (body.contacts as unknown[]).entries()) {
      const label = `Contact ${i + 1}`;
      if (!isObject(raw)) {
        warnings.push(`${label} is not an object, skipped`);
        continue;
      }
      const contact: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (!KNOWN_ATTRIBUTES.has(k)) warnings.push(`${label}: unknown attribute ${k} ignored`);
        else if (typeof v === 'string') contact[k] = v;
        else warnings.push(`${label}: ${k} must be a string, ignored`);
      }
      const missing = c.requiredFields.filter((f) => !contact[f]?.trim());
      if (missing.length) {
        warnings.push(`${label}${contact.contactId ? ` (contactId ${contact.contactId})` : ''} is missing ${missing.join(', ')}, skipped`);
        continue;
      }
      const mobile = contact.mobile ?? '';
      const digits = mobile.replace(/^\+/, '');
      if (!/^\d{7,15}$/.test(digits)) {
        warnings.push(`Mobile number ${mobile} is not valid, skipped`);
        continue;
      }
      if (live && c.contacts.has(digits)) {
        warnings.push(`Mobile number ${mobile} already exists in this campaign, skipped`);
        continue;
      }
      c.contacts.set(digits, [...(c.contacts.get(digits) ?? []), contact]);
      started++;
    }
    if (started > 0 && live && c.state === 'draft') c.state = 'running';
    return { started, warnings };
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  async function control(method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<[number, unknown]> {
    if (method === 'POST' && path === 'results') {
      const body = parseJson(await readBody(req));
      const items = Array.isArray(body) ? body : [body];
      if (!items.every(isObject)) throw new ApiError(400, ['results must be JSON objects']);
      const withIds = (items as Record<string, unknown>[]).map((r) => ({ ...r, id: r.id ?? nextId++ }));
      addResults(withIds, { deliver: query.get('deliver') !== 'false' });
      return [200, { added: withIds.length }];
    }
    if (method === 'POST' && path === 'faults') {
      const body = parseJson(await readBody(req));
      const f = z.object({ status: z.number().int().min(400).max(599), times: z.number().int().min(1).default(1), path: z.string().optional(), retryAfter: z.number().optional(), skip: z.number().int().min(0).optional() }).safeParse(body);
      if (!f.success) throw new ApiError(400, ['fault needs {status, times?, path?, retryAfter?}']);
      faults.push({ ...f.data });
      return [200, { faults: faults.length }];
    }
    if (method === 'GET' && path === 'calls') return [200, calls];
    if (method === 'GET' && path === 'deliveries') return [200, deliveries];
    const m = /^campaigns\/(\d+)\/state$/.exec(path);
    if (method === 'POST' && m) {
      const body = parseJson(await readBody(req));
      const c = campaignOr404(m[1]);
      if (!isObject(body) || typeof body.state !== 'string') throw new ApiError(400, ['state is required']);
      c.state = body.state;
      state.saveNow();
      return [200, publicCampaign(c)];
    }
    throw new ApiError(404, [`No such sandbox hook: ${method} /_sandbox/${path}`]);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    void (async () => {
      if (url.pathname.startsWith('/_sandbox/')) {
        try {
          const [status, body] = await control(method, url.pathname.slice('/_sandbox/'.length), url.searchParams, req);
          send(res, status, body);
        } catch (err) {
          send(res, err instanceof ApiError ? err.status : 500, { errors: err instanceof ApiError ? err.messages : [String(err)] });
        }
        return;
      }
      const path = url.pathname.replace(/^\/api\/v1\/?/, '');
      const record = (status: number): void => {
        calls.push({ method, path, query: url.search, status });
      };
      if (!url.pathname.startsWith('/api/v1/')) {
        record(404);
        send(res, 404, { errors: ['Not found'] });
        return;
      }
      const key = req.headers.apikey;
      if (typeof key !== 'string' || key === '' || (options.apiKey !== undefined && options.apiKey !== '' && key !== options.apiKey)) {
        record(401);
        send(res, 401, { errors: ['Not logged in: send a valid ApiKey header'] });
        return;
      }
      let fault = faults.find((f) => f.times > 0 && (f.path === undefined || path.startsWith(f.path)));
      if (fault?.skip) {
        fault.skip--;
        fault = undefined;
      }
      if (fault) {
        fault.times--;
        req.resume();
        record(fault.status);
        send(res, fault.status, { errors: [fault.status === 429 ? 'Too many requests' : 'Internal server error'] }, fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
        return;
      }
      try {
        const [status, body] = await api(method, path, url.searchParams, req);
        // What a client was told is done is on disk before it is told.
        if (method !== 'GET') state.saveNow();
        record(status);
        send(res, status, body);
      } catch (err) {
        const status = err instanceof ApiError ? err.status : 500;
        record(status);
        send(res, status, { errors: err instanceof ApiError ? err.messages : ['Internal server error'] });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const sandboxState_ = state;
  // Results a previous run had not delivered: resent after the usual wait (the hub listens by then).
  for (const rid of kept?.pending ?? []) {
    const r = results.find((x) => String(x.id) === rid);
    if (r && options.webhookUrl) pending.set(rid, setTimeout(() => deliver(r, 1), resendMs));
  }

  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    calls,
    deliveries,
    addResults,
    injectFault: (f) => faults.push({ ...f }),
    contactsOf: (id) => [...(campaigns.get(id)?.contacts.values() ?? [])].flat(),
    setCampaignState: (id, state) => {
      const c = campaigns.get(id);
      if (c) c.state = state;
      sandboxState_.saveNow();
    },
    deliveriesSettled: () =>
      new Promise<void>((resolve) => {
        settledWaiters.push(resolve);
        checkSettled();
      }),
    async stop() {
      stopping = true;
      for (const t of pending.values()) if (t) clearTimeout(t);
      await Promise.allSettled([...inFlight]);
      state.saveNow();
      pending.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Registry entry: started by the local runtime when `RUNGOPHER_BASE_URL` is unset. Webhooks go to
 * `<hub>/webhooks/rungopher/<RUNGOPHER_WEBHOOK_TOKEN>`; `RUNGOPHER_SANDBOX_RESEND_SECONDS` (default 5)
 * sets the resend interval; `RUNGOPHER_SANDBOX_WEBHOOKS=off` stops delivery.
 */
export const rungopherSandbox: SandboxDecl = {
  vendor: 'rungopher',
  baseUrlEnv: 'RUNGOPHER_BASE_URL',
  webhookUrl: (hubUrl, env) => `${hubUrl}/webhooks/rungopher/${env.RUNGOPHER_WEBHOOK_TOKEN ?? '<RUNGOPHER_WEBHOOK_TOKEN>'}`,
  start: (ctx) => {
    // With RUNGOPHER_API_KEY set, only that key is accepted. Without it the sandbox accepts any
    // non-empty key (so the CLI can be pointed at it with any key), and gives the hub's functions one by
    // adding it to the hub environment, which the functions receive after sandboxes start.
    const configuredKey = ctx.env.RUNGOPHER_API_KEY;
    if (!configuredKey) (ctx.env as Record<string, string>).RUNGOPHER_API_KEY = `sandbox-${randomBytes(12).toString('base64url')}`;
    const resend = Number(ctx.env.RUNGOPHER_SANDBOX_RESEND_SECONDS ?? '5');
    const token = ctx.env.RUNGOPHER_WEBHOOK_TOKEN;
    return startRungopherSandbox({
      port: ctx.port,
      ...(configuredKey ? { apiKey: configuredKey } : {}),
      resendMs: Number.isFinite(resend) && resend > 0 ? resend * 1000 : 5000,
      ...(ctx.stateFile ? { stateFile: ctx.stateFile } : {}),
      webhookUrl: () => (token && ctx.env.RUNGOPHER_SANDBOX_WEBHOOKS !== 'off' ? `${ctx.hubUrl()}/webhooks/rungopher/${token}` : undefined),
    });
  },
};
