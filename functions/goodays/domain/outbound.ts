import * as z from '#platform/zod.ts';
import { defineEvent } from '#platform/outbound/event.ts';

/** Goodays's outbound events (its topology's `eventModule`). */

/** The subject of every event about a response (what its delivery records are found by, for erasure). */
export const responseSubject = (responseId: string): string => `goodays:response:${responseId}`;

export const threadUpdated = defineEvent({
  type: 'goodays.thread.updated',
  version: 1,
  description: 'A Goodays thread changed after a webhook event was stored: the whole thread as the operator API shows it.',
  key: z.object({
    responseId: z.string().check(z.describe("Goodays's response id.")),
    version: z.number().check(z.int(), z.positive(), z.describe('The thread item version this is (higher is newer: apply only a newer one).')),
  }),
  body: z.object({
    /** The folded thread (response, survey, answers, messages, state, allowed actions). */
    thread: z.record(z.string(), z.unknown()),
    awaiting: z.boolean(),
    lastHandledAt: z.optional(z.string()),
  }),
  href: (k) => `/goodays/responses/${encodeURIComponent(k.responseId)}`,
  subject: (k) => responseSubject(k.responseId),
});

export const ACTION_OUTCOMES = ['sent', 'failed', 'unknown', 'resolved'] as const;

export const actionSettled = defineEvent({
  type: 'goodays.action.settled',
  version: 1,
  description: 'An operator action on a Goodays response reached an outcome: sent, failed, unknown (a person must check), or resolved by a person.',
  key: z.object({
    actionId: z.string(),
    responseId: z.string(),
    outcome: z.enum(ACTION_OUTCOMES),
  }),
  body: z.object({
    action: z.string().check(z.describe('reply, message, call, close or spam')),
    /** For `resolved`: what the person decided. */
    resolution: z.optional(z.enum(['sent', 'not-sent'])),
    vendorStatus: z.optional(z.number().check(z.int())),
    vendorMessages: z.optional(z.array(z.string())),
  }),
  href: (k) => `/goodays/actions/${encodeURIComponent(k.actionId)}`,
  subject: (k) => responseSubject(k.responseId),
});

export const events = [threadUpdated, actionSettled];

/** What an action record needs for its event. */
export interface SettledAction {
  readonly actionId: string;
  readonly responseId: string;
  readonly action: string;
  readonly state: string;
  readonly updatedAt: string;
  readonly vendorStatus?: number;
  readonly vendorMessages?: readonly string[];
  readonly resolution?: { readonly outcome: 'sent' | 'not-sent'; readonly at: string };
}

/** The `goodays.action.settled` event of an action in a final state, or undefined while it is under way. */
export function settledEvent(a: SettledAction) {
  const outcome = a.resolution ? 'resolved' : a.state === 'succeeded' ? 'sent' : a.state === 'failed' ? 'failed' : a.state === 'unknown' ? 'unknown' : undefined;
  if (!outcome) return undefined;
  return actionSettled.make({
    idParts: [a.actionId, outcome],
    key: { actionId: a.actionId, responseId: a.responseId, outcome },
    body: {
      action: a.action,
      ...(a.resolution ? { resolution: a.resolution.outcome } : {}),
      ...(a.vendorStatus !== undefined ? { vendorStatus: a.vendorStatus } : {}),
      ...(a.vendorMessages ? { vendorMessages: [...a.vendorMessages] } : {}),
    },
    time: a.resolution?.at ?? a.updatedAt,
  });
}
