import { queueConsumer } from '#platform/queue-consumer.ts';
import { BusEventMessage, consumeDelivery } from '#platform/outbound/consume.ts';
import { deliveryPorts } from '#platform/outbound/wiring.ts';

/** Delivers one event to the subscription whose queue it came from; see {@link consumeDelivery}. */
export const handler = queueConsumer({
  vendor: 'hub',
  message: BusEventMessage,
  foreign: 'queue message is not a hub event',
  quarantinedMetric: 'OutboundMessageQuarantined',
  process: async (message, record) => {
    await consumeDelivery(message, record, deliveryPorts());
  },
});
