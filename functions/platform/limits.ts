import { optionalEnv } from './config.ts';
import * as z from './zod.ts';

/**
 * Largest webhook body accepted, for every vendor (413 above): `WEBHOOK_MAX_BODY_BYTES`, default and
 * ceiling 256 KiB. Results and feedback events are a few KiB; the queue envelope escapes the body
 * once more and SQS takes 1 MiB, so the ceiling keeps any accepted body enqueueable.
 */
export const WEBHOOK_MAX_BODY_BYTES = optionalEnv('WEBHOOK_MAX_BODY_BYTES', z.coerce.number().check(z.int(), z.positive(), z.maximum(256 * 1024)), 256 * 1024);
