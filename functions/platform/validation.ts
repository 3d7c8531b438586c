import type { Issue } from './errors.ts';
import { ValidationError } from './errors.ts';
import * as z from './zod.ts';

/** Zod issues as `path: message` lines, for logs and stored reasons. */
export function issueLines(error: z.core.$ZodError): string[] {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
}

/**
 * Zod issues as the problem document's `errors`: each named by its path under `prefix` (`body` for a
 * JSON body; none for a query, whose paths are the parameter names).
 */
export function issuesOf(error: z.core.$ZodError, prefix?: string): Issue[] {
  return error.issues.map((i) => ({ name: [prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== '').join('.') || (prefix ?? 'request'), detail: i.message }));
}

/**
 * Parses input from outside (a query, a body, a path) with its schema; a failure is a
 * {@link ValidationError} (400) naming each field, never a 500. `prefix` names where the fields are
 * (`body`); a query's fields are named as they are. `schema` may be classic zod or zod/mini.
 */
export function parseInput<T>(schema: z.core.$ZodType<T>, value: unknown, message = 'Invalid request', prefix?: string): T {
  const r = z.safeParse(schema, value);
  if (!r.success) throw new ValidationError(message, issuesOf(r.error, prefix));
  return r.data;
}

/** DynamoDB's limits on one key attribute's value, in UTF-8 bytes (partition key, sort key). */
export const KEY_LIMITS = { partition: 2048, sort: 1024 } as const;

/**
 * Longest id the operator API takes from a path or a query, in UTF-8 bytes: well inside either key
 * limit, also when two ids are joined into one key (a campaign and a contact, a user and a channel).
 */
export const MAX_ID_BYTES = 256;

// C0 and C1 control characters and DEL: no vendor id holds one, and a log line should not either.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// With the u flag a surrogate pair is one code point, so this matches only a surrogate standing alone.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why `value` cannot be used as (part of) a DynamoDB key, or undefined when it can: empty, not
 * well-formed Unicode (a lone surrogate, which UTF-8 cannot carry), a control character (unless
 * `controls`), or more than `maxBytes` of UTF-8.
 */
export function keyProblem(value: string, maxBytes: number = MAX_ID_BYTES, { controls = false } = {}): string | undefined {
  if (value === '') return 'must not be empty';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it holds a lone surrogate)';
  if (!controls && CONTROL.test(value)) return 'must not contain control characters';
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxBytes) return `must be at most ${maxBytes} bytes of UTF-8 (this one is ${bytes})`;
  return undefined;
}

/** A zod string that {@link keyProblem} accepts: for ids in a query. */
export function keyString(maxBytes: number = MAX_ID_BYTES) {
  return z.string().check(
    z.superRefine((value, ctx) => {
      const problem = keyProblem(value, maxBytes);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  );
}

/**
 * A zod string DynamoDB takes as a key value of at most `maxBytes`, control characters allowed: for
 * the keys inside a page cursor, which are stored values (a vendor's id) given back, not typed ids.
 */
export function keyValue(maxBytes: number) {
  return z.string().check(
    z.superRefine((value, ctx) => {
      const problem = keyProblem(value, maxBytes, { controls: true });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  );
}

/**
 * A path parameter (as API Gateway decoded it) checked before it reaches DynamoDB: a missing, empty,
 * oversized or malformed value is a {@link ValidationError} (400) naming the parameter, so no caller
 * can make a key DynamoDB refuses (a 500). `shape`, when given, is the id's own format (a vendor's
 * pattern), checked after. A well-formed id that names nothing stays the use case's 404.
 */
export function pathId<T extends string = string>(value: string | undefined, name: string, shape?: z.core.$ZodType<T>): T {
  const problem = value === undefined ? 'required' : keyProblem(value);
  if (value === undefined || problem) throw new ValidationError(`Invalid ${name}`, [{ name, detail: problem ?? 'required' }]);
  if (!shape) return value as T;
  const r = z.safeParse(shape, value);
  if (!r.success) throw new ValidationError(`Invalid ${name}`, r.error.issues.map((i) => ({ name, detail: i.message })));
  return r.data;
}

/**
 * Refuses (400) a parsed JSON body holding a lone surrogate in any string or key: JSON's `\ud800`
 * escape parses to one, UTF-8 cannot carry it, so it could be neither stored nor sent to a vendor.
 */
export function requireWellFormed(value: unknown, name = 'body'): void {
  const where = surrogateAt(value, name);
  if (where) throw new ValidationError(`Invalid ${name}`, [{ name: where, detail: 'must be well-formed Unicode (it holds a lone surrogate)' }]);
}

// A loop, not recursion: a body nested 10,000 deep must be a 400, not a stack overflow (500).
function surrogateAt(value: unknown, name: string): string | undefined {
  const stack: [unknown, string][] = [[value, name]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [v, path] = next;
    if (typeof v === 'string' && LONE_SURROGATE.test(v)) return path;
    if (v === null || typeof v !== 'object') continue;
    for (const [k, child] of Object.entries(v)) {
      if (LONE_SURROGATE.test(k)) return path;
      stack.push([child, `${path}.${k}`]);
    }
  }
  return undefined;
}
