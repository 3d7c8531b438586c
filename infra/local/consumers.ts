import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient, Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { FunctionDecl } from '#infra/topology/index.ts';
import type { LocalQueue } from './emulators.ts';
import type { LambdaHandler } from './invoke.ts';
import { invoke, LocalTimeoutError } from './invoke.ts';

/** How often the batching window looks for more messages while a batch is not full. */
const WINDOW_POLL_MS = 50;

/** Tries of a batch delete before its messages are left to come back after the visibility timeout. */
const DELETE_ATTEMPTS = 8;

/** What one consumer reports, for the hub's log and for tests. */
export interface ConsumerEvent {
  readonly fn: string;
  readonly received: number;
  readonly failed: number;
  readonly error?: string;
}

/**
 * Drives a queue-triggered function the way Lambda's SQS event source mapping does: up to
 * `maxConcurrency` pollers, batches of at most `batchSize` (filled for up to `maxBatchingWindowSeconds`
 * from the first message), records built like Lambda's, successful
 * records deleted, and with ReportBatchItemFailures only the listed failures left for redelivery
 * (a thrown error, or an unknown/empty identifier, fails the whole batch). What is not deleted comes
 * back after the visibility timeout and, past maxReceiveCount, fauxqs moves it to the DLQ.
 *
 * On AWS a queue's visibility timeout is 6x its consumer's timeout, so a message never comes back
 * while the invocation that holds it still runs. Tests shorten the visibility (1 s) so that failures
 * come back quickly; a handler slowed past that by a loaded machine would then see its own message
 * again mid-flight (a Goodays reply found `sending` becomes `unknown`). So on such a queue the
 * consumer receives with the visibility AWS would give ({@link awsVisibility}) and hands the failures
 * back with the queue's own ({@link handBack}): mid-flight nothing comes back, and a failure comes
 * back as soon as the test's visibility says.
 */
export function startConsumer(opts: {
  readonly name: string;
  readonly fn: FunctionDecl;
  readonly handler: LambdaHandler;
  readonly queue: LocalQueue;
  readonly sqs: SQSClient;
  readonly onEvent?: (e: ConsumerEvent) => void;
}): { stop(): Promise<void> } {
  const trigger = opts.fn.trigger;
  if (trigger.kind !== 'queue' && trigger.kind !== 'subscriptions') throw new Error(`${opts.name} is not queue-triggered`);
  let running = true;
  let stopRequested: () => void = () => undefined;
  const stopping = new Promise<void>((resolve) => (stopRequested = resolve));
  const arn = `arn:aws:sqs:us-east-1:000000000000:${opts.queue.name}`;
  const hold = awsVisibility(opts.queue, opts.fn);
  const windowMs = Math.max(0, trigger.maxBatchingWindowSeconds ?? 0) * 1000;
  const poll = async (): Promise<void> => {
    while (running) {
      let messages: Message[];
      try {
        const out = await opts.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: opts.queue.url,
            MaxNumberOfMessages: trigger.batchSize,
            WaitTimeSeconds: 1,
            ...(hold ? { VisibilityTimeout: hold } : {}),
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        messages = out.Messages ?? [];
        // The batching window, as Lambda's: from the first message, keep receiving until the batch is
        // full or the window has passed.
        if (messages.length && windowMs) {
          const until = Date.now() + windowMs;
          while (running && messages.length < trigger.batchSize && Date.now() < until) {
            // A receive failing here ends the window: the batch goes with what it has.
            const more = await opts.sqs
              .send(
                new ReceiveMessageCommand({
                  QueueUrl: opts.queue.url,
                  MaxNumberOfMessages: trigger.batchSize - messages.length,
                  WaitTimeSeconds: 0,
                  ...(hold ? { VisibilityTimeout: hold } : {}),
                  MessageSystemAttributeNames: ['All'],
                  MessageAttributeNames: ['All'],
                }),
              )
              .catch(() => undefined);
            if (!more) break;
            if (more.Messages?.length) messages.push(...more.Messages);
            else await new Promise((r) => setTimeout(r, Math.min(WINDOW_POLL_MS, Math.max(0, until - Date.now()))));
          }
        }
      } catch (err) {
        if (!running) return;
        opts.onEvent?.({ fn: opts.name, received: 0, failed: 0, error: `receive failed: ${(err as Error).message}` });
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!messages.length) continue;
      const event: SQSEvent = { Records: messages.map((m) => toRecord(m, arn)) };
      let failedIds: Set<string>;
      let error: string | undefined;
      try {
        const result = (await invoke(opts.name, opts.fn, opts.handler, event)) as SQSBatchResponse | undefined;
        const failures = result?.batchItemFailures ?? [];
        const known = new Set(messages.map((m) => m.MessageId));
        if (failures.some((f) => !f.itemIdentifier || !known.has(f.itemIdentifier))) {
          failedIds = known as Set<string>;
          error = 'batchItemFailures named an unknown message: whole batch failed';
        } else {
          failedIds = new Set(failures.map((f) => f.itemIdentifier));
        }
      } catch (err) {
        failedIds = new Set(messages.map((m) => m.MessageId ?? ''));
        error = (err as Error).message;
        // Lambda kills a timed-out invocation; here it runs on, so this poller waits for it before
        // taking another batch, or more than maxConcurrency invocations would run at once.
        // A stop does not wait for a handler that never settles.
        if (err instanceof LocalTimeoutError) await Promise.race([err.pending.catch(() => undefined), stopping]);
      }
      const done = messages.filter((m) => !failedIds.has(m.MessageId ?? ''));
      if (hold && done.length < messages.length) {
        const back = await handBack(opts.sqs, opts.queue, messages.filter((m) => failedIds.has(m.MessageId ?? '')));
        if (back) error = error ? `${error}; ${back}` : back;
      }
      if (done.length) {
        // SQS unreachable after the work was done: the delete is tried again for a while (as Lambda's
        // poller does), then given up; the messages then come back after their visibility timeout and
        // are handled again (storage is idempotent). Either way this poller goes on (an error used to
        // end it, leaving the consumer one poller short until the hub restarted).
        for (let attempt = 1; ; attempt++) {
          try {
            await opts.sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: opts.queue.url,
                Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
              }),
            );
            break;
          } catch (err) {
            if (!running) return;
            if (attempt >= DELETE_ATTEMPTS) {
              error = `delete failed ${attempt} times (handled again after the visibility timeout): ${(err as Error).message}`;
              break;
            }
            await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** attempt)));
          }
        }
      }
      opts.onEvent?.({ fn: opts.name, received: messages.length, failed: messages.length - done.length, ...(error ? { error } : {}) });
    }
  };
  const pollers = Array.from({ length: Math.max(1, trigger.maxConcurrency) }, () => poll());
  return {
    async stop() {
      running = false;
      stopRequested();
      await Promise.allSettled(pollers);
    },
  };
}

/**
 * The visibility a batch is received with: AWS's (6x the function's timeout) when the queue's is
 * shorter, as a test's is; undefined when the queue's own already is.
 */
function awsVisibility(queue: LocalQueue, fn: FunctionDecl): number | undefined {
  const aws = Math.ceil(6 * (fn.timeoutSeconds ?? 30));
  return queue.visibilityTimeoutSeconds < aws ? aws : undefined;
}

/**
 * Makes failed messages visible again after the queue's visibility timeout, read now (a test may
 * have changed it), as a failure received with that timeout would be. A hand-back that fails leaves
 * them to come back after the longer visibility they were received with: later, never lost.
 */
async function handBack(sqs: SQSClient, queue: LocalQueue, failed: readonly Message[]): Promise<string | undefined> {
  try {
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['VisibilityTimeout'] }));
    const seconds = Number(attrs.Attributes?.VisibilityTimeout ?? queue.visibilityTimeoutSeconds);
    const out = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queue.url,
        Entries: failed.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: seconds })),
      }),
    );
    // A batch call answers per message; those it could not change come back after the longer visibility.
    const refused = out.Failed ?? [];
    return refused.length ? `hand-back refused for ${refused.length} (handled again after the longer visibility): ${refused[0]?.Message ?? refused[0]?.Code ?? ''}` : undefined;
  } catch (err) {
    return `hand-back failed (handled again after the longer visibility): ${(err as Error).message}`;
  }
}

function toRecord(m: Message, arn: string): SQSRecord {
  const a = m.Attributes ?? {};
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        { dataType: v.DataType ?? 'String', ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}), stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: 'us-east-1',
  };
}
