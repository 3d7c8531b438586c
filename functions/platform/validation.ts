import type * as z from 'zod';
import { ValidationError } from './errors.ts';

/** Zod issues as `path: message` lines, the form every 400 shows them in. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
}

/**
 * Parses input from outside (a query, a body, a path) with its schema; a failure is a
 * {@link ValidationError} (400) naming each field, never a 500.
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, message = 'Invalid request'): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(message, issueLines(r.error));
  return r.data;
}
