/**
 * The console's one way to the hub: the public operator API on the page's own origin, with the
 * operator token from sessionStorage in the Authorization header (never in a URL).
 */
import { pathOf, type HubRoute } from './routes.ts';

const TOKEN_KEY = 'switchboard.operatorToken';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

/** An answer other than 2xx, with the hub's explanation (RFC 9457 problem details: `detail`, and `errors` naming each bad parameter). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: readonly string[],
    readonly body: unknown,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function explain(status: number, body: unknown): ApiError {
  if (!isObject(body)) return new ApiError(status, `HTTP ${status}`, [], body);
  const title = typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : `HTTP ${status}`;
  const list = Array.isArray(body.errors) ? body.errors : [];
  const details = list.map((e: unknown) => (isObject(e) ? [e.name, e.detail].filter((x) => typeof x === 'string').join(': ') : String(e)));
  return new ApiError(status, title, details, body);
}

/** Listeners told when the hub refuses the token (the page shows the sign-in form again). */
const unauthorised = new Set<() => void>();
export const onUnauthorised = (fn: () => void): (() => void) => {
  unauthorised.add(fn);
  return () => unauthorised.delete(fn);
};

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Extra request headers (`X-Operator`, `X-Requested-By`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
  readonly query?: Readonly<Record<string, string | number | undefined | null>>;
  readonly token?: string;
}

/** Calls the hub; resolves with the parsed JSON body of a 2xx, rejects with an {@link ApiError}. */
export async function api<T = Json>(path: string, opts: RequestOptions = {}): Promise<T> {
  const token = opts.token ?? session.token();
  const headers: Record<string, string> = { ...opts.headers, accept: 'application/json, application/problem+json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  const q = Object.entries(opts.query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== null && e[1] !== '');
  const url = q.length ? `${path}?${new URLSearchParams(q.map(([k, v]) => [k, String(v)])).toString()}` : path;
  let res: Response;
  try {
    res = await fetch(url, { method: opts.method ?? 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'The hub could not be reached', [], null);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (res.status === 401 && !opts.token) for (const fn of unauthorised) fn();
  if (!res.ok) throw explain(res.status, body);
  return body as T;
}

/** Calls one of the hub's own routes (`routes.ts`) with its method. */
export function call<T>(route: HubRoute, params: Readonly<Record<string, string>> = {}, opts: Omit<RequestOptions, 'method'> = {}): Promise<T> {
  const method = route.slice(0, route.indexOf(' ')) as NonNullable<RequestOptions['method']>;
  return api<T>(pathOf(route, params), { ...opts, method });
}

/** A page of a list route: `{items, nextCursor}`. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export async function page<T>(path: string, query: RequestOptions['query'] = {}): Promise<Page<T>> {
  const body = await api<{ items?: T[]; nextCursor?: string | null }>(path, { query });
  return { items: body.items ?? [], nextCursor: body.nextCursor ?? null };
}

/** A new Idempotency-Key for one operator intent (kept by the form until it is answered). */
export const newKey = (): string => `console-${crypto.randomUUID()}`;
