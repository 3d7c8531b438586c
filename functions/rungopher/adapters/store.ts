import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Contribution, Slots } from '#rungopher/domain/contact-view.ts';
import { isSlot } from '#rungopher/domain/contact-view.ts';
import { conditionalWrite, dynamo } from '#platform/aws.ts';
import { slotDigest } from './store-keys.ts';

export { CONTACT_KEYS, RESULT_KEYS, contactSlotItem } from './store-keys.ts';

/** A stored result row. */
export interface StoredResult {
  readonly id: string;
  /**
   * The campaign's id, on rows written before the campaign shards only (it keys the legacy
   * `byCampaign` index; a new row leaving it out is not written there). Read it with `rowCampaignId`.
   */
  readonly campaignId?: string;
  /** The row's `byCampaignShard` partition: `<campaignId>#<shard>` (see `campaignShardOf`). */
  readonly campaignShard?: string;
  readonly contactId: string;
  /** `["<campaignId>","<contactId>"]` (`campaignContactKey`). */
  readonly campaignContact: string;
  readonly resultType: string;
  readonly resultName: string;
  readonly sortKey: string;
  readonly timeBucket: string;
  /**
   * The exact JSON text the result came in, kept once (a parsed copy beside it would double the item):
   * the query and replay use cases parse it on read.
   */
  readonly raw: string;
  readonly source: 'webhook' | 'poller' | 'replay';
  readonly storedAt: string;
  readonly requestId?: string;
  /** Epoch seconds after which DynamoDB TTL deletes the row (RETENTION_RAW_BODIES_DAYS). */
  readonly expiresAt?: number;
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
  readonly index: 'byContact' | 'byCampaign' | 'byCampaignShard' | 'byTime';
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
  apply(campaignContact: string, campaignId: string, contactId: string, c: Contribution, options?: { rewriteEqual?: boolean }): Promise<ContactApplyOutcome>;
  get(campaignContact: string): Promise<Slots | undefined>;
  /**
   * Raises every slot of one result in a single write, only if each of them would be raised by
   * {@link apply} alone (and each new slot's class has room for all the new ones): true when written,
   * false when nothing was written and the caller must apply them one by one. One request instead of
   * one per slot, on the common path where a result is newer than what its slots hold.
   */
  applyAll?(campaignContact: string, campaignId: string, contactId: string, cs: readonly Contribution[]): Promise<boolean>;
}

/**
 * What applying a contribution did: raised its slot, found it holding this same contribution (applied
 * before), found it holding a higher rank, or found no room
 * for a new slot in the contact's item (counted in its `droppedSlots`, once per refusal: a redelivered
 * result counts again; the result itself is stored).
 */
export type ContactApplyOutcome = 'applied' | 'same' | 'older' | 'dropped';

const PARTITION_OF_INDEX = { byContact: 'campaignContact', byCampaign: 'campaignId', byCampaignShard: 'campaignShard', byTime: 'timeBucket' } as const;

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
      const names = { '#slot': c.slot, '#rank': 'rank', '#set': c.budget.set };
      // One request in the common cases: a new slot is made while its class has room (its digest
      // added to the class's set, which a raise adds again without effect), an existing one raised.
      const applied = await conditionalWrite(() =>
        dynamo.send(
          new UpdateCommand({
            TableName: table,
            Key: { campaignContact },
            UpdateExpression: 'SET #slot = :v, campaignId = :c, contactId = :ct ADD #set :d',
            ConditionExpression: `(attribute_not_exists(#slot) AND (attribute_not_exists(#set) OR size(#set) < :cap)) OR #slot.#rank ${options?.rewriteEqual ? '<=' : '<'} :rank`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':v': { rank: c.rank, value: c.value }, ':c': campaignId, ':ct': contactId, ':d': new Set([slotDigest(c.slot)]), ':cap': c.budget.cap, ':rank': c.rank },
          }),
        ),
      );
      if (applied) return 'applied';
      // Refused: the slot holds this rank or a higher one, or it is new and its class is full (a
      // class never shrinks, so a slot absent now was absent then).
      const out = await dynamo.send(new GetCommand({ TableName: table, Key: { campaignContact }, ProjectionExpression: '#slot.#rank', ExpressionAttributeNames: { '#slot': c.slot, '#rank': 'rank' }, ConsistentRead: true }));
      const held = out.Item?.[c.slot] as { rank?: unknown } | undefined;
      // The slot holds this very contribution: an earlier delivery applied it.
      if (held !== undefined) return held.rank === c.rank ? 'same' : 'older';
      await dynamo.send(new UpdateCommand({ TableName: table, Key: { campaignContact }, UpdateExpression: 'ADD droppedSlots :one', ExpressionAttributeValues: { ':one': 1 } }));
      return 'dropped';
    },
    async applyAll(campaignContact, campaignId, contactId, cs) {
      const names: Record<string, string> = { '#rank': 'rank' };
      const values: Record<string, unknown> = { ':c': campaignId, ':ct': contactId };
      const sets = new Map<string, { cap: number; digests: Set<string>; n: number }>();
      const assign: string[] = ['campaignId = :c', 'contactId = :ct'];
      const conditions: string[] = [];
      cs.forEach((c, i) => {
        names[`#s${i}`] = c.slot;
        values[`:v${i}`] = { rank: c.rank, value: c.value };
        values[`:r${i}`] = c.rank;
        assign.push(`#s${i} = :v${i}`);
        const set = sets.get(c.budget.set) ?? { cap: c.budget.cap, digests: new Set<string>(), n: 0 };
        set.digests.add(slotDigest(c.slot));
        set.n++;
        sets.set(c.budget.set, set);
        conditions.push(`(attribute_not_exists(#s${i}) OR #s${i}.#rank < :r${i})`);
      });
      const adds: string[] = [];
      [...sets].forEach(([setName, set], j) => {
        names[`#set${j}`] = setName;
        values[`:d${j}`] = set.digests;
        // Room for every slot of the class as if all were new: each alone would have found room.
        values[`:room${j}`] = set.cap - set.n;
        adds.push(`#set${j} :d${j}`);
        conditions.push(`(attribute_not_exists(#set${j}) OR size(#set${j}) <= :room${j})`);
      });
      return conditionalWrite(() =>
        dynamo.send(
          new UpdateCommand({
            TableName: table,
            Key: { campaignContact },
            UpdateExpression: `SET ${assign.join(', ')} ADD ${adds.join(', ')}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },
    async get(campaignContact) {
      const out = await dynamo.send(new GetCommand({ TableName: table, Key: { campaignContact }, ConsistentRead: true }));
      if (!out.Item) return undefined;
      return Object.fromEntries(Object.entries(out.Item).filter(([k]) => isSlot(k))) as Slots;
    },
  };
}
