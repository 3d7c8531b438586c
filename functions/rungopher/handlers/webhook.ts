import { sqsEnvelopeQueue } from '#platform/queue.ts';
import { dynamoQuarantine } from '#platform/quarantine.ts';
import { acceptRungopherWebhook } from '#rungopher/use-cases/accept-webhook.ts';
import { queueUrl, secretValue, tableName } from '#platform/config.ts';
import { WEBHOOK_MAX_BODY_BYTES } from '#platform/limits.ts';
import { PayloadTooLargeError, UnauthorizedError } from '#platform/errors.ts';
import { constantTimeEqual, httpHandler, json, rawBody } from '#platform/http.ts';
import { count, logger } from '#platform/observability.ts';

const maxBodyBytes = WEBHOOK_MAX_BODY_BYTES;
const ports = {
  queue: sqsEnvelopeQueue(queueUrl('rungopher-results')),
  quarantine: dynamoQuarantine(tableName('quarantine')),
};

/**
 * POST /webhooks/rungopher/{token}. Rungopher cannot sign, so the path carries the secret. Answers
 * exactly 200 only once the body is durably queued or quarantined; any failure before that is a 5xx
 * (mapped by httpHandler) so that Rungopher resends.
 */
export const handler = httpHandler(async (event) => {
  const expected = await secretValue('rungopher', 'RUNGOPHER_WEBHOOK_TOKEN');
  if (!constantTimeEqual(event.pathParameters?.token ?? '', expected)) {
    count('WebhooksRejected');
    throw new UnauthorizedError('Unknown webhook token');
  }
  const body = rawBody(event);
  if (body.length > maxBodyBytes) {
    // The contract is 413; the body is authentic, so a truncated copy with its length and
    // digest is kept first (once, however often Rungopher resends it) for a person to look at.
    const kept = await ports.quarantine.put({
      vendor: 'rungopher',
      reason: `body of ${body.length} bytes is over the ${maxBodyBytes}-byte limit`,
      body,
      requestId: event.requestContext.requestId,
      receivedAt: new Date(event.requestContext.timeEpoch || Date.now()).toISOString(),
      stage: 'webhook',
    });
    count('WebhooksRejected');
    // Rungopher resends it every 5 minutes for ever: alarm once per body, not per resend.
    if (kept.created) count('WebhooksOversized');
    logger.warn('Rungopher webhook too large', { quarantineId: kept.id, bytes: body.length });
    throw new PayloadTooLargeError(`Body is ${body.length} bytes; the limit is ${maxBodyBytes}`);
  }
  const outcome = await acceptRungopherWebhook(ports, {
    body,
    requestId: event.requestContext.requestId,
    receivedAt: new Date(event.requestContext.timeEpoch || Date.now()).toISOString(),
  });
  if (outcome.status === 'quarantined') {
    if (outcome.created) count('WebhooksQuarantined');
    logger.warn('Rungopher webhook quarantined', { quarantineId: outcome.quarantineId, reason: outcome.reason });
    return json(200, { status: 'quarantined', quarantineId: outcome.quarantineId });
  }
  count('WebhooksAccepted');
  logger.info('Rungopher result queued', { messageId: outcome.messageId, resultId: outcome.resultId });
  return json(200, { status: 'queued', resultId: outcome.resultId });
});
