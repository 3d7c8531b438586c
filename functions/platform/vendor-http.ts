import { setTimeout as sleep } from 'node:timers/promises';
import { TimeBudgetError, VendorError } from './errors.ts';

/** Retry policy for a vendor call. */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** First back-off in ms; doubles each attempt, with full jitter. @default 200 */
  readonly baseDelayMs?: number;
  /** Longest single wait, Retry-After included. @default 10_000 */
  readonly maxDelayMs?: number;
  /**
   * Whether an attempt whose outcome is unknown (timeout or connection lost after the request was
   * sent) may be retried. False for anything a customer sees, like a Goodays reply. @default true
   */
  readonly retryUnknownOutcome?: boolean;
  /**
   * Whether a 5xx may come after the vendor already acted (a write that is not idempotent, like a
   * Goodays reply). When true, only 429 and 503 with Retry-After (answered before acting) are
   * retried; any other 5xx is thrown at once as an unknown outcome. @default false
   */
  readonly serverErrorOutcomeUnknown?: boolean;
  /**
   * Absolute time (ms since epoch) by which every attempt must be over: an attempt (after its back-off)
   * starts only when its timeout would still end before the deadline.
   */
  readonly deadline?: number;
}

/** One HTTP request to a vendor. */
export interface VendorRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON when present. */
  readonly json?: unknown;
  /** Per-attempt timeout in ms. @default 10_000 */
  readonly timeoutMs?: number;
  /**
   * How errors and logs name the request: the path template (`/users/{botUserId}`) when the path holds
   * an id that may be personal data (a phone number). @default the URL's path
   */
  readonly route?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** What came back: status, parsed JSON (or the text when it is not JSON) and headers. */
export interface VendorResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
  readonly headers: Headers;
}

/** Injected so tests and the benchmark can count calls; defaults to the global fetch. */
export type FetchLike = (input: URL, init: RequestInit) => Promise<Response>;

/**
 * Reads the vendor's error messages from a response body in the shapes vendors use:
 * `{"errors": [...]}`, `{"errors": {...}}`, `{"message": ...}`, `{"error": ...}`; anything else is
 * shown as text, cut short.
 */
export function vendorMessages(body: unknown, text: string): string[] {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (Array.isArray(b.errors)) return b.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
    if (b.errors && typeof b.errors === 'object') return Object.entries(b.errors).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
    if (typeof b.message === 'string') return [b.message];
    if (typeof b.error === 'string') return [b.error];
  }
  return text ? [text.slice(0, 500)] : [];
}

/** Parses Retry-After (seconds or an HTTP date) into seconds, or undefined. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

/** Full-jitter exponential back-off (AWS Architecture Blog): random in [0, min(cap, base * 2^n)). */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * Sends one request with timeouts and retries: 429, 5xx and transport errors back off with full jitter
 * (Retry-After honoured, capped), 4xx fail at once. Throws {@link VendorError}, or
 * {@link TimeBudgetError} when the deadline left no room for a first attempt; returns only 2xx/3xx.
 */
export async function vendorRequest(
  vendor: string,
  req: VendorRequest,
  policy: RetryPolicy = {},
  fetchImpl: FetchLike = fetch,
): Promise<VendorResponse> {
  const maxAttempts = policy.maxAttempts ?? 4;
  const base = policy.baseDelayMs ?? 200;
  const cap = policy.maxDelayMs ?? 10_000;
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let lastError: VendorError | undefined;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const wait = attempt === 0 ? 0 : Math.min(cap, lastError?.retryAfterSeconds !== undefined ? lastError.retryAfterSeconds * 1000 : backoffDelay(attempt, base, cap));
    // An attempt that could still be running at the deadline is not started: the caller (a Lambda)
    // may be gone by then, and a write cut off mid-flight has an unknown outcome.
    if (policy.deadline !== undefined && Date.now() + wait + timeoutMs > policy.deadline) break;
    if (wait > 0) await sleep(wait);
    const outcome = await attemptOnce(vendor, req, fetchImpl);
    if (!(outcome instanceof VendorError)) return outcome;
    lastError = policy.serverErrorOutcomeUnknown ? asOutcomeUnknown(outcome) : outcome;
    if (!lastError.retryable) throw lastError;
    if (lastError.outcomeUnknown && policy.retryUnknownOutcome === false) throw lastError;
  }
  // No attempt at all is not a vendor outage: the caller ran out of time and should say so.
  throw lastError ?? new TimeBudgetError(`${vendor} ${req.method} ${req.route ?? req.url.pathname}: not started, ${timeoutMs} ms would run past the deadline`);
}

/**
 * For a write that must not be repeated: a 5xx may have come after the vendor acted, except a 503
 * with Retry-After (the vendor refusing before doing anything, like a 429).
 */
function asOutcomeUnknown(err: VendorError): VendorError {
  if (err.status === undefined || err.status < 500 || (err.status === 503 && err.retryAfterSeconds !== undefined)) return err;
  return new VendorError(`${err.message} (the vendor may have acted: outcome unknown)`, err.vendor, err.status, true, true, err.vendorMessages, err.retryAfterSeconds);
}

async function attemptOnce(vendor: string, req: VendorRequest, fetchImpl: FetchLike): Promise<VendorResponse | VendorError> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let body: string | undefined;
  if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.json);
  }
  let res: Response;
  let text: string;
  try {
    res = await fetchImpl(req.url, { method: req.method, headers, body, signal: AbortSignal.timeout(req.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    text = await res.text();
  } catch (err) {
    // A GET is safe to repeat; for a write, a timeout or a reset means the vendor may have acted.
    const cause = err instanceof Error ? err.message : String(err);
    const safe = req.method === 'GET';
    return new VendorError(`${vendor} ${req.method} ${req.route ?? req.url.pathname}: ${cause}`, vendor, undefined, true, !safe);
  }
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text.
  }
  if (res.status < 400) return { status: res.status, body: parsed, text, headers: res.headers };
  const messages = vendorMessages(parsed, text);
  const retryable = res.status === 429 || res.status >= 500;
  return new VendorError(
    `${vendor} ${req.method} ${req.route ?? req.url.pathname} answered ${res.status}${messages.length ? `: ${messages.join('; ')}` : ''}`,
    vendor,
    res.status,
    retryable,
    false,
    messages,
    retryAfterSeconds(res.headers.get('retry-after')),
  );
}
