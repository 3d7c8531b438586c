import * as z from './zod.ts';
import { ValidationError } from './errors.ts';
import { parseJson } from './json.ts';
import { KEY_LIMITS } from './validation.ts';

/**
 * An opaque page cursor for one list of the operator API: base64url JSON of `[list, position]`.
 * Decoding is strict: a cursor that is not base64url JSON, was given out by another list, or whose
 * position does not match the list's schema (or its `check` for this query) is a 400 naming `cursor`,
 * so no caller-made value ever reaches DynamoDB as a start key.
 */
export interface PageCursor<T> {
  encode(position: T): string;
  /** The position, or undefined for no cursor; `check` returns why a well-formed position does not fit this query. */
  decode(cursor: string | undefined, check?: (position: T) => string | undefined): T | undefined;
}

const Wire = z.tuple([z.string(), z.unknown()]);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Longest cursor taken: far above any position this hub gives out (a few keys), far below a URL's limit. */
export const MAX_CURSOR_CHARS = 4096;

/**
 * Why a decoded position could never be a DynamoDB key, whatever the list's schema says: a string
 * that is no well-formed Unicode or longer than the largest key value (2048 bytes).
 */
function keyMisfit(value: unknown, path = '(position)'): string | undefined {
  if (typeof value === 'string') {
    if (/\p{Cs}/u.test(value)) return `${path} holds a lone surrogate`;
    if (Buffer.byteLength(value, 'utf8') > KEY_LIMITS.partition) return `${path} is longer than a key can be`;
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const misfit = keyMisfit(k, path) ?? keyMisfit(v, `${path}.${k}`);
    if (misfit) return misfit;
  }
  return undefined;
}

/** A cursor codec for the list named `list`, whose positions `schema` (classic zod or zod/mini) describes. */
export function pageCursor<T>(list: string, schema: z.core.$ZodType<T>): PageCursor<T> {
  const refuse = (why: string): ValidationError => new ValidationError('cursor is not one this API gave out for this query', [{ name: 'cursor', detail: why }]);
  return {
    encode: (position) => Buffer.from(JSON.stringify([list, position]), 'utf8').toString('base64url'),
    decode(cursor, check) {
      if (cursor === undefined || cursor === '') return undefined;
      if (cursor.length > MAX_CURSOR_CHARS || !BASE64URL.test(cursor)) throw refuse('must be a value returned as the next cursor');
      const json = parseJson(Buffer.from(cursor, 'base64url').toString('utf8'));
      const wire = json.ok ? Wire.safeParse(json.value) : undefined;
      if (!wire?.success) throw refuse('malformed');
      if (wire.data[0] !== list) throw refuse('given out by another list');
      const unfit = keyMisfit(wire.data[1]);
      if (unfit) throw refuse(unfit);
      const position = z.safeParse(schema, wire.data[1]);
      if (!position.success) throw refuse(`not a position of this list (${position.error.issues.map((i) => `${i.path.join('.') || '(position)'} ${i.message}`).join('; ')})`);
      const misfit = check?.(position.data);
      if (misfit) throw refuse(misfit);
      return position.data;
    },
  };
}
