import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamo } from '../aws.ts';
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
 * Port: delivery records. One item per subscription and event (`subscriptionId`, `eventId`) with the
 * event's `subject` (the record it is about: index `bySubject`, where erasure finds every delivery
 * of a record), its state, attempts and last status; ids and statuses only, never the event's data.
 * Items expire 30 days after their last attempt.
 */
export interface DeliveryStore {
  recordAttempt(subscriptionId: string, event: Pick<HubEvent, 'id' | 'type' | 'subject'>, state: AttemptState, status: string, at: Date): Promise<void>;
  summary(subscriptionId: string): Promise<SubscriptionSummary>;
}

export const SUMMARY_KEY = '#summary';
const KEEP_SECONDS = 30 * 86400;

export function dynamoDeliveryStore(table: string): DeliveryStore {
  return {
    async recordAttempt(subscriptionId, event, state, status, at) {
      const iso = at.toISOString();
      await dynamo.send(
        new UpdateCommand({
          TableName: table,
          Key: { subscriptionId, eventId: event.id },
          UpdateExpression: 'SET #t = :type, subject = :subject, #s = :state, lastStatus = :status, lastAttemptAt = :at, expiresAt = :exp ADD attempts :one',
          ExpressionAttributeNames: { '#t': 'type', '#s': 'state' },
          ExpressionAttributeValues: { ':type': event.type, ':subject': event.subject, ':state': state, ':status': status, ':at': iso, ':exp': Math.floor(at.getTime() / 1000) + KEEP_SECONDS, ':one': 1 },
        }),
      );
      // The summary only moves forward in time, whatever order attempts finish in.
      const success = state === 'delivered';
      const field = success ? 'lastSuccessAt' : 'lastFailureAt';
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
      );
    },
    async summary(subscriptionId) {
      const out = await dynamo.send(new GetCommand({ TableName: table, Key: { subscriptionId, eventId: SUMMARY_KEY } }));
      const i = out.Item ?? {};
      const str = (k: string) => (typeof i[k] === 'string' ? { [k]: i[k] as string } : {});
      return { ...str('lastSuccessAt'), ...str('lastSuccessEventId'), ...str('lastFailureAt'), ...str('lastFailureStatus'), ...str('lastFailureEventId') };
    },
  };
}
