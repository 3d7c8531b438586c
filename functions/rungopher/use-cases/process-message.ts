import type { QueueEnvelope } from '#platform/envelope.ts';
import type { Quarantine } from '#platform/quarantine.ts';
import { parseResult } from '#rungopher/domain/result.ts';
import type { StoreResultPorts } from './store-result.ts';
import { resultStorability, storeRungopherResult } from './store-result.ts';

export interface ProcessMessagePorts extends StoreResultPorts {
  readonly quarantine: Quarantine;
}

export type ProcessOutcome =
  | { readonly status: 'stored' | 'duplicate'; readonly resultId: string; readonly requestId: string }
  | { readonly status: 'quarantined'; readonly quarantineId: string; readonly reason: string; /** False when this body was quarantined before. */ readonly created: boolean };

/**
 * Handles one queued Rungopher envelope (the queue consumer has already quarantined anything that is
 * not one). A body that is not a valid result is quarantined rather than retried (retrying cannot make
 * it valid); storage errors propagate so the message is retried and, after maxReceiveCount, lands in the DLQ.
 */
export async function processRungopherMessage(ports: ProcessMessagePorts, envelope: QueueEnvelope): Promise<ProcessOutcome> {
  const read = parseResult(envelope.body);
  // Checked again here: a message queued before the webhook checked storability (or by a replay) is
  // quarantined rather than failed five times into the DLQ.
  const unstorable = read.ok ? resultStorability(read.result, envelope.body, read.json) : undefined;
  const parsed = unstorable ? { ok: false as const, reason: `cannot be stored: ${unstorable}` } : read;
  if (!parsed.ok) {
    const kept = await ports.quarantine.put({
      vendor: 'rungopher',
      reason: parsed.reason,
      body: envelope.body,
      requestId: envelope.requestId,
      receivedAt: envelope.receivedAt,
      stage: 'processor',
      retry: { queue: 'rungopher-results', as: 'envelope', source: envelope.source === 'poller' ? 'poller' : 'webhook' },
    });
    return { status: 'quarantined', quarantineId: kept.id, created: kept.created, reason: parsed.reason };
  }
  const status = await storeRungopherResult(ports, parsed.result, envelope.body, { source: envelope.source, requestId: envelope.requestId });
  return { status, resultId: parsed.result.id, requestId: envelope.requestId };
}
