import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamo } from '../aws.ts';
import { logger } from '../observability.ts';
import { shardedKey, type ShardedKey } from '../shards.ts';
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
 * last attempt. Beside them, the subscription's summary: its last success and last failure.
 */
export interface DeliveryStore {
  recordAttempt(subscriptionId: string, event: Pick<HubEvent, 'id' | 'type' | 'subject'>, state: AttemptState, status: string, at: Date): Promise<void>;
  summary(subscriptionId: string): Promise<SubscriptionSummary>;
}

export const SUMMARY_KEY = '#summary';
const KEEP_SECONDS = 30 * 86400;
/** Shards of a subscription's delivery records and summary (see {@link deliveryPartition}). */
export const DELIVERY_SHARDS = 16;

/**
 * The partition key value of an event's delivery record, and of the summary part it updates, for a
 * subscription: `<subscription>#<shard>`, the shard from the event id. One subscription's deliveries
 * are then not all under one key value: a subscription taking every event at 2,000 Rungopher results
 * a second gets about 3,800 deliveries a second, 2 writes each (the record, the summary part), and a
 * key value takes about 1,000 writes a second; 16 shards take about 8,000 deliveries a second.
 * Records are read by their subject (`bySubject`) and deleted by the key that index gives, never by
 * this partition. Records written before the shards keep the plain id (a retry of such an event
 * writes a second record under its shard; both expire and are erased alike), as does the summary
 * written before them, which is still read.
 */
export function deliveryPartition(subscriptionId: string, eventId: string): string {
  return shardsOf(subscriptionId).of(eventId);
}

/** Each subscription's shards, made once (subscriptions are configuration: a handful). */
const shards = new Map<string, ShardedKey>();
const shardsOf = (subscriptionId: string): ShardedKey => {
  let key = shards.get(subscriptionId);
  if (!key) shards.set(subscriptionId, (key = shardedKey(subscriptionId, DELIVERY_SHARDS, subscriptionId)));
  return key;
};

/** Every summary key of a subscription: one per shard, and the one written before the shards. */
const summaryKeys = (subscriptionId: string) => shardsOf(subscriptionId).all.map((p) => ({ subscriptionId: p, eventId: SUMMARY_KEY }));

const text = (item: Record<string, unknown>, k: string): string | undefined => (typeof item[k] === 'string' ? (item[k] as string) : undefined);

/**
 * Delivery records in DynamoDB. Each attempt writes its record and the summary part of its shard,
 * each moving only forward in time; `summary` reads every part and takes the newest success and the
 * newest failure, so it is exact whatever order attempts finish in and however many instances
 * deliver at once.
 */
export function dynamoDeliveryStore(table: string): DeliveryStore {
  return {
    async recordAttempt(subscriptionId, event, state, status, at) {
      const iso = at.toISOString();
      const partition = deliveryPartition(subscriptionId, event.id);
      await dynamo.send(
        new UpdateCommand({
          TableName: table,
          Key: { subscriptionId: partition, eventId: event.id },
          UpdateExpression: 'SET #t = :type, subject = :subject, subscription = :sub, #s = :state, lastStatus = :status, lastAttemptAt = :at, expiresAt = :exp ADD attempts :one',
          ExpressionAttributeNames: { '#t': 'type', '#s': 'state' },
          ExpressionAttributeValues: { ':type': event.type, ':subject': event.subject, ':sub': subscriptionId, ':state': state, ':status': status, ':at': iso, ':exp': Math.floor(at.getTime() / 1000) + KEEP_SECONDS, ':one': 1 },
        }),
      );
      const success = state === 'delivered';
      const field = success ? 'lastSuccessAt' : 'lastFailureAt';
      // Informational: a summary write that fails (throttled, say) is logged and never fails the
      // attempt, whose record is written (failing it would deliver the event again).
      await conditionalWrite(() =>
        dynamo.send(
          new UpdateCommand({
            TableName: table,
            Key: { subscriptionId: partition, eventId: SUMMARY_KEY },
            UpdateExpression: success ? 'SET lastSuccessAt = :at, lastSuccessEventId = :id' : 'SET lastFailureAt = :at, lastFailureEventId = :id, lastFailureStatus = :status',
            ConditionExpression: `attribute_not_exists(${field}) OR ${field} < :at`,
            ExpressionAttributeValues: { ':at': iso, ':id': event.id, ...(success ? {} : { ':status': `${state}: ${status}` }) },
          }),
        ),
      ).catch((err: unknown) => {
        logger.warn('Subscription summary not written', { subscriptionId, error: err instanceof Error ? err.name : String(err) });
      });
    },
    async summary(subscriptionId) {
      let keys: Record<string, unknown>[] = summaryKeys(subscriptionId);
      const parts: Record<string, unknown>[] = [];
      for (let round = 0; keys.length > 0 && round < 5; round++) {
        const out = await dynamo.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys } } }));
        parts.push(...(out.Responses?.[table] ?? []));
        keys = (out.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
      if (keys.length > 0) throw new Error('The subscription summary could not be read (unprocessed keys); try again');
      const newest = (field: string) => parts.filter((p) => text(p, field) !== undefined).sort((a, b) => ((text(a, field) ?? '') < (text(b, field) ?? '') ? 1 : -1))[0];
      const ok = newest('lastSuccessAt');
      const failed = newest('lastFailureAt');
      const pick = (item: Record<string, unknown> | undefined, ...fields: string[]) => Object.fromEntries(fields.flatMap((f) => (item && text(item, f) !== undefined ? [[f, text(item, f) as string]] : [])));
      return { ...pick(ok, 'lastSuccessAt', 'lastSuccessEventId'), ...pick(failed, 'lastFailureAt', 'lastFailureStatus', 'lastFailureEventId') };
    },
  };
}
