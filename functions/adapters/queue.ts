import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { QueueEnvelope } from '#domain/envelope.ts';
import { sqs } from './aws.ts';

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
          MessageBody: JSON.stringify(envelope),
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
