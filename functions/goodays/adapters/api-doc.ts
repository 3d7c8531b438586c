import * as z from 'zod';
import type { ApiDoc } from '#platform/api-doc.ts';
import { INTERNAL, INVALID, UNAUTHORIZED } from '#platform/api-doc.ts';
import { pageSchema } from '#platform/list-page.ts';
import { ACTION_BODIES } from '#goodays/domain/actions.ts';
import { ActionKind, ResponseId } from '#goodays/domain/events.ts';
import { ActionAccepted, ActionViewSchema, ResponseDetail, ResponseSummary } from '#goodays/domain/views.ts';
import { IdempotencyKey, Resolution, ResponsesQuery } from '#goodays/domain/operator-inputs.ts';

/** The Goodays routes for the OpenAPI document (`infra/openapi/`); no handler imports this. */

const CONFLICT = { description: 'The thread does not allow the action now (`allowed` lists what it does), another operator is acting on it, or the Idempotency-Key was used for another request.' };
const ACTION_ID = { description: 'The action id the hub gave out (`gda_` and 32 hex digits).', example: 'gda_0123456789abcdef0123456789abcdef' };

export const routes: ApiDoc = {
  'POST /webhooks/goodays': {
    summary: "Goodays' Converse webhook (response, message, delegated)",
    description:
      'Signed by Goodays with `X-HMAC-SHA256` (hex HMAC-SHA256 of the exact body with a secret of GOODAYS_HMAC_SECRETS). Answered 200 once queued; an authentic body the hub cannot read or store is quarantined and also answered 200.',
    security: { signatureHeader: 'X-HMAC-SHA256', description: 'Hex HMAC-SHA256 of the exact body with a secret of GOODAYS_HMAC_SECRETS.' },
    headers: { 'X-HMAC-SHA256': { description: 'Hex HMAC-SHA256 of the raw body.', schema: z.string() } },
    body: { schema: z.record(z.string(), z.unknown()).meta({ description: 'A Goodays event (`event_type`, `response`, ...), as the Converse API documents it.' }), example: { event_type: 'response', response: { id: 'vdOpL1NJ74l', created_date: '2020-02-05T10:20:39.810686+01:00' } } },
    responses: {
      200: { description: 'Queued, or quarantined with the reason.', schema: z.looseObject({ status: z.enum(['queued', 'quarantined']) }), example: { status: 'queued' } },
      401: { description: 'Missing, malformed or wrong signature.' },
      413: { description: 'Body over WEBHOOK_MAX_BODY_BYTES.' },
      500: { description: 'The queue refused it, or the `goodays` secret is unreadable: Goodays resends.' },
    },
  },
  'GET /goodays/responses': {
    summary: 'Threads, newest first for a state',
    description: 'Without `state` the list is unordered.',
    query: ResponsesQuery,
    responses: { 200: { description: 'A page of threads.', schema: pageSchema(ResponseSummary, 'GoodaysResponsePage') }, 400: INVALID, 401: UNAUTHORIZED, 500: INTERNAL },
  },
  'GET /goodays/responses/{id}': {
    summary: 'One thread, the actions allowed now and the action history',
    path: { id: { description: 'The Goodays response id.', schema: ResponseId, example: 'vdOpL1NJ74l' } },
    responses: { 200: { description: 'The thread.', schema: ResponseDetail }, 400: INVALID, 401: UNAUTHORIZED, 404: { description: 'No event of this response has been received.' }, 500: INTERNAL },
  },
  'POST /goodays/responses/{id}/{action}': {
    summary: 'Reply, message, call, close or mark as spam',
    description:
      "Goodays' body, with `user` naming the operator. A reply or message is sent at most once. The same `Idempotency-Key` gives the same action, also to requests sent at the same time.",
    path: { id: { description: 'The Goodays response id.', schema: ResponseId, example: 'vdOpL1NJ74l' }, action: { description: 'The action.', schema: ActionKind, example: 'reply' } },
    headers: { 'Idempotency-Key': { description: 'Makes retries safe: the same key gives the same action.', schema: IdempotencyKey } },
    body: {
      schema: z.union(Object.values(ACTION_BODIES)).meta({ description: 'reply and message: `content`, `user`, `remark_type`; call: `user`, `rating`, `note`; close: `user`, `remark_type`; spam: `user`.' }),
      example: { content: 'Dear Customer, thank you for your feedback. We are sorry for the inconvenience. What information you were looking for? Regards,', user: 'op@example.com', remark_type: 'Problem' },
      required: false,
    },
    responses: {
      202: { description: 'Accepted and queued; follow it at `Location`.', schema: ActionAccepted, headers: { Location: '`/goodays/actions/{actionId}`' } },
      400: INVALID,
      401: UNAUTHORIZED,
      404: { description: 'No event of this response has been received.' },
      409: CONFLICT,
      500: INTERNAL,
    },
  },
  'GET /goodays/actions/{actionId}': {
    summary: 'One action and its state',
    path: { actionId: ACTION_ID },
    responses: { 200: { description: 'The action.', schema: ActionViewSchema }, 400: INVALID, 401: UNAUTHORIZED, 404: { description: 'No such action.' }, 500: INTERNAL },
  },
  'POST /goodays/actions/{actionId}/resolve': {
    summary: 'Resolve an action whose outcome is unknown',
    description: '`sent` counts it as done; `not-sent` fails it and frees the response. Nothing is sent to Goodays.',
    path: { actionId: ACTION_ID },
    body: { schema: Resolution, example: { outcome: 'sent', note: 'Checked in the Goodays back office' }, required: true },
    responses: {
      200: { description: 'The resolved action.', schema: ActionViewSchema },
      400: INVALID,
      401: UNAUTHORIZED,
      404: { description: 'No such action.' },
      409: { description: 'The action is not `unknown`, or changed meanwhile.' },
      500: INTERNAL,
    },
  },
};
