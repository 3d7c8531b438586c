import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, ScanCommand, UpdateCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamo } from '#platform/aws.ts';
import { suppressionId } from '#platform/customer-index.ts';

/** DynamoDB access of the customer functions that is not the index's: scans, the audit, sweeps. */

/** One page of a table's items (the backfill and the sweeps). */
export async function scanPage(table: string, limit: number, startKey?: Record<string, unknown>): Promise<{ items: Record<string, unknown>[]; lastKey?: Record<string, unknown> }> {
  const out = await dynamo.send(new ScanCommand({ TableName: table, Limit: limit, ExclusiveStartKey: startKey, ConsistentRead: true }));
  return { items: out.Items ?? [], ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
}

/** Every item of a table, page by page (the quarantine and cursor sweeps: small tables). */
export async function* scanAll(table: string): AsyncGenerator<Record<string, unknown>> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await scanPage(table, 500, start);
    yield* page.items;
    start = page.lastKey;
  } while (start);
}

export async function deleteKey(table: string, key: Record<string, unknown>): Promise<boolean> {
  const out = await dynamo.send(new DeleteCommand({ TableName: table, Key: key, ReturnValues: 'ALL_OLD' }));
  return out.Attributes !== undefined;
}

/** A cursor item written back with what was removed from it, only if no poller moved it meanwhile. */
export async function rewriteCursor(table: string, item: Record<string, unknown>, value: unknown): Promise<boolean> {
  return conditionalWrite(() =>
    dynamo.send(
      new PutCommand({
        TableName: table,
        Item: { ...item, value, version: Number(item.version ?? 0) + 1, updatedAt: new Date().toISOString() },
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': item.version },
      }),
    ),
  );
}

/** An erasure's audit record: who, when, keyed hashes, counts; never the identifier. */
export interface ErasureRecord {
  readonly id: string;
  readonly subjectHash: string;
  readonly identifierHashes: readonly string[];
  readonly requestedBy: string;
  readonly startedAt: string;
  readonly state: 'running' | 'complete';
  readonly counts: Record<string, number>;
  readonly suppress: boolean;
  readonly calls: number;
  readonly completedAt?: string;
}

/** Port: the audit and the suppression list (table `customer-erasures`). */
export interface ErasureAudit {
  /** The unfinished erasure of this subject, if one was started. */
  running(subjectHash: string): Promise<ErasureRecord | undefined>;
  start(subjectHash: string, identifierHashes: readonly string[], requestedBy: string, suppress: boolean, now: string): Promise<ErasureRecord>;
  /** Adds this call's counts; `complete` closes it. */
  record(id: string, counts: Record<string, number>, complete: boolean, now: string): Promise<ErasureRecord>;
  suppress(identifierHashes: readonly string[], erasureId: string, now: string): Promise<void>;
}

export function dynamoErasureAudit(table: string): ErasureAudit {
  return {
    async running(subjectHash) {
      const out = await dynamo.send(
        new QueryCommand({ TableName: table, IndexName: 'bySubject', KeyConditionExpression: 'subjectHash = :h', ExpressionAttributeValues: { ':h': subjectHash }, ScanIndexForward: false, Limit: 1 }),
      );
      const item = out.Items?.[0];
      return item && item.state === 'running' ? (item as ErasureRecord) : undefined;
    },
    async start(subjectHash, identifierHashes, requestedBy, suppress, now) {
      const record: ErasureRecord = { id: `erasure#${randomUUID()}`, subjectHash, identifierHashes: [...identifierHashes], requestedBy, startedAt: now, state: 'running', counts: {}, suppress, calls: 0 };
      await dynamo.send(new PutCommand({ TableName: table, Item: record, ConditionExpression: 'attribute_not_exists(id)' }));
      return record;
    },
    async record(id, counts, complete, now) {
      const names: Record<string, string> = { '#s': 'state' };
      const values: Record<string, unknown> = { ':one': 1, ':now': now, ':s': complete ? 'complete' : 'running' };
      const adds = Object.entries(counts).map(([t, n], i) => {
        names[`#t${i}`] = t;
        values[`:n${i}`] = n;
        return `#c.#t${i} = if_not_exists(#c.#t${i}, :zero) + :n${i}`;
      });
      if (adds.length) {
        values[':zero'] = 0;
        names['#c'] = 'counts';
      }
      const out = await dynamo.send(
        new UpdateCommand({
          TableName: table,
          Key: { id },
          UpdateExpression: `SET ${[...adds, '#s = :s', 'updatedAt = :now', ...(complete ? ['completedAt = :now'] : [])].join(', ')} ADD calls :one`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ConditionExpression: 'attribute_exists(id)',
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as ErasureRecord;
    },
    async suppress(identifierHashes, erasureId, now) {
      for (const h of identifierHashes) {
        await dynamo.send(new PutCommand({ TableName: table, Item: { id: suppressionId(h), erasureId, suppressedAt: now } }));
      }
    },
  };
}
