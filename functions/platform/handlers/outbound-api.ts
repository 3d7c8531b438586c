import { json, queryParams } from '#platform/http.ts';
import { operatorApi } from '#platform/operator-api.ts';
import { dynamoDeliveryStore } from '#platform/outbound/deliveries-store.ts';
import { listSubscriptions, redriveSubscription, sqsSubscriptionQueues } from '#platform/outbound/operator.ts';
import { subscriptionTargets } from '#platform/outbound/wiring.ts';
import { tableName } from '#platform/config.ts';

/** Operator API of subscriptions: their delivery state, and a DLQ redrive. */
export const handler = operatorApi({
  'GET /subscriptions': async (event) =>
    json(200, await listSubscriptions(subscriptionTargets(), { records: dynamoDeliveryStore(tableName('outbound-deliveries')), queues: sqsSubscriptionQueues }, queryParams(event))),
  'POST /subscriptions/{id}/redrive': async (event, context) =>
    json(200, await redriveSubscription(subscriptionTargets(), sqsSubscriptionQueues, event.pathParameters?.id, Date.now() + Math.max(1_000, context.getRemainingTimeInMillis() - 5_000))),
});
