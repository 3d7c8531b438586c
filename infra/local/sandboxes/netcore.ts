import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHANNELS, USER_CHANNEL_IDS, isChannelId, type ChannelId } from '#netcore/domain/channels.ts';
import { monthsBefore } from '#netcore/domain/api.ts';
import type { Sandbox, SandboxDecl } from './index.ts';
import { sandboxState } from './state.ts';
import { SAMPLE_PAYLOADS, UNKNOWN_SAMPLE_TYPE, sampleMessage } from './netcore-samples.ts';

/**
 * Local stand-in for the Netcore Bot Open API, on the default paths the hub assumes (`/login`,
 * `/botUsage`, `/users`, `/users/{botUserId}`, `/transcripts`). It issues tokens that expire quickly,
 * pages users and transcripts, serves every message shape the document lists (and one it does not),
 * and enforces the documented limits the way a server would: `limit` 25..1000 (400), transcripts
 * `startDate` within 3 months (400), `botUserId`/`channelId` required (400), `channelIds` required on
 * users (500, as the real server has been seen to answer) and limited to 1010/1014/1016/1017 (400),
 * `Authorization` must be the raw token (`Bearer <token>` is 401). Tests reach inside through hooks
 * to add users and messages between pages, expire tokens, and inject 429/500 answers.
 */

export interface SandboxUser {
  userId: string;
  channelId: ChannelId;
  userName: string;
  createdDate: string;
  firstInteracted: string;
  lastInteracted: string;
  customFields: Record<string, unknown>;
  tags: string[];
}

export interface NetcoreSandboxOptions {
  readonly port?: number;
  /** When set, login accepts only these; otherwise any non-empty pair. */
  readonly appId?: string;
  readonly appSecret?: string;
  /** Token lifetime. @default 120_000 */
  readonly tokenTtlMs?: number;
  /** Which key carries the expiry (the document says `expireAt`, servers have sent `expiresAt`). @default expireAt */
  readonly expiryKey?: 'expireAt' | 'expiresAt';
  /** Seed data: users per user channel and messages per user. `false` starts empty. @default {users: 3, messages: 30} */
  readonly seed?: { readonly usersPerChannel: number; readonly messagesPerUser: number } | false;
  /** The sandbox's clock. @default Date.now */
  readonly now?: () => number;
  /** Where users and transcripts are kept across restarts (the seed is made once); undefined: in memory only. */
  readonly stateFile?: string;
}

/** What a hook sees before the sandbox answers. */
export interface SandboxRequestInfo {
  readonly kind: 'login' | 'usage' | 'users' | 'user' | 'transcripts';
  readonly page: number;
  readonly body: unknown;
}

export interface NetcoreSandbox extends Sandbox {
  readonly users: Map<string, SandboxUser>;
  /** Requests by kind, counted as answered (errors included). */
  readonly counts: Record<SandboxRequestInfo['kind'], number>;
  addUser(u: Partial<SandboxUser> & Pick<SandboxUser, 'userId' | 'channelId'>): SandboxUser;
  /** Adds a transcript item for a user and channel (kept in createdAt order). */
  addMessage(userId: string, channelId: ChannelId, item: Record<string, unknown>): void;
  messages(userId: string, channelId: ChannelId): Record<string, unknown>[];
  /** Makes every token issued so far invalid (the next call with one gets 401). */
  expireTokens(): void;
  /**
   * The next `times` API calls (login excluded unless `includeLogin`) answer `status`, with `body`
   * when given (e.g. a 200 in a shape the hub cannot read), else an error message.
   */
  failNext(status: number, times?: number, opts?: { retryAfterSeconds?: number; includeLogin?: boolean; body?: unknown }): void;
  /** Called before each answer is computed: changes made here show in that answer. */
  beforeResponse: ((info: SandboxRequestInfo) => void | Promise<void>) | undefined;
  /**
   * Fixed answers of the user-details endpoint for some users (by userId), e.g. a 403 for a user the
   * app may not see, or a 200 whose body does not match any details shape.
   */
  readonly detailsAnswers: Map<string, { readonly status: number; readonly body: unknown }>;
}

const DAY = 86_400_000;

/** Starts the Netcore sandbox on 127.0.0.1. */
export async function startNetcoreSandbox(options: NetcoreSandboxOptions = {}): Promise<NetcoreSandbox> {
  const now = options.now ?? Date.now;
  const ttl = options.tokenTtlMs ?? 120_000;
  const tokens = new Map<string, number>();
  const users = new Map<string, SandboxUser>();
  const transcripts = new Map<string, Record<string, unknown>[]>();
  const counts = { login: 0, usage: 0, users: 0, user: 0, transcripts: 0 };
  const faults: { status: number; retryAfterSeconds?: number; includeLogin: boolean; body?: unknown }[] = [];
  const key = (userId: string, channelId: number) => `${userId}#${channelId}`;
  const state = sandboxState<{ users: SandboxUser[]; transcripts: [string, Record<string, unknown>[]][] }>(options.stateFile, () => ({
    users: [...users.values()],
    transcripts: [...transcripts.entries()],
  }));

  const sandbox: NetcoreSandbox = {
    url: '',
    users,
    counts,
    beforeResponse: undefined,
    detailsAnswers: new Map(),
    addUser(u) {
      const t = new Date(now() - DAY).toISOString();
      const user: SandboxUser = {
        userName: `User ${u.userId}`,
        createdDate: t,
        firstInteracted: t,
        lastInteracted: t,
        customFields: { city: 'Pune' },
        tags: ['sandbox'],
        ...u,
      };
      users.set(key(user.userId, user.channelId), user);
      state.saveSoon();
      return user;
    },
    addMessage(userId, channelId, item) {
      const list = transcripts.get(key(userId, channelId)) ?? [];
      list.push(item);
      list.sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
      transcripts.set(key(userId, channelId), list);
      const u = users.get(key(userId, channelId));
      if (u && typeof item.createdAt === 'string' && item.createdAt > u.lastInteracted) u.lastInteracted = item.createdAt;
      state.saveSoon();
    },
    messages(userId, channelId) {
      return [...(transcripts.get(key(userId, channelId)) ?? [])];
    },
    expireTokens() {
      tokens.clear();
    },
    failNext(status, times = 1, opts = {}) {
      for (let i = 0; i < times; i++) faults.push({ status, retryAfterSeconds: opts.retryAfterSeconds, includeLogin: opts.includeLogin ?? false, body: opts.body });
    },
    stop: async () => undefined,
  };

  const kept = state.load();
  if (kept) {
    for (const u of kept.users) users.set(key(u.userId, u.channelId), u);
    for (const [k, list] of kept.transcripts) transcripts.set(k, list);
  } else if (options.seed !== false) {
    seed(sandbox, options.seed ?? { usersPerChannel: 3, messagesPerUser: 30 }, now());
    state.saveNow();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { status: 'error', message: err instanceof Error ? err.message : 'Internal Server Error' }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readJson(req);
    if (body === INVALID) return send(res, 400, { status: 'error', message: 'Request body must be JSON' });
    const kind = route(req.method ?? 'GET', url.pathname);
    if (!kind) return send(res, 404, { status: 'error', message: `Cannot ${req.method} ${url.pathname}` });
    counts[kind]++;
    const fault = faults[0] && (kind !== 'login' || faults[0].includeLogin) ? faults.shift() : undefined;
    if (fault) {
      const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      const answer = fault.body ?? { status: 'error', message: fault.status === 429 ? 'Too many requests' : 'Internal Server Error' };
      return send(res, fault.status, answer, headers);
    }
    const page = intParam(url, 'page');
    await sandbox.beforeResponse?.({ kind, page: page ?? 1, body });

    if (kind === 'login') return login(res, body);
    const auth = req.headers.authorization ?? '';
    const expiry = tokens.get(auth);
    if (!auth || expiry === undefined || expiry <= now()) {
      return send(res, 401, { status: 'error', message: auth.startsWith('Bearer ') ? 'Invalid token' : 'Unauthorized: token missing or expired' });
    }
    if (kind === 'usage') return usage(res, url);
    if (kind === 'users') return listUsers(res, url, body);
    if (kind === 'user') return userDetails(res, decodeURIComponent(url.pathname.slice('/users/'.length)));
    return listTranscripts(res, url, body);
  }

  function login(res: ServerResponse, body: unknown): void {
    const b = obj(body);
    if (typeof b.appId !== 'string' || typeof b.appSecret !== 'string' || !b.appId || !b.appSecret) {
      return send(res, 400, { status: 'error', message: 'appId and appSecret are required' });
    }
    if ((options.appId && b.appId !== options.appId) || (options.appSecret && b.appSecret !== options.appSecret)) {
      return send(res, 400, { status: 'error', message: 'Invalid appId or appSecret' });
    }
    const token = randomBytes(24).toString('base64url');
    const expiresAt = now() + ttl;
    tokens.set(token, expiresAt);
    send(res, 200, { authToken: token, [options.expiryKey ?? 'expireAt']: new Date(expiresAt).toISOString() });
  }

  function usage(res: ServerResponse, url: URL): void {
    const monthDate = url.searchParams.get('monthDate');
    const month = monthDate ?? new Date(now()).toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(month) || Number.isNaN(Date.parse(month))) {
      return send(res, 400, { status: 'error', message: 'monthDate must be a date like 2021-08-01' });
    }
    const channelParam = url.searchParams.get('channelId');
    const channelId = channelParam === null ? undefined : Number(channelParam);
    if (channelId !== undefined && !isChannelId(channelId)) return send(res, 400, { status: 'error', message: 'channelId is not valid' });
    let totalMessages = 0;
    const active = new Set<string>();
    for (const [k, list] of transcripts) {
      const [userId, ch] = k.split('#');
      if (channelId !== undefined && Number(ch) !== channelId) continue;
      for (const m of list) {
        if (String(m.createdAt).slice(0, 7) !== month.slice(0, 7)) continue;
        totalMessages++;
        active.add(k + (userId ?? ''));
      }
    }
    send(res, 200, { totalMessages, totalUsers: active.size });
  }

  function checkPaging(res: ServerResponse, url: URL, defaultLimit: number): { page: number; limit: number } | undefined {
    const page = intParam(url, 'page') ?? 1;
    const limit = intParam(url, 'limit') ?? defaultLimit;
    if (!Number.isInteger(page) || page < 1) {
      send(res, 400, { status: 'error', message: '"page" must be greater than or equal to 1' });
      return undefined;
    }
    if (!Number.isInteger(limit) || limit < 25 || limit > 1000) {
      send(res, 400, { status: 'error', message: '"limit" must be between 25 and 1000' });
      return undefined;
    }
    return { page, limit };
  }

  function dates(res: ServerResponse, b: Record<string, unknown>): { start?: string; end?: string } | undefined {
    const out: { start?: string; end?: string } = {};
    for (const [field, target] of [['startDate', 'start'], ['endDate', 'end']] as const) {
      const v = b[field];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) || Number.isNaN(Date.parse(v))) {
        send(res, 400, { status: 'error', message: `"${field}" must be in ISO 8601 date format (UTC)` });
        return undefined;
      }
      out[target] = new Date(v).toISOString();
    }
    return out;
  }

  function listUsers(res: ServerResponse, url: URL, body: unknown): void {
    const paging = checkPaging(res, url, 25);
    if (!paging) return;
    const b = obj(body);
    // The real server answers 500 when channelIds is missing (see VENDOR-NOTES.md).
    if (b.channelIds === undefined) return send(res, 500, { status: 'error', message: "Cannot read properties of undefined (reading 'map')" });
    const ids = b.channelIds;
    if (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => !(USER_CHANNEL_IDS as readonly unknown[]).includes(i)) || new Set(ids).size !== ids.length) {
      return send(res, 400, { status: 'error', message: `"channelIds" must be unique items of [${USER_CHANNEL_IDS.join(', ')}]` });
    }
    const d = dates(res, b);
    if (!d) return;
    const matching = [...users.values()]
      .filter((u) => ids.includes(u.channelId) && (!d.start || u.lastInteracted >= d.start) && (!d.end || u.lastInteracted <= d.end))
      // Most recently active first, as a dashboard would list them.
      .sort((a, b2) => b2.lastInteracted.localeCompare(a.lastInteracted) || a.userId.localeCompare(b2.userId));
    const { page, limit } = paging;
    const pages = Math.ceil(matching.length / limit);
    const rows = matching.slice((page - 1) * limit, page * limit).map((u) => ({
      userId: u.userId,
      channelName: CHANNELS[u.channelId],
      userName: u.userName,
      createdDate: u.createdDate,
      'first interacted date': u.firstInteracted,
      'last interacted date': u.lastInteracted,
    }));
    send(res, 200, { users: rows, page, pages, total: matching.length, limit, hasNextPage: page < pages });
  }

  function userDetails(res: ServerResponse, userId: string): void {
    const fixed = sandbox.detailsAnswers.get(userId);
    if (fixed) return send(res, fixed.status, fixed.body);
    const rows = [...users.values()].filter((u) => u.userId === userId);
    const u = rows[0];
    if (!u) return send(res, 404, { status: 'error', message: 'Bot user not found' });
    send(res, 200, { botUserId: u.userId, userName: u.userName, customFields: u.customFields, tags: u.tags });
  }

  function listTranscripts(res: ServerResponse, url: URL, body: unknown): void {
    const paging = checkPaging(res, url, 50);
    if (!paging) return;
    const b = obj(body);
    if (typeof b.botUserId !== 'string' || !b.botUserId) return send(res, 400, { status: 'error', message: '"botUserId" is required' });
    if (b.channelId === undefined) return send(res, 400, { status: 'error', message: '"channelId" is required' });
    if (typeof b.channelId !== 'number' || !isChannelId(b.channelId)) {
      return send(res, 400, { status: 'error', message: `"channelId" must be one of [${Object.keys(CHANNELS).join(', ')}]` });
    }
    const d = dates(res, b);
    if (!d) return;
    const oldest = monthsBefore(new Date(now()), 3).toISOString();
    if (d.start && d.start < oldest) return send(res, 400, { status: 'error', message: 'startDate must not be older than 3 months from current date' });
    const start = d.start ?? oldest;
    const end = d.end ?? new Date(now()).toISOString();
    const matching = (transcripts.get(key(b.botUserId, b.channelId)) ?? []).filter((m) => {
      const c = typeof m.createdAt === 'string' ? new Date(m.createdAt).toISOString() : '';
      return c >= start && c <= end;
    });
    const { page, limit } = paging;
    const u = users.get(key(b.botUserId, b.channelId));
    send(res, 200, {
      botUser: { customFields: u?.customFields ?? {} },
      transcripts: matching.slice((page - 1) * limit, page * limit),
      paginationDetails: { page, pages: Math.ceil(matching.length / limit), total: matching.length, limit },
    });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(sandbox, {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        state.flush();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  });
}

function route(method: string, path: string): SandboxRequestInfo['kind'] | undefined {
  if (method === 'POST' && path === '/login') return 'login';
  if (method === 'GET' && path === '/botUsage') return 'usage';
  if (method === 'POST' && path === '/users') return 'users';
  if (method === 'GET' && /^\/users\/[^/]+$/.test(path)) return 'user';
  if (method === 'POST' && path === '/transcripts') return 'transcripts';
  return undefined;
}

/** Seeds users on every user channel, each with messages cycling through every shape (and an unknown one). */
function seed(s: NetcoreSandbox, opts: { usersPerChannel: number; messagesPerUser: number }, nowMs: number): void {
  const types = [...Object.keys(SAMPLE_PAYLOADS), UNKNOWN_SAMPLE_TYPE];
  let n = 0;
  for (const channelId of USER_CHANNEL_IDS) {
    for (let i = 0; i < opts.usersPerChannel; i++) {
      const userId = channelId === 1014 ? `+9198765${String(43210 + n).padStart(5, '0')}` : `${CHANNELS[channelId]}-user-${i + 1}`;
      const first = new Date(nowMs - 20 * DAY - n * 3_600_000).toISOString();
      s.addUser({ userId, channelId, createdDate: first, firstInteracted: first, lastInteracted: first, customFields: { plan: i % 2 ? 'gold' : 'basic' }, tags: [CHANNELS[channelId]] });
      for (let m = 0; m < opts.messagesPerUser; m++) {
        const type = types[(n + m) % types.length] ?? 'text';
        const at = new Date(nowMs - 10 * DAY + n * 60_000 + m * 1000).toISOString();
        s.addMessage(userId, channelId, sampleMessage(type, at, m % 2 ? 'Bot' : 'User', `#${m}`));
      }
      n++;
    }
  }
}

const INVALID = Symbol('invalid');

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function intParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  return v === null ? undefined : Number(v);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Registry entry: started by the local runtime when `NETCORE_BASE_URL` is unset. Settings from the
 * hub's environment: `NETCORE_APP_ID`/`NETCORE_APP_SECRET` (when set, the only pair accepted),
 * `NETCORE_SANDBOX_TOKEN_TTL_SECONDS` (default 120), `NETCORE_SANDBOX_USERS_PER_CHANNEL` (default 3),
 * `NETCORE_SANDBOX_MESSAGES_PER_USER` (default 30).
 */
export const netcoreSandbox: SandboxDecl = {
  vendor: 'netcore',
  baseUrlEnv: 'NETCORE_BASE_URL',
  async start({ port, env, stateFile }) {
    const num = (name: string, fallback: number) => {
      const v = Number(env[name]);
      return env[name] !== undefined && Number.isFinite(v) && v >= 0 ? v : fallback;
    };
    return startNetcoreSandbox({
      port,
      appId: env.NETCORE_APP_ID || undefined,
      appSecret: env.NETCORE_APP_SECRET || undefined,
      tokenTtlMs: num('NETCORE_SANDBOX_TOKEN_TTL_SECONDS', 120) * 1000,
      ...(stateFile ? { stateFile } : {}),
      seed: { usersPerChannel: num('NETCORE_SANDBOX_USERS_PER_CHANNEL', 3), messagesPerUser: num('NETCORE_SANDBOX_MESSAGES_PER_USER', 30) },
    });
  },
};
