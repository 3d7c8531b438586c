import * as z from 'zod';
import { ACTION_BODIES } from './actions.ts';
import { ActionKind } from './events.ts';

/**
 * What the Goodays operator API answers, as schemas: the use cases build these views, and the
 * OpenAPI document describes them from here.
 */

const Time = z.iso.datetime().meta({ description: 'ISO-8601, UTC.' });
const ActionState = z.enum(['accepted', 'sending', 'retrying', 'succeeded', 'failed', 'unknown']);

/** One thread in `GET /goodays/responses`. */
export const ResponseSummary = z
  .object({
    responseId: z.string().meta({ example: 'vdOpL1NJ74l' }),
    state: z.string().nullable().meta({ description: "Goodays' own state: open, closed or pending." }),
    source: z.string().nullable(),
    offeredActions: z.array(ActionKind),
    latestEventType: z.string().nullable(),
    latestEventReceivedAt: Time.nullable(),
    awaiting: z.boolean().meta({ description: 'Goodays offers an action and the hub has not handled the latest event.' }),
    messages: z.number().int(),
  })
  .meta({ id: 'GoodaysResponseSummary' });
export type ResponseSummary = z.infer<typeof ResponseSummary>;

const ThreadMessage = z.object({
  id: z.string(),
  createdAt: Time.nullable(),
  kind: z.enum(['verbatim', 'reply', 'message']),
  from: z.enum(['customer', 'customer-service']),
  type: z.string().nullable(),
  content: z.string().nullable(),
  attachment: z.unknown(),
  sender: z.object({ email: z.string().nullable(), firstName: z.string().nullable(), lastName: z.string().nullable() }).nullable(),
});

const Thread = z.looseObject({
  responseId: z.string(),
  state: z.string().nullable(),
  source: z.string().nullable(),
  response: z.record(z.string(), z.unknown()).nullable().meta({ description: 'The latest snapshot of the response as Goodays sent it (its times keep their offsets).' }),
  delegatedTo: z.record(z.string(), z.unknown()).nullable(),
  messages: z.array(ThreadMessage),
  offeredActions: z.array(ActionKind),
  otherOfferedActions: z.array(z.string()),
  latestEventKey: z.string().nullable(),
  latestEventType: z.string().nullable(),
  latestEventReceivedAt: Time.nullable(),
  eventKeys: z.array(z.string()),
  unknownEvents: z.array(z.object({ eventKey: z.string(), eventType: z.string(), receivedAt: Time })),
});

/** An action as the operator API shows it. */
export const ActionViewSchema = z
  .object({
    actionId: z.string().meta({ example: 'gda_0123456789abcdef0123456789abcdef' }),
    responseId: z.string(),
    action: ActionKind,
    body: z.union(Object.values(ACTION_BODIES)),
    operatorEmail: z.string().optional(),
    eventKey: z.string().nullable(),
    answers: z.string().nullable().optional(),
    idempotencyKey: z.string().optional(),
    state: ActionState,
    createdAt: Time,
    updatedAt: Time,
    attempts: z.number().int(),
    goodaysUserId: z.string().optional(),
    vendorStatus: z.number().int().optional(),
    vendorMessages: z.array(z.string()).optional(),
    error: z.string().optional(),
    resolution: z.object({ outcome: z.enum(['sent', 'not-sent']), note: z.string().optional(), at: Time }).optional(),
    needsDecision: z.boolean().meta({ description: 'The outcome is unknown: a person must check Goodays and resolve it.' }),
  })
  .meta({ id: 'GoodaysAction' });

/** `GET /goodays/responses/{id}`. */
export const ResponseDetail = z
  .object({
    thread: Thread,
    allowedActions: z.array(ActionKind).meta({ description: 'What an operator may do now.' }),
    awaiting: z.boolean(),
    lastHandledAt: Time.nullable(),
    actions: z.array(ActionViewSchema),
    needsDecision: z.array(z.string()).meta({ description: 'Ids of actions whose outcome is unknown.' }),
  })
  .meta({ id: 'GoodaysResponse' });

/** The 202 of `POST /goodays/responses/{id}/{action}`. */
export const ActionAccepted = z
  .object({ actionId: z.string(), state: ActionState, replayed: z.boolean().meta({ description: 'The same Idempotency-Key was seen before: this is that action.' }), action: ActionViewSchema })
  .meta({ id: 'GoodaysActionAccepted' });
