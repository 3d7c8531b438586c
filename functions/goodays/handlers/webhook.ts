import { goodaysHmac } from '#goodays/adapters/webhook.ts';
import { readWebhookBody } from '#goodays/domain/events.ts';
import { eventStorability } from '#goodays/use-cases/storable.ts';
import { webhookHandler } from '#platform/webhook.ts';

/**
 * `POST /webhooks/goodays`: checks `X-HMAC-SHA256` over the exact bytes, then queues the raw body.
 * 200 only once SQS accepted it; a failure to queue is a 5xx so Goodays resends. An authentic body
 * it cannot read or store is quarantined (counted once per distinct body) and answered 200.
 */
export const handler = webhookHandler({
  vendor: 'goodays',
  authenticate: goodaysHmac,
  parse: readWebhookBody,
  // The event and thread items it will write, checked before the 200: what cannot be stored is quarantined.
  storable: eventStorability,
  queue: 'goodays-events',
  metrics: { accepted: 'GoodaysWebhookQueued', quarantined: 'GoodaysWebhookQuarantined' },
});
