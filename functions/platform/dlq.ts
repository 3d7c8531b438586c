import type { SQSClient } from '@aws-sdk/client-sqs';
import { DeleteMessageCommand, GetQueueAttributesCommand, ListMessageMoveTasksCommand, ReceiveMessageCommand, SendMessageCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';

/**
 * Queues and their DLQs as operators see them: depths, and a redrive (every message of the DLQ back
 * to its queue). One port, two adapters: on AWS an SQS message move task (SQS moves the messages
 * itself, in the background, and keeps at most one task per DLQ); locally, where the emulator has no
 * move tasks, the runtime's own redrive (receive, send, then delete: a crash in between duplicates a
 * message, which storage takes once, and never loses one).
 */

/** Where a queue is: its URL and its DLQ's, and on AWS both ARNs. */
export interface QueueAddress {
  readonly name: string;
  readonly url: string;
  readonly dlqUrl: string;
  readonly arn?: string;
  readonly dlqArn?: string;
}

export interface QueueDepth {
  readonly name: string;
  /** Messages waiting, in flight and delayed. */
  readonly depth: number;
  readonly inFlight: number;
  readonly dlqDepth: number;
}

export interface RedriveOutcome {
  readonly queue: string;
  /** `started`: a move task runs in the background (AWS); `moved`: done, `moved` messages (local). */
  readonly state: 'started' | 'moved';
  readonly moved?: number;
  /** The move task's handle (AWS). */
  readonly taskHandle?: string;
  /** Messages in the DLQ when it was asked. */
  readonly dlqDepth: number;
}

/** Port. */
export interface DlqOperations {
  depth(queue: QueueAddress): Promise<QueueDepth>;
  redrive(queue: QueueAddress): Promise<RedriveOutcome>;
}

/** A redrive that cannot start: another one is still running for this DLQ (409). */
export class RedriveBusyError extends Error {
  override readonly name = 'RedriveBusyError';
}

async function counts(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  const a = out.Attributes ?? {};
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0), delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0) };
}

async function depthOf(sqs: SQSClient, q: QueueAddress): Promise<QueueDepth> {
  const [main, dlq] = await Promise.all([counts(sqs, q.url), counts(sqs, q.dlqUrl)]);
  return { name: q.name, depth: main.visible + main.inFlight + main.delayed, inFlight: main.inFlight, dlqDepth: dlq.visible + dlq.inFlight + dlq.delayed };
}

/** AWS: `StartMessageMoveTask` from the DLQ to its queue; a task already running answers busy. */
export function sqsMoveTaskDlq(sqs: SQSClient): DlqOperations {
  return {
    depth: (q) => depthOf(sqs, q),
    async redrive(q) {
      if (!q.arn || !q.dlqArn) throw new Error(`Queue ${q.name}: no ARNs in the environment for a move task`);
      const { dlqDepth } = await depthOf(sqs, q);
      const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: q.dlqArn, MaxResults: 1 }));
      if (tasks.Results?.some((t) => t.Status === 'RUNNING')) throw new RedriveBusyError(`A redrive of the ${q.name} DLQ is still running`);
      try {
        const out = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: q.dlqArn, DestinationArn: q.arn }));
        return { queue: q.name, state: 'started', ...(out.TaskHandle ? { taskHandle: out.TaskHandle } : {}), dlqDepth };
      } catch (err) {
        // SQS refuses a second task on a source that has one running.
        if ((err as Error).name === 'UnsupportedOperation' || (err as Error).name === 'ResourceInUseException') throw new RedriveBusyError(`A redrive of the ${q.name} DLQ is still running`);
        throw err;
      }
    },
  };
}

/** Local: the runtime's own redrive, at most `maxMessages` per call (call again for the rest). */
export function copyRedriveDlq(sqs: SQSClient, maxMessages = 1000): DlqOperations {
  return {
    depth: (q) => depthOf(sqs, q),
    async redrive(q) {
      const { dlqDepth } = await depthOf(sqs, q);
      let moved = 0;
      while (moved < maxMessages) {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.dlqUrl, MaxNumberOfMessages: Math.min(10, maxMessages - moved), WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
        const messages = out.Messages ?? [];
        if (!messages.length) break;
        for (const m of messages) {
          await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: m.Body ?? '', ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}) }));
          await sqs.send(new DeleteMessageCommand({ QueueUrl: q.dlqUrl, ReceiptHandle: m.ReceiptHandle }));
          moved++;
        }
      }
      return { queue: q.name, state: 'moved', moved, dlqDepth };
    },
  };
}
