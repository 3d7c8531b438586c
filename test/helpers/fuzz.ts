import fc from 'fast-check';
import { expect } from 'vitest';
import { documentProblem } from './openapi.ts';

/**
 * Arbitraries for fuzzing the operator routes through the local gateway: what a caller can put in a
 * path segment, a query value, a header or a body, with the edges that have reached DynamoDB before
 * (values past its key limits, NUL, other control characters, non-BMP text, malformed % escapes,
 * lone surrogates inside JSON).
 */

/** A run's size per route: enough to find the edges below, bounded so a suite stays quick. */
export const RUNS = 50;

const nasty = fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\u0085', '\u2028', '\uFEFF', '\uFFFD', '😀', '𝟘', '#', '%', '"', '\\', ' ', '..', '.', '+61400000000');
const longRun = (min: number, max: number) =>
  fc.tuple(fc.constantFrom('a', 'é', '😀', '%', '#', '0'), fc.integer({ min, max })).map(([c, n]) => c.repeat(Math.ceil(n / Buffer.byteLength(c))));

/** A decoded value (the gateway decodes path and query values before the function sees them). */
export const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.array(fc.oneof(nasty, fc.string({ maxLength: 3 })), { maxLength: 8 }).map((a) => a.join('')) },
  // Around DynamoDB's key limits (1024 and 2048 bytes) and far beyond (10 KB).
  { weight: 2, arbitrary: longRun(1000, 2100) },
  { weight: 1, arbitrary: longRun(9000, 10_500) },
);

/**
 * A path segment as sent: encoded text, or raw bytes the gateway cannot decode (`%E0%A4%A`, `%00`).
 * Never a dot segment (`.`, `..`, `%2e%2e`): URLs resolve those away before any route sees them.
 */
/** base64url of a JSON text, as the hub writes its page cursors. */
export const b64 = (json: string): string => Buffer.from(json, 'utf8').toString('base64url');

/**
 * A cursor for a route's `cursor` parameter: one the hub gave out (read from `given` when a value is
 * drawn, so a suite can fill it in `beforeAll`), one given out with text put in, base64url of a made-up
 * position of the route's own codec (`madeUp`: the JSON the codec would encode), base64url of any JSON,
 * or any text.
 */
export function cursorArbitrary(given: readonly string[], madeUp: readonly fc.Arbitrary<unknown>[]): fc.Arbitrary<string> {
  const givenCursor = fc.constant(null).chain(() => fc.constantFrom(...given));
  return fc.oneof(
    givenCursor,
    fc.tuple(givenCursor, fc.nat(), text).map(([c, at, s]) => {
      const json = Buffer.from(c, 'base64url').toString('utf8');
      const i = at % (json.length + 1);
      return b64(json.slice(0, i) + s + json.slice(i));
    }),
    ...madeUp.map((a) => a.map((v) => b64(JSON.stringify(v)))),
    fc.json().map(b64),
    text,
  );
}

export const pathSegment = fc
  .oneof(
    { weight: 4, arbitrary: text.filter((s) => s !== '' && !/\p{Cs}/u.test(s)).map((s) => encodeURIComponent(s)) },
    { weight: 1, arbitrary: fc.constantFrom('%E0%A4%A', '%00', '%ED%A0%80', '%FF', '%', '%2F', 'a%00b', '%C0%AF', '%2e%2e%2e') },
  )
  .filter((s) => !/^(\.|%2e){1,2}$/i.test(s));

/** A query string over `keys` (and one unknown key), values from {@link text}. */
export function queryString(keys: readonly string[]): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(fc.constantFrom(...keys, 'x'), text.filter((s) => !/\p{Cs}/u.test(s) && s.length < 3000)), { maxLength: 4 })
    .map((pairs) => new URLSearchParams(pairs).toString());
}

/** A header value a client can send (visible Latin-1, spaces), including long ones and none. */
export const headerText = fc.option(
  fc.oneof(
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 }),
    fc.string({ unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 }),
    fc.integer({ min: 256, max: 4000 }).map((n) => 'k'.repeat(n)),
  ),
  { nil: undefined },
);

/** JSON text whose strings may hold lone surrogates and NULs (as `\ud800`, `\u0000` escapes). */
const oddJson = fc
  .dictionary(fc.constantFrom('content', 'user', 'remark_type', 'rating', 'note', 'outcome', 'x'), fc.oneof(fc.constantFrom('\ud800', '\udfff x', 'a\u0000b', 'Praise', 'sent', 'not-sent'), text))
  .map((o) => JSON.stringify(o));

/** A request body: nothing, text, JSON of any shape, odd JSON, deep nesting or bytes. */
export const requestBody = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 100 }),
  fc.json({ maxDepth: 3 }),
  oddJson,
  fc.integer({ min: 1, max: 20_000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
);

/** A status and the request that got it, so a failing run names what it sent. */
export interface Answer {
  readonly request: string;
  readonly status: number;
}

/** Sends one request, reads the answer fully and checks it against the OpenAPI document. */
export async function send(url: string, method: string, path: string, init: { headers?: Record<string, string>; body?: string | Buffer | undefined } = {}): Promise<Answer> {
  const res = await fetch(`${url}${path}`, { method, headers: init.headers, ...(init.body !== undefined ? { body: init.body } : {}) });
  const text = await res.text();
  const problem = await documentProblem({ method, path, status: res.status, contentType: res.headers.get('content-type'), body: text === '' ? undefined : text });
  expect({ request: `${method} ${path.slice(0, 200)}`, documented: problem ?? true }).toEqual({ request: `${method} ${path.slice(0, 200)}`, documented: true });
  return { request: `${method} ${path.slice(0, 200)}`, status: res.status };
}

/**
 * Whether DynamoDB could not take `value` as (part of) a key: longer than `limitBytes` (the sort
 * key limit by default; 2048 for a partition key) or a lone surrogate. dynalite queries such keys without complaint where DynamoDB
 * answers ValidationException (a 500 to the caller), so the fuzz asserts these are refused up front.
 */
export function unkeyable(value: string, limitBytes = 1024): boolean {
  return Buffer.byteLength(value, 'utf8') > limitBytes || /\p{Cs}/u.test(value);
}

/** A path segment as the gateway decodes it (left as sent when it cannot be decoded). */
export function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The strings (keys and values) of JSON text; none when it is not JSON. */
export function jsonStrings(json: string): string[] {
  try {
    const out: string[] = [];
    JSON.parse(json, (k, v: unknown) => {
      out.push(k);
      if (typeof v === 'string') out.push(v);
      return v;
    });
    return out;
  } catch {
    return [];
  }
}

/**
 * Whether a cursor holds a string no DynamoDB key could be made of: a property name or a value over
 * `limitOf(field)` bytes (the sort key limit unless told; a value's field is the property holding it).
 * Not JSON in base64url: false.
 */
export function cursorUnkeyable(cursor: string | null | undefined, limitOf: (field: string) => number = () => 1024): boolean {
  if (!cursor || !/^[A-Za-z0-9_-]+$/.test(cursor)) return false;
  let found = false;
  try {
    JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'), (k, v: unknown) => {
      if (unkeyable(k) || (typeof v === 'string' && unkeyable(v, limitOf(k)))) found = true;
      return v;
    });
  } catch {
    return false;
  }
  return found;
}

/** The strings inside a cursor's JSON (none when it is not base64url JSON). */
export function cursorStrings(cursor: string | null | undefined): string[] {
  if (!cursor || !/^[A-Za-z0-9_-]+$/.test(cursor)) return [];
  return jsonStrings(Buffer.from(cursor, 'base64url').toString('utf8'));
}

/**
 * The property every operator route holds: never a 5xx, and a value that cannot be a key is refused
 * before DynamoDB (400; 414 or 431 when the request line itself is too long for the server).
 */
export function expectAnswer(a: Answer, refused = false): void {
  const verdict = refused ? [400, 414, 431].includes(a.status) : a.status < 500;
  expect({ request: a.request, status: a.status, ok: verdict }).toEqual({ request: a.request, status: a.status, ok: true });
}
