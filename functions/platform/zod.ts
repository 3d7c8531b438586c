import { en } from 'zod/locales';
import { config } from 'zod/mini';

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
