/**
 * Counts what the hub asks of AWS, for the cost bench (`npm run bench -- cost`): every SDK request by
 * service and operation (a middleware on the shared clients of `#platform/aws.ts`, which every function
 * in the local runtime uses), DynamoDB write and read units per table and index, and the writes that
 * land on each index partition (for the hot-partition figure).
 *
 * DynamoDB units. dynalite answers `ReturnConsumedCapacity` with the table's units only. A write that
 * succeeds is charged the table units dynalite reports (1 WRU per started KB of the larger of the item
 * before and after, worked out inside dynalite on the item it changed, so concurrent writes to one item
 * cannot skew them) when its items are ASCII: dynalite measures text in UTF-16 units where DynamoDB
 * counts UTF-8 bytes, so for other text the units are worked out here from the items read before and
 * after. A write whose condition failed is charged 1 WRU per started KB of the larger of the item and
 * the attempted one. Index units are computed here from item sizes by DynamoDB's rules: the item
 * before and after each write is read with a separate, uncounted client; each global secondary index is charged for
 * the entry it writes (its projection of the item, per started KB): a new entry, a removed one, a
 * changed one (the larger of the two), or a delete plus a put when the entry's key changed; nothing
 * when the projected attributes did not change or the write's condition failed. Read units are what
 * dynalite reports (its reads follow DynamoDB's 4 KB rule, eventually consistent at half). Concurrent
 * writes to one item can make the before/after reads race the write, so index figures are exact for
 * sequential writes and close otherwise (the hub's indexed items are written once, or rarely).
 */
import { DescribeTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;
type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
interface Stack {
  add(mw: (next: Next, context: { commandName?: string }) => Next, options: { step: 'build' | 'serialize'; name: string; priority?: 'high' }): void;
  remove(name: string): boolean;
}

/** The size of an attribute value by DynamoDB's rules (names and strings in UTF-8 bytes). */
export function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.BS) return v.BS.reduce((n, b) => n + b.length, 0);
  if (v.L) return 3 + v.L.reduce((n, x) => n + 1 + valueSize(x), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + 1 + Buffer.byteLength(k, 'utf8') + valueSize(x), 0);
  return 0;
}

/** A number takes about one byte per two significant digits, plus one. */
function numberSize(n: string): number {
  const digits = n.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return 1 + Math.ceil(Math.max(1, digits.length) / 2);
}

/** An item's size: each attribute's name plus its value. */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + valueSize(v), 0);
}

const kb = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

const plain = (s: string): boolean => Buffer.byteLength(s, 'utf8') === s.length;

/** Whether a value's strings and map keys are ASCII. */
function asciiValue(v: AttributeValue): boolean {
  if (v.S !== undefined) return plain(v.S);
  if (v.SS) return v.SS.every(plain);
  if (v.L) return v.L.every(asciiValue);
  if (v.M) return asciiItem(v.M);
  return true;
}

/** Whether every name and string of an item is ASCII (where dynalite's sizes are DynamoDB's). */
function asciiItem(item: Item | undefined): boolean {
  return !item || Object.entries(item).every(([k, v]) => plain(k) && asciiValue(v));
}

interface IndexInfo {
  readonly name: string;
  readonly keys: readonly string[];
  readonly projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  readonly include: readonly string[];
}
interface TableInfo {
  readonly keys: readonly string[];
  readonly indexes: readonly IndexInfo[];
}

/** Units and requests, keyed `table` or `table/index`. */
export interface Units {
  wru: number;
  rru: number;
}

export interface CostSnapshot {
  /** `service:Operation` → billable requests (an SQS request per started 64 KB of payload). */
  readonly requests: Record<string, number>;
  readonly units: Record<string, Units>;
  /** `table/index` → writes on its busiest partition key value, and on all. */
  readonly partitions: Record<string, { readonly busiest: number; readonly total: number; readonly keys: number }>;
}

export interface CostMeter {
  /** While paused nothing is counted and no extra reads are made (a run whose durations are measured). */
  paused: boolean;
  snapshot(): CostSnapshot;
  reset(): void;
  stop(): void;
}

/**
 * Puts the counting middleware on the shared DynamoDB and SQS clients. `endpoint` is the dynalite the
 * hub runs (for the uncounted before/after reads).
 */
export async function startCostMeter(dynamoEndpoint: string): Promise<CostMeter> {
  const { dynamo, sqs } = await import('#platform/aws.ts');
  const side = new DynamoDBClient({ endpoint: dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  let requests = new Map<string, number>();
  let units = new Map<string, Units>();
  let partitions = new Map<string, Map<string, number>>();
  const tables = new Map<string, Promise<TableInfo>>();
  const info = (table: string): Promise<TableInfo> => {
    let p = tables.get(table);
    if (!p) {
      p = side.send(new DescribeTableCommand({ TableName: table })).then(({ Table: t }) => ({
        keys: (t?.KeySchema ?? []).map((k) => k.AttributeName ?? ''),
        indexes: (t?.GlobalSecondaryIndexes ?? []).map((ix) => ({
          name: ix.IndexName ?? '',
          keys: (ix.KeySchema ?? []).map((k) => k.AttributeName ?? ''),
          projection: (ix.Projection?.ProjectionType ?? 'ALL') as IndexInfo['projection'],
          include: ix.Projection?.NonKeyAttributes ?? [],
        })),
      }));
      tables.set(table, p);
    }
    return p;
  };
  const add = (key: string, u: Partial<Units>) => {
    const cur = units.get(key) ?? { wru: 0, rru: 0 };
    cur.wru += u.wru ?? 0;
    cur.rru += u.rru ?? 0;
    units.set(key, cur);
  };
  const count = (key: string, n = 1) => requests.set(key, (requests.get(key) ?? 0) + n);
  const keyOf = (t: TableInfo, item: Item): Item => Object.fromEntries(t.keys.map((k) => [k, item[k] as AttributeValue]));
  const get = async (table: string, key: Item): Promise<Item | undefined> => (await side.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;

  /** Charges one item write (before → after; `failed` when its condition failed). */
  const chargeWrite = async (table: string, t: TableInfo, before: Item | undefined, after: Item | undefined, attempted: Item | undefined, failed: boolean, reported?: number) => {
    add(table, { wru: reported ?? kb(Math.max(itemSize(before), itemSize(failed ? attempted : after))) });
    if (failed) return;
    for (const ix of t.indexes) {
      const entry = (item: Item | undefined): Item | undefined => {
        if (!item || ix.keys.some((k) => item[k] === undefined)) return undefined;
        if (ix.projection === 'ALL') return item;
        const keep = new Set([...t.keys, ...ix.keys, ...(ix.projection === 'INCLUDE' ? ix.include : [])]);
        return Object.fromEntries(Object.entries(item).filter(([k]) => keep.has(k)));
      };
      const a = entry(before);
      const b = entry(after);
      if (!a && !b) continue;
      const same = (x: Item, y: Item) => JSON.stringify(Object.entries(x).sort(([p], [q]) => p.localeCompare(q))) === JSON.stringify(Object.entries(y).sort(([p], [q]) => p.localeCompare(q)));
      let w = 0;
      if (a && b) {
        const keyChanged = ix.keys.some((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
        if (keyChanged) w = kb(itemSize(a)) + kb(itemSize(b));
        else if (!same(a, b)) w = kb(Math.max(itemSize(a), itemSize(b)));
      } else w = kb(itemSize(a ?? b));
      if (!w) continue;
      add(`${table}/${ix.name}`, { wru: w });
      const pk = ix.keys[0] ?? '';
      const value = JSON.stringify((b ?? a)?.[pk]);
      const parts = partitions.get(`${table}/${ix.name}`) ?? new Map<string, number>();
      parts.set(value, (parts.get(value) ?? 0) + 1);
      partitions.set(`${table}/${ix.name}`, parts);
    }
  };

  const meter = { paused: false };
  const dynamoMw = (next: Next, context: { commandName?: string }): Next => async (args) => {
    if (meter.paused) return next(args);
    const op = (context.commandName ?? 'unknown').replace(/Command$/, '');
    count(`dynamodb:${op}`);
    const input = args.input;
    const table = input.TableName as string | undefined;
    if (op === 'PutItem' || op === 'UpdateItem' || op === 'DeleteItem') {
      const t = await info(table ?? '');
      const key = op === 'PutItem' ? keyOf(t, input.Item as Item) : (input.Key as Item);
      const before = await get(table ?? '', key);
      try {
        const out = await next(args);
        // The units dynalite reports for the table (asked for below), when it reports them.
        const reported = (out.output.ConsumedCapacity as { CapacityUnits?: number } | undefined)?.CapacityUnits;
        const after = op === 'DeleteItem' ? undefined : await get(table ?? '', key);
        await chargeWrite(table ?? '', t, before, after, input.Item as Item | undefined, false, asciiItem(before) && asciiItem(after) ? reported : undefined);
        return out;
      } catch (err) {
        if ((err as Error).name === 'ConditionalCheckFailedException') await chargeWrite(table ?? '', t, before, before, (input.Item as Item | undefined) ?? before, true);
        throw err;
      }
    }
    if (op === 'BatchWriteItem') {
      const writes = Object.entries(input.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>);
      const befores = await Promise.all(
        writes.flatMap(([tn, reqs]) => reqs.map(async (r) => {
          const t = await info(tn);
          const key = r.PutRequest ? keyOf(t, r.PutRequest.Item) : (r.DeleteRequest?.Key ?? {});
          return { tn, t, key, before: await get(tn, key), put: r.PutRequest?.Item };
        })),
      );
      const out = await next(args);
      for (const b of befores) await chargeWrite(b.tn, b.t, b.before, b.put, b.put, false);
      return out;
    }
    if (op === 'GetItem' || op === 'Query' || op === 'Scan' || op === 'BatchGetItem') {
      const out = await next(args);
      const cc = out.output.ConsumedCapacity as { TableName?: string; CapacityUnits?: number; Table?: { CapacityUnits?: number }; GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> } | { TableName?: string; CapacityUnits?: number }[] | undefined;
      for (const c of Array.isArray(cc) ? cc : cc ? [cc] : []) {
        const gsis = 'GlobalSecondaryIndexes' in c ? c.GlobalSecondaryIndexes : undefined;
        if (gsis && Object.keys(gsis).length) for (const [ix, u] of Object.entries(gsis)) add(`${c.TableName ?? table}/${ix}`, { rru: u.CapacityUnits ?? 0 });
        else add(c.TableName ?? table ?? '', { rru: c.CapacityUnits ?? 0 });
      }
      return out;
    }
    return next(args);
  };
  const sqsMw = (next: Next, context: { commandName?: string }): Next => async (args) => {
    if (meter.paused) return next(args);
    const op = (context.commandName ?? 'unknown').replace(/Command$/, '');
    const payload = op === 'SendMessage' ? Buffer.byteLength(String(args.input.MessageBody ?? ''), 'utf8') : op === 'SendMessageBatch' ? (args.input.Entries as { MessageBody?: string }[]).reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? '', 'utf8'), 0) : 0;
    count(`sqs:${op}`, Math.max(1, Math.ceil(payload / 65_536)));
    return next(args);
  };
  // Requests ask for their units before they are serialized (reads: what dynalite reports; single-item
  // writes: the table's units).
  const askUnits = (next: Next, context: { commandName?: string }): Next => async (args) => {
    if (/^(GetItem|Query|Scan|BatchGetItem)Command$/.test(context.commandName ?? '')) return next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'INDEXES' } });
    if (/^(PutItem|UpdateItem|DeleteItem)Command$/.test(context.commandName ?? '') && args.input.ReturnConsumedCapacity === undefined) {
      const out = await next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
      // Asked for by the meter, not by the hub: the hub sees the answer it would have had.
      const { ConsumedCapacity: _units, ...output } = out.output;
      return { ...out, output };
    }
    return next(args);
  };
  (dynamo.middlewareStack as unknown as Stack).add(askUnits, { step: 'serialize', priority: 'high', name: 'costMeterAskUnits' });
  (dynamo.middlewareStack as unknown as Stack).add(dynamoMw, { step: 'build', name: 'costMeterDynamo' });
  (sqs.middlewareStack as unknown as Stack).add(sqsMw, { step: 'build', name: 'costMeterSqs' });
  return Object.assign(meter, {
    snapshot() {
      return {
        requests: Object.fromEntries(requests),
        units: Object.fromEntries([...units].map(([k, u]) => [k, { ...u }])),
        partitions: Object.fromEntries(
          [...partitions].map(([k, m]) => [k, { busiest: Math.max(0, ...m.values()), total: [...m.values()].reduce((a, b) => a + b, 0), keys: m.size }]),
        ),
      };
    },
    reset() {
      requests = new Map();
      units = new Map();
      partitions = new Map();
    },
    stop() {
      (dynamo.middlewareStack as unknown as Stack).remove('costMeterDynamo');
      (dynamo.middlewareStack as unknown as Stack).remove('costMeterAskUnits');
      (sqs.middlewareStack as unknown as Stack).remove('costMeterSqs');
      side.destroy();
    },
  });
}
