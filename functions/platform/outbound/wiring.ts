import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { sqs } from '../aws.ts';
import { secretString } from '../aws-secrets.ts';
import { functionConfig, setting } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { DeliveryQueue, DeliveryTarget } from './consume.ts';
import { dynamoDeliveryStore } from './deliveries-store.ts';
import { httpPost } from './http-post.ts';
import {
  SIGNING_SECRET_KEY,
  SUBSCRIPTION_QUEUES_ENV,
  SUBSCRIPTIONS_ENV,
  SubscriptionQueue,
  parseSubscriptions,
  type Subscription,
} from './subscriptions.ts';

/** The subscriptions and their queues, as the stack or the local runtime gave them. */
export const subscriptionsConfig = functionConfig({
  subscriptions: {
    read: () => {
      try {
        // On AWS (queues with a secret ARN) URLs are HTTPS and checked for SSRF; locally http is allowed.
        return parseSubscriptions(process.env[SUBSCRIPTIONS_ENV] ?? '[]', { requireHttps: false, requireSecret: false });
      } catch (err) {
        throw new ConfigError((err as Error).message);
      }
    },
  },
  queues: setting.requiredAs(
    SUBSCRIPTION_QUEUES_ENV,
    z.string().transform((s, ctx) => {
      try {
        return z.array(SubscriptionQueue).parse(JSON.parse(s));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON list of subscription queues' });
        return z.NEVER;
      }
    }),
  ),
});

/** The delivery function's settings (retry policy and timeout are in its topology declaration). */
export const deliveryConfig = functionConfig({
  table: setting.table('outbound-deliveries'),
  maxReceives: setting.requiredAs('OUTBOUND_MAX_RECEIVES', z.coerce.number().int().min(1).max(1000)),
  baseSeconds: setting.optional('OUTBOUND_RETRY_BASE_SECONDS', z.coerce.number().int().min(1).max(3600), 60),
  capSeconds: setting.optional('OUTBOUND_RETRY_CAP_SECONDS', z.coerce.number().int().min(1).max(43_200), 21_600),
  timeoutMs: setting.optional('OUTBOUND_TIMEOUT_MS', z.coerce.number().int().min(100).max(25_000), 15_000),
});

/** Subscriptions joined with their queues. */
export function subscriptionTargets(): { readonly subscription: Subscription; readonly queue: SubscriptionQueue }[] {
  const { subscriptions, queues } = subscriptionsConfig();
  return subscriptions.map((subscription) => {
    const queue = queues.find((q) => q.id === subscription.id);
    if (!queue) throw new ConfigError(`Subscription ${subscription.id} has no queue in ${SUBSCRIPTION_QUEUES_ENV}`);
    return { subscription, queue };
  });
}

/** The signing secrets of a subscription: its `secret` locally, else its Secrets Manager secret (cached 5 min; several, space-separated, during a rotation). */
async function secretsOf(subscription: Subscription, queue: SubscriptionQueue): Promise<readonly string[]> {
  if (subscription.secret) return [subscription.secret];
  if (!queue.secretArn) throw new ConfigError(`Subscription ${subscription.id} has no secret`);
  const raw = await secretString(queue.secretArn, 300);
  const value = raw === undefined ? undefined : (JSON.parse(raw) as Record<string, unknown>)[SIGNING_SECRET_KEY];
  if (typeof value !== 'string' || !value.trim()) throw new ConfigError(`Secret of subscription ${subscription.id} has no ${SIGNING_SECRET_KEY}`);
  // Secrets Manager generates letters and digits (valid base64); the Standard Webhooks prefix is added here.
  return value.trim().split(/\s+/).map((s) => (s.startsWith('whsec_') ? s : `whsec_${s}`));
}

/** The target of a queue ARN (the record's `eventSourceARN`). */
export function targetByArn(queueArn: string): DeliveryTarget {
  const found = subscriptionTargets().find((t) => t.queue.queueArn === queueArn);
  if (!found) throw new ConfigError(`No subscription reads queue ${queueArn}`);
  return { ...found, secrets: () => secretsOf(found.subscription, found.queue) };
}

export const sqsDeliveryQueue: DeliveryQueue = {
  async delay(queueUrl, receiptHandle, seconds) {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
  },
  async deadLetter(dlqUrl, body, reason) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: body,
        MessageAttributes: Object.fromEntries(Object.entries(reason).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
      }),
    );
  },
};

/** Every port of the delivery function. */
export function deliveryPorts() {
  const c = deliveryConfig();
  // Queues carrying a secret ARN are the stack's: there every connection is checked against SSRF.
  const onAws = subscriptionsConfig().queues.some((q) => q.secretArn);
  return {
    target: targetByArn,
    post: httpPost({ guardAddresses: onAws }),
    records: dynamoDeliveryStore(c.table),
    queue: sqsDeliveryQueue,
    maxReceives: c.maxReceives,
    retry: { baseSeconds: c.baseSeconds, capSeconds: c.capSeconds },
    timeoutMs: c.timeoutMs,
  };
}
