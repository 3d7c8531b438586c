import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ACTION_BODIES } from '#goodays/domain/actions.ts';
import { actionItem } from '#goodays/domain/attention.ts';
import { ActionKind } from '#goodays/domain/events.ts';
import { conditionalWrite, dynamo, isConditionFailed, queryAll } from '#platform/aws.ts';
import type { ActionRecord, ActionStore, UserCache } from '#goodays/use-cases/ports.ts';

export { EVENT_KEYS, THREAD_KEYS, threadItem } from './store-keys.ts';
export { dynamoEventStore, dynamoThreadStore } from './thread-store.ts';

/**
 * DynamoDB implementations of the Goodays ports (the queues are `sqsJsonQueue` of `queue.ts`); the
 * events' and the threads' are in `thread-store.ts` (zod/mini, for the event processor's cold start).
 */

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
