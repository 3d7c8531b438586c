import * as z from 'zod';
import { functionConfig, secretValue, setting } from '#platform/config.ts';
import { VendorError } from '#platform/errors.ts';
import { vendorRequest, type FetchLike, type RetryPolicy, type VendorRequest, type VendorResponse } from '#platform/vendor-http.ts';
import type { ChannelId, UserChannelId } from '#netcore/domain/channels.ts';
import {
  LoginResponse,
  TranscriptsPage,
  UsageResponse,
  UserDetailsResponse,
  UsersPage,
  loginExpiryMs,
  type UserDetails,
} from '#netcore/domain/api.ts';

const VENDOR = 'netcore';

/**
 * The login was refused (4xx) or answered in a shape the client cannot read. Whatever its status, it
 * concerns every request, not the one that needed the token (wrong or rotated app id/secret).
 */
export class NetcoreLoginError extends VendorError {
  constructor(cause: VendorError) {
    super(`netcore login failed: ${cause.message}`, cause.vendor, cause.status, cause.retryable, cause.outcomeUnknown, cause.vendorMessages, cause.retryAfterSeconds);
  }
}

/** Paths of the Netcore endpoints; the document gives none, so each is a configurable assumption. */
export interface NetcorePaths {
  /** POST, body `{appId, appSecret}`. @default /login */
  readonly login: string;
  /** GET `?monthDate=&channelId=`. @default /botUsage */
  readonly usage: string;
  /** POST `?page=&limit=`, body `{channelIds, startDate, endDate}`. @default /users */
  readonly users: string;
  /** GET, `{botUserId}` replaced. @default /users/{botUserId} */
  readonly user: string;
  /** POST `?page=&limit=`, body `{botUserId, channelId, startDate, endDate}`. @default /transcripts */
  readonly transcripts: string;
}

export const DEFAULT_NETCORE_BASE_URL = 'https://open-api.conversationalcommerce.netcorecloud.com';
export const DEFAULT_NETCORE_PATHS: NetcorePaths = {
  login: '/login',
  usage: '/botUsage',
  users: '/users',
  user: '/users/{botUserId}',
  transcripts: '/transcripts',
};

/** Per-call options. */
export interface CallOptions {
  /** Absolute time (ms) after which no new attempt starts (the Lambda's time budget). */
  readonly deadline?: number;
}

export interface UsersQuery {
  readonly page: number;
  readonly limit: number;
  readonly channelIds: readonly UserChannelId[];
  readonly startDate?: string;
  readonly endDate?: string;
}

export interface TranscriptsQuery {
  readonly page: number;
  readonly limit: number;
  readonly botUserId: string;
  readonly channelId: ChannelId;
  readonly startDate?: string;
  readonly endDate?: string;
}

/** Port: the Netcore Bot Open API. */
export interface NetcoreApi {
  usage(q: { readonly monthDate: string; readonly channelId?: ChannelId }, opts?: CallOptions): Promise<UsageResponse>;
  users(q: UsersQuery, opts?: CallOptions): Promise<UsersPage>;
  /** One user's details; undefined when the server does not know the user (404). */
  userDetails(botUserId: string, opts?: CallOptions): Promise<UserDetails | undefined>;
  transcripts(q: TranscriptsQuery, opts?: CallOptions): Promise<TranscriptsPage>;
}

/** Counts of what a client sent, for logs and the benchmark. */
export interface NetcoreCallStats {
  logins: number;
  requests: number;
  /** Requests answered 401 that were repeated once with a fresh token. */
  renewals: number;
}

export interface NetcoreClientOptions {
  /** Server base URL, with or without a trailing slash. */
  readonly baseUrl: string;
  /** Read at each login, so a rotated secret is picked up. */
  readonly credentials: () => Promise<{ appId: string; appSecret: string }>;
  readonly paths?: Partial<NetcorePaths>;
  /**
   * Renew a cached token this long before it expires, or {@link TOKEN_REFRESH_FRACTION} of its own
   * life when that is shorter (a short-lived token is used for most of its life, not renewed at
   * every call). @default 60_000
   */
  readonly refreshBeforeMs?: number;
  /** Lifetime assumed when a login answer has no usable expiry. @default 600_000 */
  readonly fallbackTokenTtlMs?: number;
  readonly retry?: RetryPolicy;
  /** Per-attempt timeout. @default 20_000 */
  readonly timeoutMs?: number;
  readonly fetchImpl?: FetchLike;
  readonly now?: () => number;
}

interface Token {
  readonly value: string;
  readonly expiresAtMs: number;
  /** When the login that gave it started (its life is measured from there, to be safe). */
  readonly issuedAtMs: number;
}

/** The most of a token's life kept back before renewing it: a token of 4 s is renewed after 3.6 s. */
export const TOKEN_REFRESH_FRACTION = 0.1;

/**
 * Netcore client. Logs in with the app id and secret, caches the token until shortly before its
 * expiry, sends it raw in `Authorization` (the server answers 401 to `Bearer <token>`), and on a 401
 * logs in again and repeats the request once (a token may be revoked or expire early). Concurrent
 * callers share one login. 429/5xx/timeouts back off through {@link vendorRequest}.
 */
export class NetcoreClient implements NetcoreApi {
  readonly stats: NetcoreCallStats = { logins: 0, requests: 0, renewals: 0 };
  private readonly paths: NetcorePaths;
  private readonly base: string;
  private token: Token | undefined;
  private pendingLogin: Promise<Token> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: NetcoreClientOptions) {
    this.paths = { ...DEFAULT_NETCORE_PATHS, ...options.paths };
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
  }

  async usage(q: { monthDate: string; channelId?: ChannelId }, opts: CallOptions = {}): Promise<UsageResponse> {
    const url = this.url(this.paths.usage, { monthDate: q.monthDate, channelId: q.channelId });
    const res = await this.authed({ method: 'GET', url }, opts);
    return parse(UsageResponse, res, 'usage');
  }

  async users(q: UsersQuery, opts: CallOptions = {}): Promise<UsersPage> {
    const url = this.url(this.paths.users, { page: q.page, limit: q.limit });
    const res = await this.authed(
      { method: 'POST', url, json: { channelIds: q.channelIds, startDate: q.startDate, endDate: q.endDate } },
      opts,
    );
    return parse(UsersPage, res, 'users');
  }

  async userDetails(botUserId: string, opts: CallOptions = {}): Promise<UserDetails | undefined> {
    const url = this.url(this.paths.user.replace('{botUserId}', encodeURIComponent(botUserId)), {});
    try {
      // The error names the template: a bot user id is often the customer's phone number.
      const res = await this.authed({ method: 'GET', url, route: this.paths.user }, opts);
      return parse(UserDetailsResponse, res, 'user details');
    } catch (err) {
      if (err instanceof VendorError && err.status === 404) return undefined;
      throw err;
    }
  }

  async transcripts(q: TranscriptsQuery, opts: CallOptions = {}): Promise<TranscriptsPage> {
    const url = this.url(this.paths.transcripts, { page: q.page, limit: q.limit });
    const res = await this.authed(
      { method: 'POST', url, json: { botUserId: q.botUserId, channelId: q.channelId, startDate: q.startDate, endDate: q.endDate } },
      opts,
    );
    return parse(TranscriptsPage, res, 'transcripts');
  }

  /** Per-attempt timeout of every request, for callers that plan their time budget. */
  get requestTimeoutMs(): number {
    return this.options.timeoutMs ?? 20_000;
  }

  /** Drops the cached token (the next call logs in). */
  forgetToken(): void {
    this.token = undefined;
  }

  private url(path: string, query: Record<string, string | number | undefined>): URL {
    const url = new URL(this.base + (path.startsWith('/') ? path : `/${path}`));
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  private async authed(req: Omit<VendorRequest, 'headers'>, opts: CallOptions): Promise<VendorResponse> {
    const token = await this.validToken(opts);
    try {
      return await this.send(req, token, opts);
    } catch (err) {
      if (!(err instanceof VendorError) || err.status !== 401) throw err;
      // Expired or revoked before the time we were told: log in again, repeat once.
      if (this.token === token) this.token = undefined;
      this.stats.renewals++;
      const fresh = await this.validToken(opts);
      return await this.send(req, fresh, opts);
    }
  }

  private send(req: Omit<VendorRequest, 'headers'>, token: Token, opts: CallOptions): Promise<VendorResponse> {
    this.stats.requests++;
    return vendorRequest(
      VENDOR,
      { ...req, headers: { authorization: token.value }, timeoutMs: this.requestTimeoutMs },
      { ...this.options.retry, deadline: opts.deadline ?? this.options.retry?.deadline },
      this.options.fetchImpl,
    );
  }

  private async validToken(opts: CallOptions): Promise<Token> {
    if (this.token) {
      const life = this.token.expiresAtMs - this.token.issuedAtMs;
      const refreshBefore = Math.min(this.options.refreshBeforeMs ?? 60_000, Math.max(0, life) * TOKEN_REFRESH_FRACTION);
      if (this.now() < this.token.expiresAtMs - refreshBefore) return this.token;
    }
    this.pendingLogin ??= this.login(opts).finally(() => {
      this.pendingLogin = undefined;
    });
    this.token = await this.pendingLogin;
    return this.token;
  }

  private async login(opts: CallOptions): Promise<Token> {
    const { appId, appSecret } = await this.options.credentials();
    const issuedAtMs = this.now();
    this.stats.logins++;
    this.stats.requests++;
    let body: LoginResponse;
    try {
      const res = await vendorRequest(
        VENDOR,
        { method: 'POST', url: this.url(this.paths.login, {}), json: { appId, appSecret }, timeoutMs: this.requestTimeoutMs },
        // Logging in changes nothing on the server, so an unknown outcome may be retried.
        { ...this.options.retry, deadline: opts.deadline ?? this.options.retry?.deadline },
        this.options.fetchImpl,
      );
      body = parse(LoginResponse, res, 'login');
    } catch (err) {
      // A refused login is not about the request that needed it: callers must not take it for one.
      if (err instanceof VendorError && !err.retryable) throw new NetcoreLoginError(err);
      throw err;
    }
    const expiry = loginExpiryMs(body) ?? this.now() + (this.options.fallbackTokenTtlMs ?? 600_000);
    return { value: body.authToken, expiresAtMs: expiry, issuedAtMs };
  }
}

function parse<T>(schema: z.ZodType<T>, res: VendorResponse, what: string): T {
  const parsed = schema.safeParse(res.body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  throw new VendorError(`netcore ${what} answered ${res.status} with an unexpected body: ${issues.join('; ')}`, VENDOR, res.status, false, false, issues);
}

const PathSchema = z.string().regex(/^\//, 'a path starting with /');
const UrlSchema = z.url();
const Millis = z.coerce.number().int().nonnegative();

const pathSetting = {
  login: setting.optional('NETCORE_LOGIN_PATH', PathSchema, DEFAULT_NETCORE_PATHS.login),
  usage: setting.optional('NETCORE_USAGE_PATH', PathSchema, DEFAULT_NETCORE_PATHS.usage),
  users: setting.optional('NETCORE_USERS_PATH', PathSchema, DEFAULT_NETCORE_PATHS.users),
  user: setting.optional('NETCORE_USER_PATH', PathSchema.regex(/\{botUserId\}/, 'a path containing {botUserId}'), DEFAULT_NETCORE_PATHS.user),
  transcripts: setting.optional('NETCORE_TRANSCRIPTS_PATH', PathSchema, DEFAULT_NETCORE_PATHS.transcripts),
};

/** Paths from `NETCORE_*_PATH`, each defaulting to {@link DEFAULT_NETCORE_PATHS}; read now, not kept. */
export function netcorePathsFromEnv(): NetcorePaths {
  return functionConfig(pathSetting)();
}

const clientSetting = {
  baseUrl: setting.optional('NETCORE_BASE_URL', UrlSchema, DEFAULT_NETCORE_BASE_URL),
  refreshBeforeMs: setting.optional('NETCORE_TOKEN_REFRESH_BEFORE_MS', Millis, 60_000),
  ...pathSetting,
};

/**
 * A client configured from the environment: `NETCORE_BASE_URL`, the `NETCORE_*_PATH` variables,
 * `NETCORE_TOKEN_REFRESH_BEFORE_MS`, and the app id and secret from secret `netcore`
 * (`NETCORE_APP_ID`, `NETCORE_APP_SECRET`).
 */
export function netcoreClientFromEnv(extra: Pick<NetcoreClientOptions, 'fetchImpl' | 'retry'> = {}): NetcoreClient {
  const { baseUrl, refreshBeforeMs, ...paths } = functionConfig(clientSetting)();
  return new NetcoreClient({
    baseUrl,
    paths,
    refreshBeforeMs,
    credentials: async () => ({
      appId: await secretValue('netcore', 'NETCORE_APP_ID'),
      appSecret: await secretValue('netcore', 'NETCORE_APP_SECRET'),
    }),
    ...extra,
  });
}
