import type { ApiDoc } from './api-doc.ts';
import { INTERNAL, INVALID, UNAUTHORIZED } from './api-doc.ts';
import { ListQuery } from './list-page.ts';
import { RedriveOutcome, SubscriptionPage } from './outbound/views.ts';

/** The subscriptions' operator routes for the OpenAPI document (`infra/openapi/`); no handler imports this. */

const TAG = 'Outbound';

export const routes: ApiDoc = {
  'GET /subscriptions': {
    summary: 'Every subscription with its delivery state, last success and failure, queue and DLQ depth',
    description: 'Subscriptions are stack configuration on AWS (`subscriptions` context) and `HUB_SUBSCRIPTIONS` locally; their signing secrets are never shown.',
    tag: TAG,
    query: ListQuery,
    responses: { 200: { description: 'A page, in id order.', schema: SubscriptionPage }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL },
  },
  'POST /subscriptions/{id}/redrive': {
    summary: "Move a subscription's DLQ back to its queue, so its events are delivered again",
    description: 'Moves up to 10,000 messages per call (receive, send, delete: a crash can deliver an event twice, never lose one; subscribers dedupe on `webhook-id`).',
    tag: TAG,
    path: { id: { description: 'The subscription id.', example: 'crm' } },
    responses: { 200: { description: 'Moved.', schema: RedriveOutcome }, 400: INVALID, 401: UNAUTHORIZED, 404: { description: 'No such subscription.' }, 500: INTERNAL },
  },
};
