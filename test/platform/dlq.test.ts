import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { RedriveBusyError, copyRedriveDlq, sqsMoveTaskDlq } from '#platform/dlq.ts';

/**
 * The AWS DLQ adapter against the real SQS SDK with a stubbed transport (there is no AWS here, and the
 * emulator has no message move tasks): what it sends is what the SDK puts on the wire, each answer
 * what SQS documents (AWS JSON 1.0 protocol).
 */
interface Sent {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

function stubbedSqs(answer: (target: string, body: Record<string, unknown>) => { status?: number; body: Record<string, unknown> }) {
  const sent: Sent[] = [];
  const client = new SQSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body?: string }) => {
        const target = (request.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
        const body = JSON.parse(request.body ?? '{}') as Record<string, unknown>;
        sent.push({ target, body });
        const a = answer(target, body);
        const status = a.status ?? 200;
        return {
          response: {
            statusCode: status,
            reason: status === 200 ? 'OK' : 'Bad Request',
            headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'req-1' },
            body: Readable.from([Buffer.from(JSON.stringify(a.body))]),
          },
        };
      },
    } as never,
  });
  return { client, sent };
}

const queue = {
  name: 'orders',
  url: 'https://sqs.eu-west-1.amazonaws.com/111122223333/switchboard-orders',
  dlqUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/switchboard-orders-dlq',
  arn: 'arn:aws:sqs:eu-west-1:111122223333:switchboard-orders',
  dlqArn: 'arn:aws:sqs:eu-west-1:111122223333:switchboard-orders-dlq',
};
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const attrs = (visible: number, inFlight = 0, delayed = 0) => ({ Attributes: { ApproximateNumberOfMessages: String(visible), ApproximateNumberOfMessagesNotVisible: String(inFlight), ApproximateNumberOfMessagesDelayed: String(delayed) } });

describe('the AWS DLQ adapter (SQS message move tasks)', () => {
  it('reads the depths of the queue and its DLQ', async () => {
    const { client, sent } = stubbedSqs((target, body) => (target === 'GetQueueAttributes' ? { body: body.QueueUrl === queue.dlqUrl ? attrs(7) : attrs(3, 2, 1) } : { status: 400, body: {} }));
    expect(await sqsMoveTaskDlq(client).depth(queue)).toEqual({ name: 'orders', depth: 6, inFlight: 2, dlqDepth: 7 });
    expect(sent.map((s) => s.target)).toEqual(['GetQueueAttributes', 'GetQueueAttributes']);
  });

  it('starts a move task from the DLQ to its queue, by ARN', async () => {
    const { client, sent } = stubbedSqs((target) => {
      if (target === 'GetQueueAttributes') return { body: attrs(4) };
      if (target === 'ListMessageMoveTasks') return { body: { Results: [{ Status: 'COMPLETED', SourceArn: queue.dlqArn }] } };
      if (target === 'StartMessageMoveTask') return { body: { TaskHandle: 'handle-123' } };
      return { status: 400, body: {} };
    });
    const out = await sqsMoveTaskDlq(client).redrive(queue);
    expect(out).toEqual({ queue: 'orders', state: 'started', taskHandle: 'handle-123', dlqDepth: 4 });
    expect(sent.find((s) => s.target === 'StartMessageMoveTask')?.body).toEqual({ SourceArn: queue.dlqArn, DestinationArn: queue.arn });
    expect(sent.find((s) => s.target === 'ListMessageMoveTasks')?.body).toEqual({ SourceArn: queue.dlqArn, MaxResults: 1 });
  });

  it('refuses a second redrive while a task runs, before asking SQS to start one', async () => {
    const { client, sent } = stubbedSqs((target) => {
      if (target === 'GetQueueAttributes') return { body: attrs(4) };
      if (target === 'ListMessageMoveTasks') return { body: { Results: [{ Status: 'RUNNING', SourceArn: queue.dlqArn }] } };
      return { body: { TaskHandle: 'never' } };
    });
    await expect(sqsMoveTaskDlq(client).redrive(queue)).rejects.toBeInstanceOf(RedriveBusyError);
    expect(sent.some((s) => s.target === 'StartMessageMoveTask')).toBe(false);
  });

  it("takes SQS's own refusal of a second task as busy too", async () => {
    const { client } = stubbedSqs((target) => {
      if (target === 'GetQueueAttributes') return { body: attrs(4) };
      if (target === 'ListMessageMoveTasks') return { body: { Results: [] } };
      return { status: 400, body: { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: 'A message move task is already running' } };
    });
    await expect(sqsMoveTaskDlq(client).redrive(queue)).rejects.toBeInstanceOf(RedriveBusyError);
  });

  it('needs both ARNs', async () => {
    const { client } = stubbedSqs(() => ({ body: attrs(1) }));
    await expect(sqsMoveTaskDlq(client).redrive({ name: 'x', url: queue.url, dlqUrl: queue.dlqUrl })).rejects.toThrow(/no ARNs/);
  });
});

describe('the local DLQ adapter (the runtime moves the messages)', () => {
  it('sends each message to the queue before deleting it from the DLQ, and stops at its limit', async () => {
    let left = 25;
    const { client, sent } = stubbedSqs((target, body) => {
      if (target === 'GetQueueAttributes') return { body: attrs(left) };
      if (target === 'ReceiveMessage') {
        const n = Math.min(Number(body.MaxNumberOfMessages), left);
        return { body: { Messages: Array.from({ length: n }, (_, i) => ({ MessageId: `m${left - i}`, ReceiptHandle: `r${left - i}`, Body: `body-${left - i}`, MD5OfBody: md5(`body-${left - i}`) })) } };
      }
      if (target === 'SendMessage') return { body: { MessageId: 'new', MD5OfMessageBody: md5(String(body.MessageBody)) } };
      if (target === 'DeleteMessage') {
        left--;
        return { body: {} };
      }
      return { status: 400, body: {} };
    });
    const out = await copyRedriveDlq(client, 12).redrive(queue);
    expect(out).toEqual({ queue: 'orders', state: 'moved', moved: 12, dlqDepth: 25 });
    const moves = sent.filter((s) => s.target === 'SendMessage' || s.target === 'DeleteMessage');
    for (let i = 0; i < moves.length; i += 2) {
      expect(moves[i]?.target).toBe('SendMessage');
      expect(moves[i]?.body.QueueUrl).toBe(queue.url);
      expect(moves[i + 1]).toMatchObject({ target: 'DeleteMessage', body: { QueueUrl: queue.dlqUrl } });
    }
  });
});
