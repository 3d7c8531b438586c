import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Contribution, Slots } from '#rungopher/domain/contact-view.ts';
import { isSlot } from '#rungopher/domain/contact-view.ts';
import { conditionalWrite, dynamo, isConditionFailed } from '#platform/aws.ts';

/** A stored result row. */
export interface StoredResult {
  readonly id: string;
  readonly campaignId: string;
  readonly contactId: string;
  readonly campaignContact: string;
  readonly resultType: string;
  readonly resultName: string;
  readonly sortKey: string;
  readonly timeBucket: string;
  /** The validated result (ids as strings); `raw` has it byte for byte. */
  readonly result: Record<string, unknown>;
  /** The exact JSON text the result came in, kept for replay. */
  readonly raw: string;
  readonly source: 'webhook' | 'poller' | 'replay';
  readonly storedAt: string;
  readonly requestId?: string;
}

/** Port: the results table. */
export interface ResultTable {
  /** Writes the row unless a row with its id exists; false when it did (a duplicate). */
  putOnce(row: StoredResult): Promise<boolean>;
  query(q: ResultQuery): Promise<{ items: StoredResult[]; lastKey?: Record<string, unknown> }>;
  /** One page of every stored row, in no particular order, for replay. */
  scan(limit: number, startKey?: Record<string, unknown>): Promise<{ items: StoredResult[]; lastKey?: Record<string, unknown> }>;
}

export interface ResultQuery {
  readonly index: 'byContact' | 'byCampaign' | 'byTime';
  readonly partitionValue: string;
  /** Sort keys strictly greater than this. */
  readonly sortKeyAfter?: string;
  readonly resultName?: string;
  readonly limit: number;
  readonly startKey?: Record<string, unknown>;
}

/** Port: the contact view table. */
export interface ContactTable {
  /**
   * Raises one slot to the contribution if its rank is higher than what the slot holds; with
   * `rewriteEqual` (replay) also when equal, so a value recomputed by a corrected rule replaces the
   * one stored for the same result.
   */
  apply(campaignContact: string, campaignId: string, contactId: string, c: Contribution, options?: { rewriteEqual?: boolean }): Promise<'applied' | 'older'>;
  get(campaignContact: string): Promise<Slots | undefined>;
}

const PARTITION_OF_INDEX = { byContact: 'campaignContact', byCampaign: 'campaignId', byTime: 'timeBucket' } as const;

/** DynamoDB results table; every write a permanent conditional put on `id`. */
export function dynamoResultTable(table: string): ResultTable {
  return {
    async putOnce(row) {
      return conditionalWrite(() => dynamo.send(new PutCommand({ TableName: table, Item: row, ConditionExpression: 'attribute_not_exists(id)' })));
    },
    async query(q) {
      const names: Record<string, string> = { '#p': PARTITION_OF_INDEX[q.index] };
      const values: Record<string, unknown> = { ':p': q.partitionValue };
      let key = '#p = :p';
      if (q.sortKeyAfter !== undefined) {
        names['#s'] = 'sortKey';
        values[':s'] = q.sortKeyAfter;
        key += ' AND #s > :s';
      }
      let filter: string | undefined;
      if (q.resultName !== undefined) {
        names['#n'] = 'resultName';
        values[':n'] = q.resultName;
        filter = '#n = :n';
      }
      const out = await dynamo.send(
        new QueryCommand({
          TableName: table,
          IndexName: q.index,
          KeyConditionExpression: key,
          FilterExpression: filter,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          Limit: q.limit,
          ExclusiveStartKey: q.startKey,
        }),
      );
      return { items: (out.Items ?? []) as StoredResult[], ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
    },
    async scan(limit, startKey) {
      const out = await dynamo.send(new ScanCommand({ TableName: table, Limit: limit, ExclusiveStartKey: startKey }));
      return { items: (out.Items ?? []) as StoredResult[], ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
    },
  };
}

/** DynamoDB contact view: one item per contact, one attribute per slot, each raised conditionally. */
export function dynamoContactTable(table: string): ContactTable {
  return {
    async apply(campaignContact, campaignId, contactId, c, options) {
      try {
        await dynamo.send(
          new UpdateCommand({
            TableName: table,
            Key: { campaignContact },
            UpdateExpression: 'SET #slot = :v, campaignId = :c, contactId = :ct',
            ConditionExpression: options?.rewriteEqual ? 'attribute_not_exists(#slot) OR #slot.#rank <= :rank' : 'attribute_not_exists(#slot) OR #slot.#rank < :rank',
            ExpressionAttributeNames: { '#slot': c.slot, '#rank': 'rank' },
            ExpressionAttributeValues: { ':v': { rank: c.rank, value: c.value }, ':rank': c.rank, ':c': campaignId, ':ct': contactId },
          }),
        );
        return 'applied';
      } catch (err) {
        if (isConditionFailed(err)) return 'older';
        throw err;
      }
    },
    async get(campaignContact) {
      const out = await dynamo.send(new GetCommand({ TableName: table, Key: { campaignContact }, ConsistentRead: true }));
      if (!out.Item) return undefined;
      return Object.fromEntries(Object.entries(out.Item).filter(([k]) => isSlot(k))) as Slots;
    },
  };
}
