import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { HandBackError } from '../errors.ts';
import { JsonString } from '../json.ts';
import { count, logger } from '../observability.ts';
import type { AttemptState, DeliveryStore } from './deliveries-store.ts';
import { deliverEvent, type PostWebhook } from './delivery.ts';
import { HubEventEnvelope } from './event.ts';
import type { RetryPolicy } from './retry.ts';
import { ensureTime, type TimeBudget } from '../time-budget.ts';
import type { Subscription, SubscriptionQueue } from './subscriptions.ts';

/**
 * What a subscription queue holds: the event as EventBridge delivers it to an SQS target (the local
 * router writes the same shape), its `detail` the hub's event.
 */
export const BusEvent = z.object({
  id: z.string().optional(),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  detail: HubEventEnvelope,
});
export const BusEventMessage = JsonString(BusEvent);
export type BusEvent = z.infer<typeof BusEvent>;

/** A subscription as its consumer needs it: where to post, with which secrets, and its queues. */
export interface DeliveryTarget {
  readonly subscription: Subscription;
  readonly queue: SubscriptionQueue;
  /** The signing secrets, newest first (read on each delivery; cached by the adapter). */
  readonly secrets: () => Promise<readonly string[]>;
}

/** Port: the SQS side of a delivery. */
export interface DeliveryQueue {
  /** Sets when the message is seen again (the back-off). */
  delay(queueUrl: string, receiptHandle: string, seconds: number): Promise<void>;
  /** Keeps the message in the subscription's DLQ, with why. */
  deadLetter(dlqUrl: string, body: string, reason: Readonly<Record<string, string>>): Promise<void>;
}

export interface ConsumeDeliveryPorts {
  readonly target: (queueArn: string) => DeliveryTarget;
  readonly post: PostWebhook;
  readonly records: DeliveryStore;
  readonly queue: DeliveryQueue;
  readonly maxReceives: number;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly now?: () => Date;
}

/**
 * What one delivery may take besides its POST (the signing secret, the delivery record, the back-off
 * or the DLQ): an attempt starts only when the POST run to its timeout and this still end before the
 * invocation's reserve.
 */
export const DELIVERY_WRITES_MS = 2_000;

/**
 * Deliveries of one batch posted at once (to the one subscriber whose queue the batch came from).
 * With the function's two concurrent batches per subscription, a subscriber sees at most ten requests
 * at a time; ten subscribers slow to the timeout take two rounds, the second not started when it could
 * not end in time (those records are handed back untouched).
 */
export const DELIVERY_CONCURRENCY = 5;

/** A delivery handed back to its queue for a later attempt (the back-off). */
export class DeliveryRetryError extends HandBackError {
  override readonly name = 'DeliveryRetryError';
}

/**
 * One record of a subscription queue: deliver the event; on success record it; on 408/429/5xx or a
 * timeout set the message's visibility to the back-off and hand it back (after the last receive,
 * keep it in the DLQ instead); on any other answer keep it in the DLQ at once. Every outcome is
 * recorded per subscription and event; throws only to hand back or when the record cannot be handled.
 * With a `budget`, the attempt is not started (the record is handed back untouched: no request, no
 * record, its visibility left as it was) unless it can end, POST timeout and writes, before the reserve.
 */
export async function consumeDelivery(
  message: BusEvent,
  record: Pick<SQSRecord, 'eventSourceARN' | 'receiptHandle' | 'body' | 'attributes'>,
  ports: ConsumeDeliveryPorts,
  budget?: TimeBudget,
): Promise<AttemptState> {
  if (budget) ensureTime(budget, 'a delivery', ports.timeoutMs + DELIVERY_WRITES_MS);
  const event = message.detail;
  const target = ports.target(record.eventSourceARN);
  const receiveCount = Math.max(1, Number(record.attributes.ApproximateReceiveCount) || 1);
  const outcome = await deliverEvent(
    { event, url: target.subscription.url, secrets: await target.secrets(), receiveCount },
    { post: ports.post, retry: ports.retry, timeoutMs: ports.timeoutMs, ...(ports.now ? { now: ports.now } : {}) },
  );
  const at = ports.now?.() ?? new Date();
  const log = { subscriptionId: target.subscription.id, eventId: event.id, eventType: event.type, receiveCount };
  if (outcome.result === 'delivered') {
    await ports.records.recordAttempt(target.subscription.id, event, 'delivered', String(outcome.status), at);
    count('WebhookDelivered');
    logger.info('Webhook delivered', { ...log, status: outcome.status });
    return 'delivered';
  }
  if (outcome.result === 'retry' && receiveCount < ports.maxReceives) {
    await ports.records.recordAttempt(target.subscription.id, event, 'retrying', outcome.status, at);
    await ports.queue.delay(target.queue.queueUrl, record.receiptHandle, outcome.delaySeconds);
    count('WebhookRetried');
    logger.warn('Webhook delivery failed; retrying later', { ...log, status: outcome.status, delaySeconds: outcome.delaySeconds });
    throw new DeliveryRetryError(`delivery to ${target.subscription.id} failed (${outcome.status}); next attempt in ${outcome.delaySeconds} s`);
  }
  const state: AttemptState = outcome.result === 'rejected' ? 'rejected' : 'dead-lettered';
  // The DLQ first: a crash before the record or the ack delivers again, it never drops the event.
  await ports.queue.deadLetter(target.queue.dlqUrl, record.body, { reason: state, status: outcome.status });
  await ports.records.recordAttempt(target.subscription.id, event, state, outcome.status, at);
  count(state === 'rejected' ? 'WebhookRejected' : 'WebhookDeadLettered');
  logger.warn(state === 'rejected' ? 'Subscriber refused the webhook; kept in the DLQ' : 'Webhook retries exhausted; kept in the DLQ', { ...log, status: outcome.status });
  return state;
}
