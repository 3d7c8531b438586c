import * as z from 'zod';
import type { ActionKind } from '#goodays/domain/events.ts';
import { ActionKind as ActionKindSchema, ResponseId } from '#goodays/domain/events.ts';
import { ConfigError, VendorError } from '#platform/errors.ts';
import type { FetchLike, RetryPolicy, VendorResponse } from '#platform/vendor-http.ts';
import { vendorRequest } from '#platform/vendor-http.ts';

/** Goodays' production API, used when GOODAYS_BASE_URL is not set (VENDOR-NOTES). */
export const DEFAULT_GOODAYS_BASE_URL = 'https://api.goodays.co/v2';

/** Settings of the Goodays client. */
export interface GoodaysClientOptions {
  /** e.g. `https://api.goodays.co/v2`; the only origin the token is ever sent to. */
  readonly baseUrl: string;
  /** Sent as `Authorization: <token>` (Goodays wants no `Bearer`). */
  readonly token: string;
  /** Injected by tests and benchmarks to count calls. @default fetch */
  readonly fetchImpl?: FetchLike;
  /** Per-attempt timeout. @default 10_000 */
  readonly timeoutMs?: number;
}

/** A Goodays user as the users API returns it (only what the hub needs). */
const GoodaysUser = z.looseObject({ id: z.union([z.string(), z.number()]).transform(String), email: z.string().nullish() });
const UsersPage = z.union([
  z.array(GoodaysUser),
  z.looseObject({ results: z.array(GoodaysUser) }),
  z.looseObject({ data: z.array(GoodaysUser) }),
  GoodaysUser,
]);

/** Port used by the action processor: the one write and the user lookup. */
export interface GoodaysApi {
  /** `PUT {base}/responses/{id}/{action}`. Throws {@link VendorError}. */
  sendAction(responseId: string, action: ActionKind, payload: Record<string, unknown>, policy: RetryPolicy): Promise<VendorResponse>;
  /**
   * The Goodays user id of the user with this e-mail, or undefined when there is none. No attempt
   * runs past `deadline` (epoch ms) when given.
   */
  findUserId(email: string, deadline?: number): Promise<string | undefined>;
  /** The events endpoint's sample payloads, optionally for one event type. */
  samples(eventType?: string): Promise<unknown[]>;
}

/**
 * Builds `{base}/{segments...}` with each segment percent-encoded, keeping the base's own path.
 * Action URLs in webhook payloads are never used: they disagree with the documented paths and some
 * point at broken hosts, and the token must only go to the configured base.
 */
export function goodaysUrl(baseUrl: string, segments: readonly string[], query: Record<string, string> = {}): URL {
  const base = new URL(baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new ConfigError(`GOODAYS_BASE_URL must be http(s): ${base.protocol}`);
  const path = base.pathname.replace(/\/+$/, '');
  const url = new URL(base.origin);
  url.pathname = `${path}/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url;
}

/** The Goodays HTTP client. Every call goes through {@link vendorRequest}. */
export function goodaysClient(options: GoodaysClientOptions): GoodaysApi {
  const headers = { authorization: options.token };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fetchImpl = options.fetchImpl ?? fetch;
  return {
    async sendAction(responseId, action, payload, policy) {
      // Validated again here: this is the last place before the URL and the token meet.
      const id = ResponseId.parse(responseId);
      const kind = ActionKindSchema.parse(action);
      const url = goodaysUrl(options.baseUrl, ['responses', id, kind]);
      return vendorRequest('goodays', { method: 'PUT', url, headers, json: payload, timeoutMs }, policy, fetchImpl);
    },
    async findUserId(email, deadline) {
      const url = goodaysUrl(options.baseUrl, ['users'], { email });
      let res: VendorResponse;
      try {
        res = await vendorRequest('goodays', { method: 'GET', url, headers, timeoutMs }, { maxAttempts: 3, deadline }, fetchImpl);
      } catch (err) {
        if (err instanceof VendorError && err.status === 404) return undefined;
        throw err;
      }
      const page = UsersPage.safeParse(res.body);
      if (!page.success) throw new VendorError(`goodays GET /users answered an unexpected shape`, 'goodays', res.status, false, false, [res.text.slice(0, 200)]);
      const data = page.data;
      const users = Array.isArray(data) ? data : 'results' in data && Array.isArray(data.results) ? data.results : 'data' in data && Array.isArray(data.data) ? data.data : [data];
      const wanted = email.toLowerCase();
      // The filter is the server's; matching again guards against a server that ignores it.
      const match = users.find((u) => typeof u.email === 'string' && u.email.toLowerCase() === wanted);
      return match?.id;
    },
    async samples(eventType) {
      const url = goodaysUrl(options.baseUrl, ['events'], eventType ? { event_type: eventType } : {});
      const res = await vendorRequest('goodays', { method: 'GET', url, headers, timeoutMs }, { maxAttempts: 3 }, fetchImpl);
      return samplesOf(res.body);
    },
  };
}

/**
 * The sample payloads in an events-endpoint answer. The document does not show its shape; a list, a
 * `results`/`data` list, or an object keyed by event type are all accepted.
 */
export function samplesOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    if (Array.isArray(o.results)) return o.results;
    if (Array.isArray(o.data)) return o.data;
    if (typeof o.event_type === 'string') return [o];
    return Object.values(o).flatMap((v) => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : []));
  }
  return [];
}
