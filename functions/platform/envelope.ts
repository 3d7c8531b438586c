import * as z from './zod.ts';
import { JsonString } from './json.ts';

/**
 * What a webhook puts on a queue: the raw body as received plus where it came from. JSON encoding
 * makes any body safe for SQS (which rejects some Unicode characters raw) and keeps it byte for byte.
 * zod/mini: every queue consumer loads it.
 */
export const QueueEnvelope = z.object({
  vendor: z.string(),
  requestId: z.string(),
  receivedAt: z.string(),
  /** The raw body, UTF-8 text. */
  body: z.string(),
  source: z._default(z.enum(['webhook', 'poller', 'replay']), 'webhook'),
});
export type QueueEnvelope = z.infer<typeof QueueEnvelope>;

/** A queue message body holding an envelope: what `queueConsumer` reads on envelope queues. */
export const EnvelopeMessage = JsonString(QueueEnvelope);

/** Parses a queue message body into an envelope, or undefined when it is not one. */
export function parseEnvelope(text: string): QueueEnvelope | undefined {
  const parsed = EnvelopeMessage.safeParse(text);
  return parsed.success ? parsed.data : undefined;
}
