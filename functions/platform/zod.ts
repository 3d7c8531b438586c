import { en } from 'zod/locales';
import { config, safeParse } from 'zod/mini';
import type { core } from 'zod/mini';

/**
 * zod/mini, as runtime code imports it (`import * as z from '#platform/zod.ts'`): zod's own core, with
 * functions where classic zod has methods (`z.optional(s)`, `z.string().check(z.minLength(1))`), so a
 * schema costs a fraction to build and the library a fraction to load. The webhook functions use only
 * this, for their cold start; classic schemas elsewhere can hold these and the other way round.
 *
 * zod/mini sets no locale (classic zod sets English with its first schema, so a bundle with no classic
 * zod would say only "Invalid input"): set here, so every issue reads the same whichever zod a bundle holds.
 */
config(en());

export * from 'zod/mini';

/**
 * `schema.parse(value)`, its failure named as classic zod names it: zod/mini throws the same error
 * (same issues, same message) as `$ZodError`, classic zod as `ZodError`. For reads whose failures are
 * logged (a stored item that no longer fits its schema), so a log line reads the same whichever zod
 * the schema is built with.
 */
export function parseLogged<S extends core.$ZodType>(schema: S, value: unknown): core.output<S> {
  const result = safeParse(schema, value);
  if (result.success) return result.data;
  result.error.name = 'ZodError';
  // safeParse builds its error without a stack: capture one here, as `parse` does, so the log line
  // keeps its location and frames.
  Error.captureStackTrace(result.error, parseLogged);
  throw result.error;
}
