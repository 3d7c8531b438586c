import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaContext } from '#infra/local/invoke.ts';
import { sqsHandler } from '#platform/queue-consumer.ts';
import { HandBackError, TimeBudgetError } from '#platform/errors.ts';

const record = (id: string): SQSRecord =>
  ({ messageId: id, receiptHandle: id, body: id, attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0' }, messageAttributes: {}, eventSource: 'aws:sqs' }) as unknown as SQSRecord;
const event = (...ids: string[]): SQSEvent => ({ Records: ids.map(record) });
const context = (remainingMs = 60_000) => createLambdaContext('batch-test', () => remainingMs);

describe('sqsHandler', () => {
  it('reports only the records that failed', async () => {
    const handler = sqsHandler(async (r) => {
      if (r.body === 'b') throw new Error('boom');
    });
    expect(await handler(event('a', 'b', 'c'), context())).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
  });

  it('hands a whole batch back without a function error when every failure is a hand-back', async () => {
    const handler = sqsHandler(async () => {
      throw new HandBackError('back-off');
    });
    expect(await handler(event('a', 'b'), context())).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }] });
  });

  it('does not start records once the time is nearly gone, and that is not an error either', async () => {
    let started = 0;
    const handler = sqsHandler(
      async () => {
        started++;
      },
      { safetyMs: 5_000 },
    );
    expect(await handler(event('a', 'b'), context(1_000))).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }] });
    expect(started).toBe(0);
    expect(new TimeBudgetError('x')).toBeInstanceOf(HandBackError);
  });

  it('runs records one after another by default, all at once with parallel, and reports failures either way', async () => {
    const run = async (parallel: boolean) => {
      let running = 0;
      let most = 0;
      const handler = sqsHandler(
        async (r) => {
          running++;
          most = Math.max(most, running);
          await new Promise((res) => setTimeout(res, 20));
          running--;
          if (r.body === 'b') throw new Error('boom');
        },
        { parallel },
      );
      const out = await handler(event('a', 'b', 'c'), context());
      return { out, most };
    };
    expect(await run(false)).toEqual({ out: { batchItemFailures: [{ itemIdentifier: 'b' }] }, most: 1 });
    expect(await run(true)).toEqual({ out: { batchItemFailures: [{ itemIdentifier: 'b' }] }, most: 3 });
  });

  it('raises a function error when every record failed for a real reason', async () => {
    const handler = sqsHandler(async (r) => {
      if (r.body === 'a') throw new HandBackError('later');
      throw new Error('AccessDenied');
    });
    await expect(handler(event('a', 'b'), context())).rejects.toThrow(/All 2 record\(s\) failed; first error: Error: AccessDenied/);
  });
});
