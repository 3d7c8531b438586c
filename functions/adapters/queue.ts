import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { QueueEnvelope } from '#domain/envelope.ts';
import { sqs } from './aws.ts';

/**
 * JSON with every non-ASCII code unit escaped (`\uXXXX`). Still the same JSON value, but made of
 * characters every SQS implementation accepts (fauxqs rejects characters above U+FFFF that real
 * SQS takes), so any body survives the queue. At most 6 bytes per UTF-16 unit: a 256 KiB body
 * stays under SQS's 1 MiB.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Port: a queue that accepts envelopes. Resolves only once SQS has accepted the message. */
export interface EnvelopeQueue {
  send(envelope: QueueEnvelope): Promise<string>;
}

/** SQS queue; returns the message id. */
export function sqsEnvelopeQueue(queueUrl: string): EnvelopeQueue {
  return {
    async send(envelope) {
      const out = await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: asciiJson(envelope),
          MessageAttributes: {
            vendor: { DataType: 'String', StringValue: envelope.vendor },
            requestId: { DataType: 'String', StringValue: envelope.requestId },
          },
        }),
      );
      return out.MessageId ?? '';
    },
  };
}
