import { queueConsumer } from '#platform/queue-consumer.ts';
import { BusEventMessage, DELIVERY_CONCURRENCY, consumeDelivery } from '#platform/outbound/consume.ts';
import { deliveryPorts } from '#platform/outbound/wiring.ts';

/**
 * Delivers a batch of events, each to the subscription whose queue it came from, each on its own
 * (a failure or back-off hands back only its record); see {@link consumeDelivery}.
 */
export const handler = queueConsumer({
  vendor: 'hub',
  message: BusEventMessage,
  foreign: 'queue message is not a hub event',
  quarantinedMetric: 'OutboundMessageQuarantined',
  parallel: DELIVERY_CONCURRENCY,
  process: async (message, record, budget) => {
    await consumeDelivery(message, record, deliveryPorts(), budget);
  },
});
