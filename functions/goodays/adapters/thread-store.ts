import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expiresAt, expiry, retentionDays } from '#platform/retention.ts';
import { ActionKind } from '#goodays/domain/events.ts';
import type { Thread } from '#goodays/domain/thread.ts';
import { pageCursor } from '#platform/page-cursor.ts';
import { KEY_LIMITS, keyValue } from '#platform/validation.ts';
import { conditionalWrite, dynamo, isConditionFailed, queryAll } from '#platform/aws.ts';
import * as z from '#platform/zod.ts';
import type { EventStore, ThreadRecord, ThreadStore } from '#goodays/use-cases/ports.ts';
import { AWAITING_KEY, threadItem } from './store-keys.ts';

/**
 * The Goodays events' and threads' DynamoDB stores (re-exported by `store.ts`): apart from the
 * actions' and the users', and on zod/mini, so the event processor's bundle holds no classic zod
 * (`npm run bench -- cold`).
 */

const StoredEventItem = z.object({
  responseId: z.string(),
  eventKey: z.string(),
  eventType: z.string(),
  order: z.string(),
  body: z.string(),
  receivedAt: z.string(),
  requestId: z.string(),
});

/** Events table: partition `responseId`, sort `eventKey`. */
export function dynamoEventStore(table: string): EventStore {
  return {
    async put(event) {
      try {
        const out = await dynamo.send(
          new PutCommand({
            TableName: table,
            Item: { ...event, ...expiry('GOODAYS_EVENTS', event.receivedAt) },
            // Keep the copy that orders highest, so the stored set does not depend on arrival order.
            ConditionExpression: 'attribute_not_exists(eventKey) OR #o < :o',
            ExpressionAttributeNames: { '#o': 'order' },
            ExpressionAttributeValues: { ':o': event.order },
            ReturnValues: 'ALL_OLD',
          }),
        );
        return out.Attributes ? 'replaced' : 'stored';
      } catch (err) {
        if (isConditionFailed(err)) return 'duplicate';
        throw err;
      }
    },
    async list(responseId) {
      const items = await queryAll({ TableName: table, KeyConditionExpression: 'responseId = :r', ExpressionAttributeValues: { ':r': responseId }, ConsistentRead: true });
      return items.map((raw) => z.parseLogged(StoredEventItem, raw));
    },
    async retain(responseId) {
      if (retentionDays('GOODAYS_EVENTS') === undefined) return 0;
      const items = await queryAll({
        TableName: table,
        KeyConditionExpression: 'responseId = :r',
        ExpressionAttributeValues: { ':r': responseId },
        ProjectionExpression: 'eventKey, receivedAt, expiresAt',
        ConsistentRead: true,
      });
      const latest = items.reduce((max, i) => (typeof i.receivedAt === 'string' && i.receivedAt > max ? i.receivedAt : max), '');
      const until = expiresAt('GOODAYS_EVENTS', latest || undefined);
      if (until === undefined) return 0;
      // Moved a day at a time at most, so a busy conversation costs a write per event per day, not per event.
      const behind = items.filter((i) => typeof i.expiresAt !== 'number' || i.expiresAt < until - 86_400);
      for (const i of behind) {
        await conditionalWrite(() =>
          dynamo.send(new UpdateCommand({ TableName: table, Key: { responseId, eventKey: i.eventKey }, UpdateExpression: 'SET expiresAt = :t', ConditionExpression: 'attribute_exists(eventKey)', ExpressionAttributeValues: { ':t': until } })),
        );
      }
      return behind.length;
    },
  };
}

const ThreadItem = z.object({
  responseId: z.string(),
  version: z.number(),
  thread: z.custom<Thread>((v) => typeof v === 'object' && v !== null),
  lastHandledAt: z.optional(z.string()),
  awaiting: z.optional(z.string()),
  hubActions: z.optional(z.array(z.object({ actionId: z.optional(z.string()), action: ActionKind, state: z.string(), eventKey: z.nullable(z.string()), answers: z.optional(z.nullable(z.string())) }))),
  updatedAt: z.string(),
});

function toThreadRecord(raw: unknown): ThreadRecord {
  const item = z.parseLogged(ThreadItem, raw);
  return {
    responseId: item.responseId,
    version: item.version,
    thread: item.thread,
    lastHandledAt: item.lastHandledAt,
    awaiting: AWAITING_KEY.holds(item.awaiting),
    hubActions: item.hubActions,
    updatedAt: item.updatedAt,
  };
}

const KeyPart = keyValue(KEY_LIMITS.sort);

/**
 * Where a page of threads stops: DynamoDB's LastEvaluatedKey, which is the table key of a Scan (all
 * threads) or the byState index key of a Query (one state). Strict, so a cursor made up or altered by a
 * caller is a 400 naming `cursor` and never reaches DynamoDB as a start key.
 */
const ThreadPosition = z.union([
  z.strictObject({ responseId: KeyPart }),
  z.strictObject({ responseId: KeyPart, threadState: KeyPart, lastEventAt: KeyPart }),
]);
type ThreadPosition = z.infer<typeof ThreadPosition>;

const threadCursor = pageCursor('goodays-responses', ThreadPosition);

/** A page position fits the query it is used with: a Scan key for all threads, an index key of the same state for one. */
function fitsQuery(state: string | undefined): (position: ThreadPosition) => string | undefined {
  return (position) => {
    const positionState = 'threadState' in position ? position.threadState : undefined;
    if (positionState === state) return undefined;
    return state === undefined ? 'given out for a list of one state; send it with that state' : `not given out for state ${state}`;
  };
}

/**
 * Threads table: partition `responseId`; index `byState` (threadState, lastEventAt) for the operator
 * list, sparse index `byAwaiting` (awaiting, lastEventAt; sharded, see `AWAITING_KEY`) for the unprocessed-responses metric.
 */
export function dynamoThreadStore(table: string): ThreadStore {
  return {
    async get(responseId) {
      const out = await dynamo.send(new GetCommand({ TableName: table, Key: { responseId }, ConsistentRead: true }));
      return out.Item ? toThreadRecord(out.Item) : undefined;
    },
    async write(record, expectedVersion) {
      const item = threadItem(record);
      return conditionalWrite(() =>
        dynamo.send(
          new PutCommand({
            TableName: table,
            Item: item,
            ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(responseId)' : 'version = :v',
            ExpressionAttributeValues: expectedVersion === undefined ? undefined : { ':v': expectedVersion },
          }),
        ),
      );
    },
    async list({ state, limit, cursor }) {
      const start = threadCursor.decode(cursor, fitsQuery(state));
      const out = state
        ? await dynamo.send(
            new QueryCommand({
              TableName: table,
              IndexName: 'byState',
              KeyConditionExpression: 'threadState = :s',
              ExpressionAttributeValues: { ':s': state },
              ScanIndexForward: false,
              Limit: limit,
              ExclusiveStartKey: start,
            }),
          )
        : await dynamo.send(new ScanCommand({ TableName: table, Limit: limit, ExclusiveStartKey: start }));
      const raw = out.Items ?? [];
      // DynamoDB's own key (or an item's key for a page cut short): parsed so a cursor is only ever
      // made of what decode accepts back.
      const positionOf = (item: Record<string, unknown>): ThreadPosition =>
        z.parseLogged(ThreadPosition, state ? { responseId: item.responseId, threadState: item.threadState, lastEventAt: item.lastEventAt } : { responseId: item.responseId });
      return {
        items: raw.map(toThreadRecord),
        cursor: out.LastEvaluatedKey ? threadCursor.encode(z.parseLogged(ThreadPosition, out.LastEvaluatedKey)) : undefined,
        cursorAfter: (index) => threadCursor.encode(positionOf(raw[index] ?? {})),
      };
    },
    async awaitingBefore(before) {
      // Every shard of the sparse index, and the value threads had before it was sharded.
      const pages = await Promise.all(
        AWAITING_KEY.all.map((awaiting) =>
          queryAll({
            TableName: table,
            IndexName: 'byAwaiting',
            KeyConditionExpression: 'awaiting = :a AND lastEventAt < :b',
            ExpressionAttributeValues: { ':a': awaiting, ':b': before },
            ProjectionExpression: 'responseId, lastEventAt',
          }),
        ),
      );
      const items = pages.flat();
      let oldest: string | undefined;
      for (const item of items) {
        const at = typeof item.lastEventAt === 'string' ? item.lastEventAt : undefined;
        if (at && (!oldest || at < oldest)) oldest = at;
      }
      return { count: items.length, oldest };
    },
  };
}
