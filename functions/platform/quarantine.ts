import { createHash, randomUUID } from 'node:crypto';
import { expiry } from './retention.ts';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionFailed } from './aws.ts';

/** A body the hub accepted as authentic but could not use. */
export interface QuarantineEntry {
  readonly vendor: string;
  readonly reason: string;
  /** The body as received. */
  readonly body: Buffer | string;
  readonly requestId?: string;
  readonly receivedAt: string;
  /** Where it was caught: the webhook, the processor (a message already queued), or a poller. */
  readonly stage: 'webhook' | 'processor' | 'poller';
  /**
   * Where a retry re-submits the body: the declared queue of its vendor's pipeline at this stage, as
   * a queue envelope around the body (`envelope`, what webhooks and pollers queue) or as the message
   * itself (`message`, a queue's own message). Absent: the body cannot be re-submitted (a poller
   * re-reads it from the vendor instead).
   */
  readonly retry?: { readonly queue: string; readonly as: 'envelope' | 'message'; readonly source?: 'webhook' | 'poller' };
}

/** A quarantined body as stored. */
export interface QuarantineItem {
  readonly id: string;
  readonly vendor: string;
  readonly reason: string;
  readonly body: string;
  readonly bodyEncoding: 'utf8' | 'base64';
  readonly bodyBytes: number;
  readonly bodySha256: string;
  readonly truncated: boolean;
  readonly requestId?: string;
  readonly receivedAt: string;
  readonly stage: QuarantineEntry['stage'];
  readonly retry?: QuarantineEntry['retry'];
  /** Set by a retry; a body quarantined again afterwards replaces the item (without it). */
  readonly retriedAt?: string;
  readonly retriedBy?: string;
  readonly retries?: number;
}

/** Where a body was kept: its id, and whether this call created the entry (false: kept before). */
export interface QuarantineReceipt {
  readonly id: string;
  readonly created: boolean;
  /**
   * Kept before, by a put whose announcement never completed (see {@link announcingQuarantine}): that
   * put failed, so nobody counted or announced the entry yet.
   */
  readonly unannounced?: boolean;
}

/**
 * Port: the quarantine store. Putting the same body again returns the same id with `created: false`,
 * so callers count and alarm on new entries only.
 */
export interface Quarantine {
  /** `announcing`: the caller announces the entry and marks it announced once it has. */
  put(entry: QuarantineEntry, options?: { readonly announcing?: boolean }): Promise<QuarantineReceipt>;
  /** Marks an entry made by an announcing put as announced. */
  markAnnounced?(id: string): Promise<void>;
}

/** Bodies above this are kept truncated (DynamoDB items stop at 400 KB), with their length and digest. */
export const MAX_QUARANTINED_BODY_BYTES = 200 * 1024;
/** Characters of a reason the item keeps, and its `hub.quarantined` event says. */
const MAX_REASON_CHARS = 2000;

/**
 * The id of a quarantined body: vendor, stage and the body's SHA-256. A vendor that resends the same
 * body (Rungopher does, forever) or a poller that re-reads it lands on the same item, so each body is
 * quarantined, and alarmed on, once.
 */
export function quarantineId(entry: Pick<QuarantineEntry, 'vendor' | 'stage' | 'body'>): string {
  return `${entry.vendor}#${entry.stage}#${createHash('sha256').update(entry.body).digest('hex')}`;
}

/** DynamoDB quarantine: one item per distinct body, kept until an operator replays or deletes it. */
export function dynamoQuarantine(table: string): Quarantine {
  return {
    async put(entry, options) {
      const id = quarantineId(entry);
      const buf = typeof entry.body === 'string' ? Buffer.from(entry.body, 'utf8') : entry.body;
      const kept = buf.length > MAX_QUARANTINED_BODY_BYTES ? buf.subarray(0, MAX_QUARANTINED_BODY_BYTES) : buf;
      const text = kept.toString('utf8');
      const utf8 = Buffer.from(text, 'utf8').equals(kept);
      let created = true;
      // This call's own mark: the SDK resends the same request when it retries (a timeout, a 500),
      // while a vendor's resend or a queue's redelivery of the body is another call with another mark.
      const putId = randomUUID();
      try {
        await dynamo.send(
          new PutCommand({
            TableName: table,
            Item: {
              id,
              putId,
              vendor: entry.vendor,
              reason: entry.reason.slice(0, MAX_REASON_CHARS),
              body: utf8 ? text : kept.toString('base64'),
              bodyEncoding: utf8 ? 'utf8' : 'base64',
              bodyBytes: buf.length,
              bodySha256: id.slice(id.lastIndexOf('#') + 1),
              truncated: kept.length < buf.length,
              requestId: entry.requestId,
              receivedAt: entry.receivedAt,
              stage: entry.stage,
              ...(entry.retry ? { retry: entry.retry } : {}),
              // Until the caller has announced it (markAnnounced removes it): a put whose announcement
              // failed leaves it, so the next put of the body counts and announces it.
              ...(options?.announcing ? { announced: false } : {}),
              ...expiry('QUARANTINE', entry.receivedAt),
            },
            // A body quarantined again after a retry is news again: the retried item is replaced.
            ConditionExpression: 'attribute_not_exists(id) OR attribute_exists(retriedAt)',
          }),
        );
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
        // Already quarantined: the first copy is kept, nothing new to alarm on. Unless that copy is this
        // call's own: the SDK's retry of a put that had landed fails its condition on the item the first
        // attempt wrote, and the quarantine is still news (counted, so alarmed on, not lost).
        const first = await dynamo.send(new GetCommand({ TableName: table, Key: { id }, ProjectionExpression: 'putId, announced', ConsistentRead: true }));
        created = first.Item?.putId === putId;
        if (!created && first.Item?.announced === false) return { id, created, unannounced: true };
      }
      return { id, created };
    },
    async markAnnounced(id) {
      await dynamo.send(new UpdateCommand({ TableName: table, Key: { id }, UpdateExpression: 'REMOVE announced', ConditionExpression: 'attribute_exists(id)' })).catch((err: unknown) => {
        // Gone (deleted by an operator, or expired): nothing to mark.
        if (!isConditionFailed(err)) throw err;
      });
    },
  };
}

/** Reading and retrying quarantined bodies (the operator routes). */
export interface QuarantineReader {
  /** One page in table order from `start` (an id), and the id after which the next page starts. */
  page(limit: number, start: string | undefined): Promise<{ items: QuarantineItem[]; next: string | undefined }>;
  get(id: string): Promise<QuarantineItem | undefined>;
  /** Marks an item retried by `who`; false when it is gone. */
  markRetried(id: string, who: string, at: string): Promise<boolean>;
  /** Items in the table (a scan, counted). */
  count(): Promise<number>;
  /** Items marked retried and not quarantined again since. */
  countRetried(): Promise<number>;
}

export function dynamoQuarantineReader(table: string): QuarantineReader {
  return {
    async page(limit, start) {
      const items: QuarantineItem[] = [];
      let key: Record<string, unknown> | undefined = start === undefined ? undefined : { id: start };
      // A scan page may be empty while more follow: read on until the page is full or the table ends.
      do {
        const out = await dynamo.send(new ScanCommand({ TableName: table, Limit: limit - items.length, ExclusiveStartKey: key }));
        items.push(...((out.Items ?? []) as QuarantineItem[]));
        key = out.LastEvaluatedKey;
      } while (key && items.length < limit);
      return { items, next: key ? String(key.id) : undefined };
    },
    async get(id) {
      const out = await dynamo.send(new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true }));
      return out.Item as QuarantineItem | undefined;
    },
    async markRetried(id, who, at) {
      try {
        await dynamo.send(
          new UpdateCommand({
            TableName: table,
            Key: { id },
            UpdateExpression: 'SET retriedAt = :at, retriedBy = :who ADD retries :one',
            ConditionExpression: 'attribute_exists(id)',
            ExpressionAttributeValues: { ':at': at, ':who': who, ':one': 1 },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },
    count: () => countWhere(table),
    countRetried: () => countWhere(table, 'attribute_exists(retriedAt)'),
  };
}

async function countWhere(table: string, filter?: string): Promise<number> {
  let n = 0;
  let key: Record<string, unknown> | undefined;
  do {
    const out = await dynamo.send(new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey: key, ...(filter ? { FilterExpression: filter } : {}) }));
    n += out.Count ?? 0;
    key = out.LastEvaluatedKey;
  } while (key);
  return n;
}

/**
 * What the `hub.quarantined` event of one put says: its data (never the body: it may hold personal
 * data) and its time. `quarantine-events.ts` makes the event of it and publishes it.
 */
export interface QuarantineNotice {
  readonly quarantineId: string;
  readonly vendor: string;
  readonly stage: QuarantineEntry['stage'];
  /** The reason, at most {@link MAX_REASON_CHARS} characters (as the item keeps it). */
  readonly reason: string;
  readonly receivedAt: string;
  readonly bodyBytes: number;
  /** When the put was made (ISO-8601): the event's `time`. */
  readonly time: string;
}

/** The notice of a put, made when it returned. */
export function quarantineNotice(entry: QuarantineEntry, receipt: QuarantineReceipt, time: Date): QuarantineNotice {
  const bodyBytes = typeof entry.body === 'string' ? Buffer.byteLength(entry.body) : entry.body.length;
  return { quarantineId: receipt.id, vendor: entry.vendor, stage: entry.stage, reason: entry.reason.slice(0, MAX_REASON_CHARS), receivedAt: entry.receivedAt, bodyBytes, time: time.toISOString() };
}

/**
 * A quarantine that hands the notice of each put to `announce`, after the item is written, on every
 * put (also of a body kept before: the earlier put may have died before announcing; the event id is
 * the same, so subscribers see it once). The put resolves only once `announce` did: a failure fails
 * the put, so the caller's retry (a vendor's resend, a redelivery) announces again. Until then the
 * item is marked unannounced, and the put that announces it says `created` (the failed one counted
 * nothing), so the body is counted and alarmed on once; twice if two puts of it overlap while the
 * first announces, or if the mark's removal fails after an announcement.
 */
export function announcingQuarantine(inner: Quarantine, announce: (notice: QuarantineNotice) => Promise<unknown>, now: () => Date = () => new Date()): Quarantine {
  return {
    async put(entry) {
      const receipt = await inner.put(entry, { announcing: true });
      await announce(quarantineNotice(entry, receipt, now()));
      // An entry an earlier put made but did not announce (its announcement failed, so that put failed
      // and counted nothing) is news to this caller: counted and alarmed on now, once announced.
      const fresh = receipt.created || receipt.unannounced === true;
      if (fresh) await inner.markAnnounced?.(receipt.id);
      return { id: receipt.id, created: fresh };
    },
  };
}

/**
 * A notice as a queue message: what a webhook sends on its own queue (it loads no EventBridge client),
 * for the queue's consumer, which publishes, to announce (`queueConsumer`, `quarantine-events.ts`).
 */
export interface QuarantineNoticeMessage {
  readonly hubQuarantined: QuarantineNotice;
}
