import { createHmac } from 'node:crypto';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionFailed, queryAll } from './aws.ts';
import { optionalSecretValue, tableName } from './config.ts';
import { logger } from './observability.ts';
import { entryMatches, refId, type CustomerLink, type EntriesRef, type ListedRecord, type RecordRef } from './identity.ts';

/**
 * The customer index: one row per (identifier, record) that a stored record carries, so the hub can
 * find everything about a person from a phone number, an e-mail address or a vendor's own id. Rows are
 * written at store time by each vendor's store path ({@link linkCustomer}) and by the backfill; every
 * write is idempotent and order-independent (the row keeps the newest time and the union of the
 * identifiers any copy named), so redeliveries and reorderings give the same index.
 *
 * Table `customer-index`: partition `identifier` (`phone:+61…`, `email:…`, `<vendor>:<kind>:<id>`),
 * sort `ref` (the record's {@link refId}).
 */

/** A row of the index as stored. */
export interface IndexRow {
  readonly identifier: string;
  readonly ref: string;
  readonly vendor: string;
  readonly kind: string;
  readonly at: string;
  readonly label?: string;
  readonly path: string;
  readonly identifiers: readonly string[];
  readonly target: RecordRef;
  readonly also: readonly RecordRef[];
  /** Records listed through this row (`CustomerLink.lists`); absent on rows written before them. */
  readonly lists?: readonly ListedRecord[];
}

/** Port: the customer index. */
export interface CustomerIndex {
  /** Writes one row per identifier of each link; idempotent. */
  link(links: readonly CustomerLink[]): Promise<void>;
  /** Every row under one identifier. */
  rows(identifier: string): Promise<IndexRow[]>;
  /** Deletes one row (absent is fine). */
  unlink(identifier: string, ref: string): Promise<void>;
}

/** DynamoDB customer index over table `table`. */
export function dynamoCustomerIndex(table: string): CustomerIndex {
  return {
    async link(links) {
      // One request per row, all at once: a stored record waits one round trip, not one per identifier.
      const writes: Promise<void>[] = [];
      for (const l of links) {
        const ref = refId(l.ref);
        const ids = new Set(l.identifiers);
        for (const identifier of ids) writes.push(linkRow(table, identifier, ref, l, ids));
      }
      await Promise.all(writes);
    },
    async rows(identifier) {
      const items = await queryAll({ TableName: table, KeyConditionExpression: 'identifier = :i', ExpressionAttributeValues: { ':i': identifier }, ConsistentRead: true });
      return items.map(toRow);
    },
    async unlink(identifier, ref) {
      await dynamo.send(new DeleteCommand({ TableName: table, Key: { identifier, ref } }));
    },
  };
}

async function linkRow(table: string, identifier: string, ref: string, l: CustomerLink, ids: Set<string>): Promise<void> {
  const values = { ':v': l.vendor, ':k': l.kind, ':at': l.at, ':p': l.path, ':t': l.ref, ':a': l.also ?? [], ':ids': ids, ...(l.label !== undefined ? { ':l': l.label } : {}), ...(l.lists?.length ? { ':ls': l.lists } : {}) };
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: table,
        Key: { identifier, ref },
        // The newest time wins whatever the order copies arrive in; identifiers are a union.
        UpdateExpression: `SET vendor = :v, kind = :k, #at = :at, #path = :p, target = :t, also = :a${l.label !== undefined ? ', label = :l' : ''}${l.lists?.length ? ', lists = :ls' : ''} ADD identifiers :ids`,
        ConditionExpression: 'attribute_not_exists(#at) OR #at <= :at',
        ExpressionAttributeNames: { '#at': 'at', '#path': 'path' },
        ExpressionAttributeValues: values,
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    // An older copy: it may still name an identifier the newer one did not.
    await dynamo.send(new UpdateCommand({ TableName: table, Key: { identifier, ref }, UpdateExpression: 'ADD identifiers :ids', ExpressionAttributeValues: { ':ids': ids } }));
  }
}

function toRow(item: Record<string, unknown>): IndexRow {
  const ids = item.identifiers;
  return {
    identifier: String(item.identifier),
    ref: String(item.ref),
    vendor: String(item.vendor),
    kind: String(item.kind),
    at: String(item.at),
    ...(typeof item.label === 'string' ? { label: item.label } : {}),
    path: String(item.path),
    identifiers: ids instanceof Set ? [...(ids as Set<string>)].map(String).sort() : Array.isArray(ids) ? ids.map(String) : [],
    target: item.target as RecordRef,
    also: Array.isArray(item.also) ? (item.also as RecordRef[]) : [],
    ...(Array.isArray(item.lists) && item.lists.length ? { lists: item.lists as ListedRecord[] } : {}),
  };
}

/**
 * A keyed hash of an identifier (HMAC-SHA256 with `CUSTOMER_HASH_KEY` of secret `customers`): what
 * the erasure audit and the suppression list keep instead of the identifier itself. Without the key
 * the hash cannot be tested against a guessed phone number.
 */
export function identifierHash(key: string, identifier: string): string {
  return createHmac('sha256', key).update(identifier, 'utf8').digest('hex');
}

/** The id of a suppression entry in table `customer-erasures`. */
export const suppressionId = (hash: string): string => `suppress#${hash}`;

/**
 * Links stored records to the identifiers they carry; the one call every store path makes after
 * its write. With suppression on (`CUSTOMER_SUPPRESSION=true`) a record carrying a suppressed
 * identifier is not linked but erased again at once (its refs deleted), so a person who asked to be
 * forgotten and suppressed is not stored again by a later webhook or poll.
 */
export async function linkCustomer(index: CustomerIndex, links: readonly CustomerLink[], suppression?: Suppression): Promise<{ linked: number; suppressed: number }> {
  if (links.length === 0) return { linked: 0, suppressed: 0 };
  const keep: CustomerLink[] = [];
  let suppressed = 0;
  for (const l of links) {
    if (suppression && (await suppression.isSuppressed(l.identifiers))) {
      suppressed++;
      for (const ref of [l.ref, ...(l.also ?? [])]) await eraseRef(ref);
    } else keep.push(l);
  }
  await index.link(keep);
  logger.debug('Customer index linked', { vendor: links[0]?.vendor, records: keep.length, identifiers: keep.flatMap((l) => l.identifiers) });
  if (suppressed > 0) logger.info('Records of a suppressed customer erased at store time', { vendor: links[0]?.vendor, suppressed });
  return { linked: keep.length, suppressed };
}

/** Port: the suppression list. */
export interface Suppression {
  isSuppressed(identifiers: readonly string[]): Promise<boolean>;
}

/** Suppression over table `customer-erasures`, hashing with the key read from secret `customers`. */
export function dynamoSuppression(table: string): Suppression {
  return {
    async isSuppressed(identifiers) {
      const key = await optionalSecretValue('customers', 'CUSTOMER_HASH_KEY');
      if (!key || identifiers.length === 0) return false;
      const keys = [...new Set(identifiers)].slice(0, 100).map((i) => ({ id: suppressionId(identifierHash(key, i)) }));
      const out = await dynamo.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ProjectionExpression: 'id' } } }));
      return (out.Responses?.[table]?.length ?? 0) > 0;
    },
  };
}

// ---- Generic reads and deletes of what a ref names (the customer functions, and suppression) ----

/** Every item a ref names, read by the table's physical name from the function's environment. */
export async function readRef(ref: RecordRef): Promise<Record<string, unknown>[]> {
  const TableName = tableName(ref.table);
  if (ref.scope === 'item') {
    const out = await dynamo.send(new GetCommand({ TableName, Key: ref.key, ConsistentRead: true }));
    return out.Item ? [out.Item] : [];
  }
  if (ref.scope === 'entries') {
    const out = await dynamo.send(new GetCommand({ TableName, Key: ref.key, ConsistentRead: true }));
    const list = out.Item?.[ref.list];
    return Array.isArray(list) ? list.filter((e) => entryMatches(ref, e)).map((e) => (e && typeof e === 'object' ? (e as Record<string, unknown>) : { value: e })) : [];
  }
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const cond = Object.entries(ref.key).map(([k, v], i) => {
    names[`#k${i}`] = k;
    values[`:k${i}`] = v;
    return `#k${i} = :k${i}`;
  });
  return queryAll({ TableName, ...(ref.scope === 'index' ? { IndexName: ref.index } : { ConsistentRead: true }), KeyConditionExpression: cond.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values });
}

/**
 * Whether anything a ref names is still stored (the timeline lists a record only then: one expired by
 * retention, or deleted, is not shown, whatever its index rows say). One small read: the item's key,
 * or the first item of a partition or an index partition.
 */
export async function refExists(ref: RecordRef): Promise<boolean> {
  if (ref.scope === 'entries') return (await readRef(ref)).length > 0;
  const TableName = tableName(ref.table);
  const names: Record<string, string> = {};
  const keys = Object.keys(ref.key).map((k, i) => {
    names[`#k${i}`] = k;
    return `#k${i}`;
  });
  if (ref.scope === 'item') {
    const out = await dynamo.send(new GetCommand({ TableName, Key: ref.key, ConsistentRead: true, ProjectionExpression: keys.join(', '), ExpressionAttributeNames: names }));
    return out.Item !== undefined;
  }
  const values = Object.fromEntries(Object.values(ref.key).map((v, i) => [`:k${i}`, v]));
  const out = await dynamo.send(
    new QueryCommand({
      TableName,
      ...(ref.scope === 'index' ? { IndexName: ref.index } : { ConsistentRead: true }),
      KeyConditionExpression: keys.map((k, i) => `${k} = :k${i}`).join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      Limit: 1,
    }),
  );
  return (out.Count ?? 0) > 0;
}

/**
 * Replaces the entries an {@link EntriesRef} names, in place; the number replaced. The write is
 * conditional on the item's `erasedVersion` as read, so two erasures of people in the same item do not
 * undo each other: the loser reads again (at most 5 times).
 */
async function eraseEntries(TableName: string, ref: EntriesRef): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const out = await dynamo.send(new GetCommand({ TableName, Key: ref.key, ConsistentRead: true }));
    const list = out.Item?.[ref.list];
    if (!out.Item || !Array.isArray(list)) return 0;
    let n = 0;
    const replaced = list.map((e: unknown) => {
      if (!entryMatches(ref, e)) return e;
      n++;
      return 'field' in ref.match ? { [ref.match.field]: ref.match.equals, erased: true } : '[erased]';
    });
    if (n === 0) return 0;
    try {
      const version = typeof out.Item.erasedVersion === 'number' ? out.Item.erasedVersion : 0;
      await dynamo.send(
        new PutCommand({
          TableName,
          Item: { ...out.Item, [ref.list]: replaced, erasedVersion: version + 1 },
          ConditionExpression: version === 0 ? 'attribute_not_exists(erasedVersion)' : 'erasedVersion = :v',
          ...(version === 0 ? {} : { ExpressionAttributeValues: { ':v': version } }),
        }),
      );
      return n;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }
  throw new Error(`The list ${ref.list} of a ${ref.table} item kept changing while being erased; erase again`);
}

function keyOf(ref: Extract<RecordRef, { tableKey: readonly string[] }>, item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(ref.tableKey.map((a) => [a, item[a]]));
}

/** Deletes every item a ref names; the number deleted. Deleting what is gone already is a no-op. */
export async function eraseRef(ref: RecordRef, onItem?: (item: Record<string, unknown>) => void): Promise<number> {
  const TableName = tableName(ref.table);
  if (ref.scope === 'item') {
    const out = await dynamo.send(new DeleteCommand({ TableName, Key: ref.key, ReturnValues: 'ALL_OLD' }));
    if (out.Attributes) onItem?.(out.Attributes);
    return out.Attributes ? 1 : 0;
  }
  if (ref.scope === 'entries') return eraseEntries(TableName, ref);
  let n = 0;
  for (const item of await readRef(ref)) {
    onItem?.(item);
    const out = await dynamo.send(new DeleteCommand({ TableName, Key: keyOf(ref, item), ReturnValues: 'ALL_OLD' }));
    if (out.Attributes) n++;
  }
  return n;
}

/** Port of a store path: link what it just stored (see {@link linkCustomer}). */
export type CustomerLinker = (links: readonly CustomerLink[]) => Promise<void>;

/**
 * The linker of a function that stores customer data: table `customer-index` (`TABLE_CUSTOMER_INDEX`),
 * and, when `CUSTOMER_SUPPRESSION=true`, the suppression list in `customer-erasures`. Made once per
 * process, on first use; `table` given, the index table is not read from the environment.
 */
export function customerLinker(table?: string): CustomerLinker {
  let made: { index: CustomerIndex; suppression?: Suppression } | undefined;
  return async (links) => {
    made ??= {
      index: dynamoCustomerIndex(table ?? tableName('customer-index')),
      ...(process.env.CUSTOMER_SUPPRESSION === 'true' ? { suppression: dynamoSuppression(tableName('customer-erasures')) } : {}),
    };
    await linkCustomer(made.index, links, made.suppression);
  };
}
