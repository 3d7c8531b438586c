import { eventPublisher } from '#platform/outbound/publisher.ts';
import { actionSendingConfig, actionSettlementConfig, goodaysApi } from '#goodays/adapters/wiring.ts';
import { ActionQueueMessage } from '#goodays/domain/actions.ts';
import { consumeGoodaysAction } from '#goodays/use-cases/process-action.ts';
import { queueConsumer } from '#platform/queue-consumer.ts';

/**
 * Sends queued operator actions to Goodays, at most once for replies and messages; the last delivery
 * settles the action (see {@link consumeGoodaysAction}). Only the operator API writes this queue: a
 * foreign message is quarantined by the kit (there is no action to settle), not retried.
 */
export const handler = queueConsumer({
  vendor: 'goodays',
  queue: 'goodays-actions',
  message: ActionQueueMessage,
  foreign: 'queue message is not a Goodays action message',
  quarantinedMetric: 'GoodaysActionMessageQuarantined',
  // Time kept back for the last writes after the Goodays call.
  reserveMs: 5_000,
  process: (message, record, budget) =>
    consumeGoodaysAction(
      { message, receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? '1'), messageId: record.messageId, budget },
      { settlement: actionSettlementConfig, sending: actionSendingConfig, api: goodaysApi, outbound: eventPublisher },
    ),
});
