import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumer } from '#infra/local/consumers.ts';
import type { ConsumerEvent } from '#infra/local/consumers.ts';
import type { LocalQueue } from '#infra/local/emulators.ts';
import type { FunctionDecl, QueueName } from '#infra/topology/index.ts';
import { queues } from '#infra/topology/index.ts';
import type { TestAws } from '#test/helpers/emulators.ts';
import { startTestAws } from '#test/helpers/emulators.ts';
import { eventually } from '#test/helpers/hub.ts';

/**
 * The local runtime's SQS event source, with stub handlers on real fauxqs queues: what Lambda's
 * event source mapping does with partial batch responses, unknown ids, concurrency and the DLQ.
 */
/** Any declared queue will do: the handlers here are stubs. */
const QUEUE = Object.keys(queues)[0] as QueueName;
let emulators: TestAws<never, QueueName>;
let queue: LocalQueue;

beforeAll(async () => {
  emulators = await startTestAws({ queues: [QUEUE], visibilityTimeoutSeconds: 1 });
  queue = emulators.queues[QUEUE];
});
afterAll(async () => emulators?.stop());

const decl = (batchSize: number, maxConcurrency: number, timeoutSeconds = 5): FunctionDecl => ({
  entry: 'stub',
  description: 'stub',
  timeoutSeconds,
  trigger: { kind: 'queue', queue: QUEUE, batchSize, maxConcurrency },
});

async function send(bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await emulators.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: bodies.slice(i, i + 10).map((b, n) => ({ Id: String(n), MessageBody: b })) }),
    );
  }
}

async function depth(url: string): Promise<number> {
  const res = await fetch(`${emulators.sqsEndpoint}/_fauxqs/queues/${url.split('/').pop()}`);
  const body = (await res.json()) as { messages: { ready: unknown[]; delayed: unknown[]; inflight: unknown[] } };
  return body.messages.ready.length + body.messages.delayed.length + body.messages.inflight.length;
}

describe('local SQS consumer', () => {
  it('deletes the records that succeeded and redelivers only the reported failures', async () => {
    const seen = new Map<string, number>();
    const consumer = startConsumer({
      name: 'stub',
      fn: decl(10, 2),
      queue,
      sqs: emulators.sqs,
      handler: async (event) => {
        const e = event as SQSEvent;
        const failures = e.Records.filter((r) => {
          seen.set(r.body, (seen.get(r.body) ?? 0) + 1);
          return r.body.startsWith('fail-once') && seen.get(r.body) === 1;
        });
        return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) } satisfies SQSBatchResponse;
      },
    });
    try {
      await send(['ok-1', 'ok-2', 'fail-once-1', 'ok-3', 'fail-once-2']);
      await eventually(async () => ((await depth(queue.url)) === 0 && seen.get('fail-once-2') === 2 ? true : undefined));
      expect(Object.fromEntries(seen)).toEqual({ 'ok-1': 1, 'ok-2': 1, 'ok-3': 1, 'fail-once-1': 2, 'fail-once-2': 2 });
    } finally {
      await consumer.stop();
    }
  });

  it('redelivers the whole batch when a failure names a message that is not in it', async () => {
    const seen = new Map<string, number>();
    const events: ConsumerEvent[] = [];
    let first = true;
    const consumer = startConsumer({
      name: 'stub',
      fn: decl(10, 1),
      queue,
      sqs: emulators.sqs,
      onEvent: (e) => events.push(e),
      handler: async (event) => {
        for (const r of (event as SQSEvent).Records) seen.set(r.body, (seen.get(r.body) ?? 0) + 1);
        const answer = first ? { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] } : { batchItemFailures: [] };
        first = false;
        return answer;
      },
    });
    try {
      await send(['a', 'b', 'c']);
      await eventually(async () => ((await depth(queue.url)) === 0 && [...seen.values()].reduce((n, v) => n + v, 0) >= 6 ? true : undefined));
      expect([...seen.values()].every((v) => v >= 2)).toBe(true);
      expect(events.some((e) => /unknown message/.test(e.error ?? ''))).toBe(true);
    } finally {
      await consumer.stop();
    }
  });

  it('never runs more than maxConcurrency invocations at once, nor more than batchSize records each', async () => {
    let running = 0;
    let peak = 0;
    let biggest = 0;
    const consumer = startConsumer({
      name: 'stub',
      fn: decl(3, 2),
      queue,
      sqs: emulators.sqs,
      handler: async (event) => {
        running++;
        peak = Math.max(peak, running);
        biggest = Math.max(biggest, (event as SQSEvent).Records.length);
        await new Promise((r) => setTimeout(r, 50));
        running--;
        return { batchItemFailures: [] };
      },
    });
    try {
      await send(Array.from({ length: 30 }, (_, i) => `m${i}`));
      await eventually(async () => ((await depth(queue.url)) === 0 ? true : undefined));
      expect(peak).toBe(2);
      expect(biggest).toBeLessThanOrEqual(3);
    } finally {
      await consumer.stop();
    }
  });

  it('fills a batch for up to maxBatchingWindowSeconds from its first message, as Lambda does', async () => {
    const sizes: number[] = [];
    const consumer = startConsumer({
      name: 'stub',
      fn: { ...decl(10, 2), trigger: { kind: 'queue', queue: QUEUE, batchSize: 10, maxConcurrency: 1, maxBatchingWindowSeconds: 2 } },
      queue,
      sqs: emulators.sqs,
      handler: async (event) => {
        sizes.push((event as SQSEvent).Records.length);
        return { batchItemFailures: [] };
      },
    });
    try {
      // Six messages 150 ms apart, all within the window of the first (one poller, so one batch).
      for (let i = 0; i < 6; i++) {
        await send([`w${i}`]);
        await new Promise((r) => setTimeout(r, 150));
      }
      await eventually(async () => (sizes.reduce((a, b) => a + b, 0) >= 6 ? true : undefined));
      expect(sizes).toEqual([6]);
    } finally {
      await consumer.stop();
    }
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount receives', async () => {
    let calls = 0;
    const consumer = startConsumer({
      name: 'stub',
      fn: decl(1, 2),
      queue,
      sqs: emulators.sqs,
      handler: async () => {
        calls++;
        throw new Error('always fails');
      },
    });
    try {
      await send(['poison']);
      await eventually(async () => ((await depth(queue.dlqUrl)) === 1 ? true : undefined), { timeoutMs: 20_000 });
      expect(calls).toBe(queue.maxReceiveCount);
      expect(await depth(queue.url)).toBe(0);
    } finally {
      await consumer.stop();
    }
  }, 30_000);

  it('keeps a batch invisible while its handler runs past the queue visibility, as the 6x timeout does on AWS', async () => {
    const seen = new Map<string, number>();
    const consumer = startConsumer({
      name: 'stub',
      fn: decl(1, 2),
      queue,
      sqs: emulators.sqs,
      handler: async (event) => {
        for (const r of (event as SQSEvent).Records) seen.set(r.body, (seen.get(r.body) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 3_000)); // three times the 1 s visibility, inside the 5 s timeout
        return { batchItemFailures: [] };
      },
    });
    try {
      await send(['long-1']);
      await eventually(async () => ((await depth(queue.url)) === 0 ? true : undefined), { timeoutMs: 10_000 });
      // The second poller would have taken it again after 1 s, and again after 2 s.
      expect(Object.fromEntries(seen)).toEqual({ 'long-1': 1 });
    } finally {
      await consumer.stop();
    }
  });

  it('waits for a timed-out invocation before taking another batch', async () => {
    let running = 0;
    let peak = 0;
    const consumer = startConsumer({
      name: 'stub',
      fn: decl(1, 1, 0.2),
      queue,
      sqs: emulators.sqs,
      handler: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 600)); // outlives the 200 ms timeout
        running--;
        return { batchItemFailures: [] };
      },
    });
    try {
      await send(['slow-1', 'slow-2']);
      await new Promise((r) => setTimeout(r, 2_500));
      expect(peak).toBe(1);
    } finally {
      await consumer.stop();
    }
  });

  it('stops even when a timed-out handler never settles', async () => {
    let started = false;
    const consumer = startConsumer({
      name: 'stub',
      fn: decl(1, 1, 0.2),
      queue,
      sqs: emulators.sqs,
      handler: () => {
        started = true;
        return new Promise(() => undefined); // never settles
      },
    });
    await send(['stuck']);
    await eventually(async () => (started ? true : undefined));
    await new Promise((r) => setTimeout(r, 400)); // past the 200 ms timeout
    const stoppedIn = await Promise.race([consumer.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('hung'), 5_000))]);
    expect(stoppedIn).toBe('stopped');
  });
});
