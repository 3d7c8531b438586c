import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws.ts';

/** A body the hub accepted as authentic but could not use. */
export interface QuarantineEntry {
  readonly vendor: string;
  readonly reason: string;
  /** The body as text when it is valid UTF-8, else base64 with `bodyEncoding: 'base64'`. */
  readonly body: Buffer | string;
  readonly requestId?: string;
  readonly receivedAt: string;
  /** Where it was caught: the webhook, or the processor (a message already queued). */
  readonly stage: 'webhook' | 'processor';
}

/** Port: the quarantine store. Returns the entry's id. */
export interface Quarantine {
  put(entry: QuarantineEntry): Promise<string>;
}

/** DynamoDB quarantine: one item per body, kept until an operator replays or deletes it. */
export function dynamoQuarantine(table: string): Quarantine {
  return {
    async put(entry) {
      const id = `${entry.receivedAt}#${randomUUID()}`;
      const buf = typeof entry.body === 'string' ? Buffer.from(entry.body, 'utf8') : entry.body;
      const text = buf.toString('utf8');
      const utf8 = Buffer.from(text, 'utf8').equals(buf);
      await dynamo.send(
        new PutCommand({
          TableName: table,
          Item: {
            id,
            vendor: entry.vendor,
            reason: entry.reason.slice(0, 2000),
            body: utf8 ? text : buf.toString('base64'),
            bodyEncoding: utf8 ? 'utf8' : 'base64',
            requestId: entry.requestId,
            receivedAt: entry.receivedAt,
            stage: entry.stage,
          },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return id;
    },
  };
}
