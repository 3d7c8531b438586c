import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { sqs } from '../aws.ts';
import { NotFoundError } from '../errors.ts';
import { ListQuery, sizedPage, type Page } from '../list-page.ts';
import { pageCursor } from '../page-cursor.ts';
import { parseInput, pathId } from '../validation.ts';
import type { DeliveryStore, SubscriptionSummary } from './deliveries-store.ts';
import type { Subscription, SubscriptionQueue } from './subscriptions.ts';
import type { RedriveOutcome, SubscriptionView } from './views.ts';

/** Port: the SQS side the operator sees: depths, and moving a DLQ back. */
export interface SubscriptionQueues {
  depth(url: string): Promise<number>;
  /** Moves up to `max` messages from `dlqUrl` to `queueUrl` (send, then delete: a crash duplicates, never loses). */
  redrive(dlqUrl: string, queueUrl: string, max: number, deadline: number): Promise<number>;
}

const cursor = pageCursor('subscriptions', z.object({ after: z.string().min(1) }));

function viewOf(sub: Subscription, summary: SubscriptionSummary, queueDepth: number, dlqDepth: number): SubscriptionView {
  const url = new URL(sub.url);
  const ok = summary.lastSuccessAt ?? '';
  const failed = summary.lastFailureAt ?? '';
  return {
    id: sub.id,
    url: `${url.origin}${url.pathname}`,
    events: sub.events,
    state: !ok && !failed ? 'idle' : failed > ok ? 'failing' : 'healthy',
    lastSuccessAt: summary.lastSuccessAt ?? null,
    lastFailureAt: summary.lastFailureAt ?? null,
    lastFailure: summary.lastFailureAt ? { status: summary.lastFailureStatus ?? '', eventId: summary.lastFailureEventId ?? '' } : null,
    queueDepth,
    dlqDepth,
  };
}

type Target = { readonly subscription: Subscription; readonly queue: SubscriptionQueue };

/** `GET /subscriptions`: every subscription in id order, `{ items, nextCursor }`. */
export async function listSubscriptions(targets: readonly Target[], ports: { readonly records: DeliveryStore; readonly queues: SubscriptionQueues }, query: Record<string, string | undefined>): Promise<Page<SubscriptionView>> {
  const q = parseInput(ListQuery, query);
  const from = cursor.decode(q.cursor)?.after;
  const sorted = [...targets].sort((a, b) => a.subscription.id.localeCompare(b.subscription.id)).filter((t) => !from || t.subscription.id > from);
  const page = sorted.slice(0, q.limit);
  const items = await Promise.all(
    page.map(async (t) => viewOf(t.subscription, await ports.records.summary(t.subscription.id), await ports.queues.depth(t.queue.queueUrl), await ports.queues.depth(t.queue.dlqUrl))),
  );
  const last = page.at(-1);
  const after = (i: number) => cursor.encode({ after: page[i]?.subscription.id ?? '' });
  return sizedPage(items, sorted.length > page.length && last ? cursor.encode({ after: last.subscription.id }) : null, after);
}

/** `POST /subscriptions/{id}/redrive`: moves the subscription's DLQ back to its queue, for up to the deadline. */
export async function redriveSubscription(targets: readonly Target[], queues: SubscriptionQueues, id: string | undefined, deadline: number): Promise<RedriveOutcome> {
  const wanted = pathId(id, 'id');
  const t = targets.find((x) => x.subscription.id === wanted);
  if (!t) throw new NotFoundError(`No subscription ${wanted}`);
  const moved = await queues.redrive(t.queue.dlqUrl, t.queue.queueUrl, 10_000, deadline);
  return { id: wanted, moved, dlqDepth: await queues.depth(t.queue.dlqUrl) };
}

/** SQS adapter of {@link SubscriptionQueues}. StartMessageMoveTask would do the redrive on AWS, but fauxqs has none: one way for both. */
export const sqsSubscriptionQueues: SubscriptionQueues = {
  async depth(url) {
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    const a = out.Attributes ?? {};
    return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
  },
  async redrive(dlqUrl, queueUrl, max, deadline) {
    let moved = 0;
    while (moved < max && Date.now() < deadline) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30 }));
      const messages = out.Messages ?? [];
      if (!messages.length) break;
      for (const m of messages) {
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: m.Body ?? '' }));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: m.ReceiptHandle }));
        moved++;
      }
    }
    return moved;
  },
};
