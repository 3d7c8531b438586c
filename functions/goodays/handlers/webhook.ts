import { SIGNATURE_HEADER, headerValue } from '#goodays/domain/signature.ts';
import { eventQueue, goodaysHmacSecrets, goodaysSettings, quarantineStore } from '#goodays/adapters/wiring.ts';
import { httpHandler, json, rawBody } from '#platform/http.ts';
import { WEBHOOK_MAX_BODY_BYTES } from '#platform/limits.ts';
import { count, logger } from '#platform/observability.ts';
import { acceptGoodaysWebhook } from '#goodays/use-cases/webhook.ts';

/**
 * `POST /webhooks/goodays`: checks `X-HMAC-SHA256` over the exact bytes, then queues the raw body.
 * 200 only once SQS accepted it; a failure to queue is a 5xx so Goodays resends.
 */
export const handler = httpHandler(async (event) => {
  const receivedAt = new Date().toISOString();
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const outcome = await acceptGoodaysWebhook(
    { body: rawBody(event), signature: headerValue(event.headers, SIGNATURE_HEADER), requestId, receivedAt },
    {
      secrets: await goodaysHmacSecrets(),
      allowUnsigned: goodaysSettings().allowUnsigned,
      maxBodyBytes: WEBHOOK_MAX_BODY_BYTES,
      queue: eventQueue(),
      quarantine: quarantineStore(),
    },
  );
  if (outcome.result === 'quarantined') {
    // Goodays resends a body it got no 200 for, and a resend of one already kept is not news: counted
    // (and alarmed on) once per distinct body.
    if (outcome.created) count('GoodaysWebhookQuarantined');
    logger.warn('Goodays webhook quarantined', { reason: outcome.reason, quarantineId: outcome.id, created: outcome.created });
    return json(200, { status: 'quarantined' });
  }
  count('GoodaysWebhookQueued');
  logger.info('Goodays webhook queued', { eventType: outcome.eventType, responseId: outcome.responseId });
  return json(200, { status: 'queued' });
});
