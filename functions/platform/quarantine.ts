import { createHash } from 'node:crypto';
import { expiry } from './retention.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
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
}

/** Where a body was kept: its id, and whether this call created the entry (false: kept before). */
export interface QuarantineReceipt {
  readonly id: string;
  readonly created: boolean;
}

/**
 * Port: the quarantine store. Putting the same body again returns the same id with `created: false`,
 * so callers count and alarm on new entries only.
 */
export interface Quarantine {
  put(entry: QuarantineEntry): Promise<QuarantineReceipt>;
}

/** Bodies above this are kept truncated (DynamoDB items stop at 400 KB), with their length and digest. */
export const MAX_QUARANTINED_BODY_BYTES = 200 * 1024;

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
    async put(entry) {
      const id = quarantineId(entry);
      const buf = typeof entry.body === 'string' ? Buffer.from(entry.body, 'utf8') : entry.body;
      const kept = buf.length > MAX_QUARANTINED_BODY_BYTES ? buf.subarray(0, MAX_QUARANTINED_BODY_BYTES) : buf;
      const text = kept.toString('utf8');
      const utf8 = Buffer.from(text, 'utf8').equals(kept);
      let created = true;
      try {
        await dynamo.send(
          new PutCommand({
            TableName: table,
            Item: {
              id,
              vendor: entry.vendor,
              reason: entry.reason.slice(0, 2000),
              body: utf8 ? text : kept.toString('base64'),
              bodyEncoding: utf8 ? 'utf8' : 'base64',
              bodyBytes: buf.length,
              bodySha256: id.slice(id.lastIndexOf('#') + 1),
              truncated: kept.length < buf.length,
              requestId: entry.requestId,
              receivedAt: entry.receivedAt,
              stage: entry.stage,
              ...expiry('QUARANTINE', entry.receivedAt),
            },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
      } catch (err) {
        // Already quarantined: the first copy is kept, nothing new to alarm on.
        if (!isConditionFailed(err)) throw err;
        created = false;
      }
      return { id, created };
    },
  };
}
