import * as z from '#platform/zod.ts';
import { defineEvent } from '#platform/outbound/event.ts';
import type { Contribution } from './contact-view.ts';
import type { RungopherResult } from './result.ts';
import { utcTimestamp } from './result.ts';

/** Rungopher's outbound events (its topology's `eventModule`). */

const ResultKey = z.object({
  resultId: z.string().check(z.describe("Rungopher's result id.")),
  campaignId: z.string(),
  contactId: z.string(),
});

const contactsHref = (k: { campaignId: string; contactId: string }) => `/rungopher/campaigns/${encodeURIComponent(k.campaignId)}/contacts/${encodeURIComponent(k.contactId)}`;

/** The subject of every event about a contact of a campaign (what its delivery records are found by, for erasure). */
export const contactSubject = (campaignId: string, contactId: string): string => `rungopher:contact:${JSON.stringify([campaignId, contactId])}`;

export const resultStored = defineEvent({
  type: 'rungopher.result.stored',
  version: 1,
  description: 'A Rungopher result was stored (once per result id; from the webhook or the poller).',
  key: ResultKey,
  body: z.object({
    resultType: z.string(),
    resultName: z.string(),
    /** The result as Rungopher sent it (ids as strings). */
    result: z.record(z.string(), z.unknown()),
  }),
  href: (k) => `/rungopher/results?campaignId=${encodeURIComponent(k.campaignId)}&contactId=${encodeURIComponent(k.contactId)}`,
  subject: (k) => contactSubject(k.campaignId, k.contactId),
});

export const contactUpdated = defineEvent({
  type: 'rungopher.contact.updated',
  version: 1,
  description: "A stored result changed its contact's view: the slots it raised.",
  key: ResultKey,
  body: z.object({
    /** Each slot the result raised, with the value it now holds (the whole view: `GET` the href). */
    changes: z.array(
      z.object({
        slot: z.string(),
        value: z.object({ id: z.string(), resultType: z.string(), resultName: z.string(), data: z.record(z.string(), z.unknown()), timestamp: z.string(), context: z.optional(z.string()), truncated: z.optional(z.literal(true)) }),
      }),
    ),
  }),
  href: contactsHref,
  subject: (k) => contactSubject(k.campaignId, k.contactId),
});

export const events = [resultStored, contactUpdated];

const keyOf = (r: RungopherResult) => ({ resultId: r.id, campaignId: r.campaignId, contactId: r.contactId });

/** The events of one stored result: always `result.stored`, and `contact.updated` when it raised a slot. Timed by the result. */
export function resultEvents(result: RungopherResult, applied: readonly Contribution[]) {
  const time = utcTimestamp(result);
  const out = [resultStored.make({ idParts: [result.id], key: keyOf(result), body: { resultType: result.resultType, resultName: result.resultName, result }, time })];
  if (applied.length) {
    out.push(contactUpdated.make({ idParts: [result.id, ...applied.map((c) => c.slot)], key: keyOf(result), body: { changes: applied.map((c) => ({ slot: c.slot, value: c.value })) }, time }));
  }
  return out;
}
