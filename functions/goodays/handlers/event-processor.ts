import { eventProcessorConfig } from '#goodays/adapters/event-wiring.ts';
import { consumeGoodaysEvent } from '#goodays/use-cases/threads.ts';
import { EnvelopeMessage } from '#platform/envelope.ts';
import { queueConsumer } from '#platform/queue-consumer.ts';
import { deadlineOf } from '#platform/time-budget.ts';

/**
 * Stores queued Goodays events once and refolds their threads; partial batch response. Only the
 * webhook writes this queue: a record that is no envelope is quarantined by the kit, not retried.
 */
export const handler = queueConsumer({
  vendor: 'goodays',
  queue: 'goodays-events',
  message: EnvelopeMessage,
  foreign: 'queue message is not a webhook envelope',
  quarantinedMetric: 'GoodaysEventQuarantined',
  // Time kept back at the end of an invocation: records not started by then go back to the queue.
  reserveMs: 5_000,
  // A thread write that keeps losing to other processors goes on trying within the invocation's time.
  process: (envelope, _record, budget) => consumeGoodaysEvent(envelope, { ...eventProcessorConfig(), deadline: deadlineOf(budget) }),
});
