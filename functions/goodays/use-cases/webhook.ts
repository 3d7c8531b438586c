import { parseEventBody } from '#goodays/domain/events.ts';
import { authenticateWebhook } from '#goodays/domain/signature.ts';
import { PayloadTooLargeError, UnauthorizedError } from '#platform/errors.ts';
import type { EventEnvelope, Quarantine, QueuePort } from './ports.ts';

/** Dependencies of {@link acceptGoodaysWebhook}. */
export interface WebhookDeps {
  readonly secrets: readonly string[];
  readonly allowUnsigned: boolean;
  readonly maxBodyBytes: number;
  readonly queue: QueuePort<EventEnvelope>;
  readonly quarantine: Quarantine;
}

/** One webhook request as the handler read it. */
export interface WebhookRequest {
  readonly body: Buffer;
  readonly signature: string | undefined;
  readonly requestId: string;
  readonly receivedAt: string;
}

export type WebhookOutcome = { readonly result: 'queued'; readonly eventType: string; readonly responseId: string } | { readonly result: 'quarantined'; readonly reason: string; readonly id: string; readonly created: boolean };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Accepts one Goodays webhook: signature on the exact bytes first, then a cheap read of the body.
 * A readable event is queued as an envelope holding the raw body; the promise resolves only after
 * SQS accepted it, so the handler answers 200 only then (and 5xx when it throws). An authentic body
 * that cannot be read is quarantined and acknowledged, because Goodays would resend it unchanged.
 * @throws UnauthorizedError, PayloadTooLargeError
 */
export async function acceptGoodaysWebhook(req: WebhookRequest, deps: WebhookDeps): Promise<WebhookOutcome> {
  if (req.body.length > deps.maxBodyBytes) throw new PayloadTooLargeError(`Body of ${req.body.length} bytes exceeds ${deps.maxBodyBytes}`);
  const auth = authenticateWebhook(req.body, req.signature, deps.secrets, deps.allowUnsigned);
  if (!auth.ok) throw new UnauthorizedError(`Goodays webhook refused: ${auth.reason}`);
  let text: string | undefined;
  try {
    text = utf8.decode(req.body);
  } catch {
    text = undefined;
  }
  const parsed = text === undefined ? { kind: 'invalid' as const, reason: 'body is not valid UTF-8' } : parseEventBody(text);
  if (parsed.kind === 'invalid' || text === undefined) {
    const reason = parsed.kind === 'invalid' ? parsed.reason : 'unreadable';
    // The shared quarantine keeps text as is and anything else as base64 (bodyEncoding).
    const { id, created } = await deps.quarantine.put({ vendor: 'goodays', reason, body: req.body, receivedAt: req.receivedAt, requestId: req.requestId, stage: 'webhook' });
    return { result: 'quarantined', reason, id, created };
  }
  await deps.queue.send({ vendor: 'goodays', source: 'webhook', requestId: req.requestId, receivedAt: req.receivedAt, body: text });
  return parsed.kind === 'known'
    ? { result: 'queued', eventType: parsed.event.event_type, responseId: parsed.responseId }
    : { result: 'queued', eventType: parsed.eventType, responseId: parsed.responseId };
}
