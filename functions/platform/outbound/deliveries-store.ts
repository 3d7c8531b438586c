import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamo } from '../aws.ts';
import { logger } from '../observability.ts';
import { shardedKey } from '../shards.ts';
import type { HubEvent } from './event.ts';

/** A subscription's delivery state in the `outbound-deliveries` table (sort key {@link SUMMARY_KEY}). */
export interface SubscriptionSummary {
  readonly lastSuccessAt?: string;
  readonly lastSuccessEventId?: string;
  readonly lastFailureAt?: string;
  readonly lastFailureStatus?: string;
  readonly lastFailureEventId?: string;
}

/** What happened to one attempt. */
export type AttemptState = 'delivered' | 'retrying' | 'rejected' | 'dead-lettered';

/**
 * Port: delivery records. One item per subscription and event with the event's `subject` (the record
 * it is about: index `bySubject`, where erasure finds every delivery of a record), its state, attempts
 * and last status; ids and statuses only, never the event's data. Items expire 30 days after their
 * last attempt. Beside them, one summary per subscription (its last success and failure).
 */
export interface DeliveryStore {
  recordAttempt(subscriptionId: string, event: Pick<HubEvent, 'id' | 'type' | 'subject'>, state: AttemptState, status: string, at: Date): Promise<void>;
  summary(subscriptionId: string): Promise<SubscriptionSummary>;
}

export const SUMMARY_KEY = '#summary';
const KEEP_SECONDS = 30 * 86400;
/** Shards of a subscription's delivery records (see {@link deliveryPartition}). */
export const DELIVERY_SHARDS = 8;
/** The least time between two writes of one summary field by one function instance. */
export const SUMMARY_EVERY_MS = 1000;

/**
 * The partition key value of an event's delivery record for a subscription: `<subscription>#<shard>`,
 * the shard from the event id, so one subscription's deliveries are not all under one key value
 * (a subscription taking every event at 2,000 Rungopher results a second gets about 3,800 a second;
 * a key value takes about 1,000 writes a second). Records are read by their subject (`bySubject`) and
 * deleted by the key that index gives, never by this partition; the summary stays under the plain
 * subscription id. Records written before the shards keep the plain id (a retry of such an event
 * writes a second record under its shard; both expire and are erased alike).
 */
export function deliveryPartition(subscriptionId: string, eventId: string): string {
  return shardedKey(subscriptionId, DELIVERY_SHARDS).of(eventId);
}

/**
 * This function instance's last summary write per table and subscription (what it wrote: the field,
 * and for a failure its state and status; when): module state, as the delivery handler makes its
 * ports per message. One entry per subscription.
 */
const lastWrite = new Map<string, { readonly what: string; readonly at: number }>();

/**
 * Delivery records in DynamoDB. The summary is one item per subscription, which DynamoDB writes at
 * most about 1,000 times a second: a function instance skips a summary write only when its own last
 * one, less than {@link SUMMARY_EVERY_MS} ago, was of the same kind (a success; or a failure with
 * the same state and status). A success after a failure, a failure after a success, a new failure
 * status are written at once. So under load the summary's time and event id can be up to about a
 * second older than the newest attempt's, whatever the rate of deliveries; and a success that
 * follows another instance's failure within that second waits for the next delivery to show. Every
 * attempt's own record is written.
 */
export function dynamoDeliveryStore(table: string, now: () => number = Date.now): DeliveryStore {
  return {
    async recordAttempt(subscriptionId, event, state, status, at) {
      const iso = at.toISOString();
      await dynamo.send(
        new UpdateCommand({
          TableName: table,
          Key: { subscriptionId: deliveryPartition(subscriptionId, event.id), eventId: event.id },
          UpdateExpression: 'SET #t = :type, subject = :subject, #s = :state, lastStatus = :status, lastAttemptAt = :at, expiresAt = :exp ADD attempts :one',
          ExpressionAttributeNames: { '#t': 'type', '#s': 'state' },
          ExpressionAttributeValues: { ':type': event.type, ':subject': event.subject, ':state': state, ':status': status, ':at': iso, ':exp': Math.floor(at.getTime() / 1000) + KEEP_SECONDS, ':one': 1 },
        }),
      );
      // The summary only moves forward in time, whatever order attempts finish in.
      const success = state === 'delivered';
      const field = success ? 'lastSuccessAt' : 'lastFailureAt';
      const what = success ? field : `${field}\n${state}: ${status}`;
      const key = `${table}\n${subscriptionId}`;
      const last = lastWrite.get(key);
      if (last?.what === what && now() - last.at < SUMMARY_EVERY_MS) return;
      // Bounded: one entry per subscription; a table of thousands of them starts over.
      if (lastWrite.size >= 1000) lastWrite.clear();
      lastWrite.set(key, { what, at: now() });
      // Informational: a summary write that fails (throttled, say) is logged, and never fails the
      // attempt, whose record is written (failing it would deliver the event again).
      await conditionalWrite(() =>
        dynamo.send(
          new UpdateCommand({
            TableName: table,
            Key: { subscriptionId, eventId: SUMMARY_KEY },
            UpdateExpression: success ? 'SET lastSuccessAt = :at, lastSuccessEventId = :id' : 'SET lastFailureAt = :at, lastFailureEventId = :id, lastFailureStatus = :status',
            ConditionExpression: `attribute_not_exists(${field}) OR ${field} < :at`,
            ExpressionAttributeValues: { ':at': iso, ':id': event.id, ...(success ? {} : { ':status': `${state}: ${status}` }) },
          }),
        ),
      ).catch((err: unknown) => {
        lastWrite.delete(key);
        logger.warn('Subscription summary not written', { subscriptionId, error: err instanceof Error ? err.name : String(err) });
      });
    },
    async summary(subscriptionId) {
      const out = await dynamo.send(new GetCommand({ TableName: table, Key: { subscriptionId, eventId: SUMMARY_KEY } }));
      const i = out.Item ?? {};
      const str = (k: string) => (typeof i[k] === 'string' ? { [k]: i[k] as string } : {});
      return { ...str('lastSuccessAt'), ...str('lastSuccessEventId'), ...str('lastFailureAt'), ...str('lastFailureStatus'), ...str('lastFailureEventId') };
    },
  };
}
