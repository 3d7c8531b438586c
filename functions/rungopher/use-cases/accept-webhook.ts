import { parseResult } from '#rungopher/domain/result.ts';
import type { EnvelopeQueue } from '#platform/queue.ts';
import type { Quarantine } from '#platform/quarantine.ts';

export interface AcceptWebhookPorts {
  readonly queue: EnvelopeQueue;
  readonly quarantine: Quarantine;
}

export type AcceptOutcome =
  | { readonly status: 'queued'; readonly messageId: string; readonly resultId: string }
  | { readonly status: 'quarantined'; readonly quarantineId: string; readonly reason: string; /** False when this body was quarantined before. */ readonly created: boolean };

/**
 * Takes an authenticated Rungopher webhook body. A valid result is queued; anything else is put in
 * quarantine, because Rungopher resends a body forever until it gets a 200. Either way the caller may
 * answer 200 only after this resolves; if it throws, nothing was accepted and the answer is 5xx.
 */
export async function acceptRungopherWebhook(
  ports: AcceptWebhookPorts,
  input: { readonly body: Buffer; readonly requestId: string; readonly receivedAt: string },
): Promise<AcceptOutcome> {
  const text = input.body.toString('utf8');
  const validUtf8 = Buffer.from(text, 'utf8').equals(input.body);
  const parsed = validUtf8 ? parseResult(text) : { ok: false as const, reason: 'body is not UTF-8 text' };
  if (!parsed.ok) {
    const kept = await ports.quarantine.put({
      vendor: 'rungopher',
      reason: parsed.reason,
      body: input.body,
      requestId: input.requestId,
      receivedAt: input.receivedAt,
      stage: 'webhook',
    });
    return { status: 'quarantined', quarantineId: kept.id, created: kept.created, reason: parsed.reason };
  }
  const messageId = await ports.queue.send({
    vendor: 'rungopher',
    requestId: input.requestId,
    receivedAt: input.receivedAt,
    body: text,
    source: 'webhook',
  });
  return { status: 'queued', messageId, resultId: parsed.result.id };
}
