import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The one client of the hub's HTTP API that every `switchboard` command uses: where the hub is
 * (`--hub`, else `HUB_URL`, else the local hub on `HUB_PORT` or 3000), the operator token
 * (`HUB_OPERATOR_TOKEN`, else the local hub's `<HUB_DATA_DIR>/local-secrets.json`), and one typed
 * method per route. Errors are {@link HubError} (the hub answered an error: status and its problem
 * details) or {@link HubUnreachableError} (nothing answered: names the URL). `HUB_OPERATIONS` lists
 * every (method, path) the client calls; a test holds it against the hub's OpenAPI document.
 */

/** A failed command that is the caller's mistake or the hub's answer: printed without a stack, exit 1. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
}

/** A command line that cannot be run as written: exit 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
}

/** The hub answered with an error status. */
export class HubError extends CliError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** What the hub said: the problem's title/detail (or the older `error`), and each bad field. */
    readonly detail: string,
    readonly errors: readonly string[],
    readonly body: unknown,
  ) {
    super(`${method} ${path} answered ${status}: ${detail}${errors.length ? `\n${errors.map((e) => `  - ${e}`).join('\n')}` : ''}`);
  }
}

/** Nothing answered at the hub's URL (not running, wrong port, no network). */
export class HubUnreachableError extends CliError {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`No hub answers at ${url} (${causeText(cause)}); start one with npm start, or pass --hub URL / set HUB_URL`, { cause });
  }
}

/** The reason of a failed fetch, as a person reads it (`connect ECONNREFUSED 127.0.0.1:3000`). */
export function causeText(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  return cause?.message ?? cause?.code ?? (err instanceof Error ? err.message : String(err));
}

/** Where a command finds the hub: `--hub`, else `HUB_URL`, else 127.0.0.1 on `HUB_PORT` (3000). */
export function hubUrl(option: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const value = option || env.HUB_URL;
  if (value) {
    if (!/^https?:\/\/[^/]/.test(value)) throw new UsageError(`--hub / HUB_URL must be an http(s) URL, got "${value}"`);
    return value.replace(/\/+$/, '');
  }
  const port = env.HUB_PORT || '3000';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new UsageError(`HUB_PORT must be a port number, got "${port}"`);
  return `http://127.0.0.1:${port}`;
}

/** True when the caller pointed the command at a hub (`--hub` or `HUB_URL`). */
export function pointedAtHub(option: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return Boolean(option || env.HUB_URL);
}

/** The operator token: `HUB_OPERATOR_TOKEN`, else the local hub's data folder. */
export function operatorToken(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  if (env.HUB_OPERATOR_TOKEN) return env.HUB_OPERATOR_TOKEN;
  const file = join(env.HUB_DATA_DIR || '.data', 'local-secrets.json');
  if (!existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const token = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>).HUB_OPERATOR_TOKEN : undefined;
    return typeof token === 'string' && token ? token : undefined;
  } catch {
    return undefined;
  }
}

/** A list page, as every operator list answers. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Operations of the hub itself that the client calls (each vendor's CLI file lists its own). */
export const HUB_OPERATIONS = ['GET /health', 'GET /status', 'GET /queues', 'POST /queues/{queue}/redrive'] as const;
/** Routes of the local runtime only (`npm start`), not part of the deployed API. */
export const LOCAL_OPERATIONS = ['GET /_local/schedules', 'POST /_local/schedules/{name}'] as const;

type Query = Readonly<Record<string, string | number | undefined>>;
// Types only: the CLI bundle carries no schema code for them.
import type { QueueDepthView, StatusView } from '#platform/operator-views.ts';

export interface HubClientOptions {
  readonly url: string;
  /** @default HUB_OPERATOR_TOKEN or the local data folder's */
  readonly token?: string;
  readonly fetchImpl?: typeof fetch;
  /** Sent as X-Operator (who is acting, in audit records). */
  readonly operator?: string;
}

/** The hub's API, typed. */
export function hubClient(options: HubClientOptions) {
  const doFetch = options.fetchImpl ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const token = options.token ?? operatorToken();

  async function request<T>(method: string, path: string, init: { query?: Query; body?: unknown; raw?: { body: Uint8Array | string; headers: Record<string, string> }; auth?: boolean } = {}): Promise<T> {
    const q = new URLSearchParams(Object.entries(init.query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (init.auth !== false) {
      if (!token) throw new CliError('Set HUB_OPERATOR_TOKEN (npm start prints it; on AWS it is in the hub secret), or run from the folder of a local hub');
      headers.authorization = `Bearer ${token}`;
    }
    if (options.operator) headers['x-operator'] = options.operator;
    let body: string | Uint8Array | undefined;
    if (init.raw) {
      body = init.raw.body;
      Object.assign(headers, init.raw.headers);
    } else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await doFetch(`${base}${path}${q ? `?${q}` : ''}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch (err) {
      throw new HubUnreachableError(base, err);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: kept as text for the message.
    }
    if (!res.ok) {
      const p = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
      const detail = [p.title, p.detail, p.error].filter((x): x is string => typeof x === 'string' && x !== '').filter((x, i, a) => a.indexOf(x) === i).join(': ') || (typeof parsed === 'string' ? parsed.slice(0, 300) : res.statusText);
      const list = Array.isArray(p.errors) ? p.errors : Array.isArray(p.issues) ? p.issues : [];
      const errors = list.map((e: unknown) => (typeof e === 'string' ? e : e && typeof e === 'object' ? [(e as Record<string, unknown>).name ?? (e as Record<string, unknown>).pointer, (e as Record<string, unknown>).detail ?? (e as Record<string, unknown>).message].filter(Boolean).join(': ') : String(e)));
      throw new HubError(method, path, res.status, detail, errors, parsed);
    }
    return parsed as T;
  }

  /** Every page of a list route (or one page when `all` is false). */
  async function pages<T>(path: string, query: Query, all = true): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await request<Page<T> & { cursor?: string | null }>('GET', path, { query: { ...query, cursor } });
      items.push(...page.items);
      // `cursor` is the older name some lists gave their next page.
      cursor = all ? (page.nextCursor ?? page.cursor ?? undefined) : undefined;
    } while (cursor);
    return items;
  }

  const seg = encodeURIComponent;
  return {
    url: base,
    request,
    pages,
    health: () => request<{ status: string }>('GET', '/health', { auth: false }),
    status: () => request<StatusView>('GET', '/status'),
    /** Every declared queue with its depth and its DLQ's (one page), on AWS and locally alike. */
    queues: () => request<Page<QueueDepthView>>('GET', '/queues'),
    /** Every message of a queue's DLQ back to it: on AWS a move task (`started`), locally at once (`moved`). */
    redrive: (queue: string) => request<{ queue: string; state: 'started' | 'moved'; moved?: number; taskHandle?: string; dlqDepth: number; by: string }>('POST', `/queues/${seg(queue)}/redrive`),
    local: {
      schedules: () => request<{ schedules: Record<string, unknown>[] } | Record<string, unknown>[]>('GET', '/_local/schedules', { auth: false }),
      runSchedule: (name: string) => request<Record<string, unknown>>('POST', `/_local/schedules/${seg(name)}`, { auth: false }),
    },
  };
}
export type HubClient = ReturnType<typeof hubClient>;
