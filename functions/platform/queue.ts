import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { QueueEnvelope } from './envelope.ts';
import { sqs } from './aws-sqs.ts';

/**
 * JSON with every non-ASCII code unit escaped (`\uXXXX`). Still the same JSON value, but made of
 * characters every SQS implementation accepts (fauxqs rejects characters above U+FFFF that real
 * SQS takes), so any body survives the queue. At most 6 bytes per UTF-16 unit: a 256 KiB body
 * stays under SQS's 1 MiB.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Port: a queue of JSON messages. Resolves only once SQS has accepted the message. */
export interface JsonQueue<T> {
  /** Returns the SQS message id. */
  send(message: T): Promise<string>;
}

/** Port: a queue that accepts envelopes. */
export type EnvelopeQueue = JsonQueue<QueueEnvelope>;

/**
 * SQS queue of JSON messages (ASCII-escaped, see {@link asciiJson}); `attributes` gives each message's
 * string message attributes.
 */
export function sqsJsonQueue<T>(queueUrl: string, attributes?: (message: T) => Readonly<Record<string, string>>): JsonQueue<T> {
  return {
    async send(message) {
      const attrs = attributes?.(message);
      const out = await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: asciiJson(message),
          MessageAttributes: attrs ? Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) : undefined,
        }),
      );
      return out.MessageId ?? '';
    },
  };
}

/** SQS queue of webhook envelopes, with `vendor` and `requestId` as message attributes. */
export function sqsEnvelopeQueue(queueUrl: string): EnvelopeQueue {
  return sqsJsonQueue<QueueEnvelope>(queueUrl, (envelope) => ({ vendor: envelope.vendor, requestId: envelope.requestId }));
}
