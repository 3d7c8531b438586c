import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expiresAt, expiry, retentionDays } from '#platform/retention.ts';
import * as z from 'zod';
import { ACTION_BODIES } from '#goodays/domain/actions.ts';
import { actionItem } from '#goodays/domain/attention.ts';
import { ActionKind } from '#goodays/domain/events.ts';
import type { Thread } from '#goodays/domain/thread.ts';
import { pageCursor } from '#platform/page-cursor.ts';
import { KEY_LIMITS, keyValue } from '#platform/validation.ts';
import { conditionalWrite, dynamo, isConditionFailed, queryAll } from '#platform/aws.ts';
import type {
  ActionRecord,
  ActionStore,
  EventStore,
  ThreadRecord,
  ThreadStore,
  UserCache,
} from '#goodays/use-cases/ports.ts';
import { AWAITING_KEY, threadItem } from './store-keys.ts';

export { EVENT_KEYS, THREAD_KEYS, threadItem } from './store-keys.ts';

/** DynamoDB implementations of the Goodays ports (the queues are `sqsJsonQueue` of `queue.ts`). */

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
      return items.map((raw) => StoredEventItem.parse(raw));
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
  lastHandledAt: z.string().optional(),
  awaiting: z.string().optional(),
  hubActions: z
    .array(z.object({ actionId: z.string().optional(), action: ActionKind, state: z.string(), eventKey: z.string().nullable(), answers: z.string().nullable().optional() }))
    .optional(),
  updatedAt: z.string(),
});

function toThreadRecord(raw: unknown): ThreadRecord {
  const item = ThreadItem.parse(raw);
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
        ThreadPosition.parse(state ? { responseId: item.responseId, threadState: item.threadState, lastEventAt: item.lastEventAt } : { responseId: item.responseId });
      return {
        items: raw.map(toThreadRecord),
        cursor: out.LastEvaluatedKey ? threadCursor.encode(ThreadPosition.parse(out.LastEvaluatedKey)) : undefined,
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

const ActionItem = z.object({
  actionId: z.string(),
  responseId: z.string(),
  action: ActionKind,
  body: z.record(z.string(), z.unknown()),
  operatorEmail: z.string().optional(),
  eventKey: z.string().nullable(),
  answers: z.string().nullable().optional(),
  idempotencyKey: z.string().optional(),
  fingerprint: z.string(),
  state: z.enum(['accepted', 'sending', 'retrying', 'succeeded', 'failed', 'unknown']),
  createdAt: z.string(),
  updatedAt: z.string(),
  attempts: z.number(),
  sendToken: z.string().optional(),
  sendingUntil: z.string().optional(),
  sendingMessageId: z.string().optional(),
  goodaysUserId: z.string().optional(),
  vendorStatus: z.number().optional(),
  vendorMessages: z.array(z.string()).optional(),
  error: z.string().optional(),
  resolution: z.object({ outcome: z.enum(['sent', 'not-sent']), note: z.string().optional(), at: z.string() }).optional(),
});

function toActionRecord(raw: unknown): ActionRecord {
  const item = ActionItem.parse(raw);
  // The body was validated for its action when the operator sent it; parsed again for its type.
  return { ...item, body: ACTION_BODIES[item.action].parse(item.body) };
}

const claimId = (responseId: string, claimKey: string): string => `claim#${responseId}#${claimKey}`;

/**
 * Actions table: partition `actionId`; index `byResponse` (responseId, createdAt). Claims share the
 * table under `claim#<response>#<claim key>` ids and have no `responseId`, so the index skips them.
 */
export function dynamoActionStore(table: string): ActionStore {
  return {
    async get(actionId) {
      const out = await dynamo.send(new GetCommand({ TableName: table, Key: { actionId }, ConsistentRead: true }));
      return out.Item && out.Item.responseId !== undefined ? toActionRecord(out.Item) : undefined;
    },
    async create(record) {
      return conditionalWrite(() => dynamo.send(new PutCommand({ TableName: table, Item: actionItem(record), ConditionExpression: 'attribute_not_exists(actionId)' })));
    },
    async transition(record, fromStates, sendToken) {
      const values: Record<string, unknown> = {};
      fromStates.forEach((s, i) => (values[`:s${i}`] = s));
      let condition = `#st IN (${fromStates.map((_, i) => `:s${i}`).join(', ')})`;
      if (sendToken !== undefined) {
        condition += ' AND sendToken = :tok';
        values[':tok'] = sendToken;
      }
      return conditionalWrite(() => dynamo.send(new PutCommand({ TableName: table, Item: actionItem(record), ConditionExpression: condition, ExpressionAttributeNames: { '#st': 'state' }, ExpressionAttributeValues: values })));
    },
    async listForResponse(responseId) {
      const items = await queryAll({ TableName: table, IndexName: 'byResponse', KeyConditionExpression: 'responseId = :r', ExpressionAttributeValues: { ':r': responseId } });
      return items.map((raw) => toActionRecord(raw));
    },
    async claim(responseId, claimKey, actionId) {
      const id = claimId(responseId, claimKey);
      return conditionalWrite(() =>
        dynamo.send(
          new PutCommand({
            TableName: table,
            Item: { actionId: id, holder: actionId, claimedAt: new Date().toISOString() },
            ConditionExpression: 'attribute_not_exists(actionId) OR holder = :h',
            ExpressionAttributeValues: { ':h': actionId },
          }),
        ),
      );
    },
    async release(responseId, claimKey, actionId) {
      try {
        await dynamo.send(
          new DeleteCommand({ TableName: table, Key: { actionId: claimId(responseId, claimKey) }, ConditionExpression: 'holder = :h', ExpressionAttributeValues: { ':h': actionId } }),
        );
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
      }
    },
  };
}

/** How long a resolved Goodays user id is trusted. */
export const USER_CACHE_SECONDS = 24 * 3600;

/** Users cache: partition `email` (lower case), DynamoDB TTL on `expiresAt`. */
export function dynamoUserCache(table: string, now: () => number = Date.now): UserCache {
  return {
    async get(email) {
      const out = await dynamo.send(new GetCommand({ TableName: table, Key: { email: email.toLowerCase() } }));
      const item = out.Item;
      // TTL deletion runs late; an expired item is ignored here.
      if (!item || typeof item.userId !== 'string' || typeof item.expiresAt !== 'number' || item.expiresAt * 1000 <= now()) return undefined;
      return item.userId;
    },
    async put(email, userId) {
      await dynamo.send(new PutCommand({ TableName: table, Item: { email: email.toLowerCase(), userId, expiresAt: Math.floor(now() / 1000) + USER_CACHE_SECONDS } }));
    },
  };
}
