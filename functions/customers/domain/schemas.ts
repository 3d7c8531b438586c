import * as z from 'zod';
import { emailId, normaliseEmail, normalisePhone, phoneId, DEFAULT_PHONE_COUNTRY } from '#platform/identity.ts';
import type { CountryCode } from 'libphonenumber-js/min';

/**
 * Requests and answers of the customer routes, as zod schemas (validation and types in one, and the
 * shapes an API document can be generated from).
 */

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

const Text = z.string().max(320);

/** The person asked about: a phone number (E.164, or national in CUSTOMER_DEFAULT_COUNTRY), an e-mail address, or both. */
export const SubjectQuery = z
  .object({
    phone: Text.optional().meta({ description: 'Phone number, E.164 (`+61412345678`) or national in the default country.' }),
    email: Text.optional().meta({ description: 'E-mail address (compared lower-cased).' }),
  })
  .refine((q) => q.phone !== undefined || q.email !== undefined, { message: 'give phone, email or both', path: ['phone'] });

/** `GET /customers`: the subject and the list contract's `limit` and `cursor`. */
export const TimelineQuery = z.object({
  phone: SubjectQuery.shape.phone,
  email: SubjectQuery.shape.email,
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  cursor: z.string().max(4096).optional(),
});

/** `DELETE /customers`: the subject, and whether to suppress the person's later records. */
export const EraseQuery = z.object({
  phone: SubjectQuery.shape.phone,
  email: SubjectQuery.shape.email,
  suppress: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

/** The index keys of a subject query; undefined values in `issues` name what is not a phone or e-mail. */
export function subjectIdentifiers(q: { readonly phone?: string; readonly email?: string }, country: CountryCode = DEFAULT_PHONE_COUNTRY): { ids: string[]; issues: string[] } {
  const ids: string[] = [];
  const issues: string[] = [];
  if (q.phone === undefined && q.email === undefined) issues.push('phone: give phone, email or both');
  if (q.phone !== undefined) {
    const e164 = normalisePhone(q.phone, country);
    if (e164) ids.push(phoneId(e164));
    else issues.push('phone: not a phone number');
  }
  if (q.email !== undefined) {
    const email = normaliseEmail(q.email);
    if (email) ids.push(emailId(email));
    else issues.push('email: not an e-mail address');
  }
  return { ids, issues };
}

/** One item of the timeline. */
export const TimelineItem = z
  .object({
    vendor: z.string(),
    kind: z.string().meta({ description: 'sms-result, contact-view, contact-upload, feedback, chatbot-user, chatbot-transcript, …' }),
    label: z.string().optional().meta({ description: 'A result name, an event type, a channel.' }),
    at: z.string().meta({ description: 'ISO-8601 time of the record (for a conversation, its newest message).' }),
    link: z.string().meta({ description: 'Operator API path of the full record.' }),
    ref: z.string().meta({ description: 'Stable id of the record in the hub.' }),
  })
  .meta({ id: 'CustomerTimelineItem' });
export type TimelineItem = z.infer<typeof TimelineItem>;

export const TimelinePage = z.object({ items: z.array(TimelineItem), nextCursor: z.string().nullable() }).meta({ id: 'CustomerTimelinePage' });

/** The answer of an erasure call. */
export const ErasureAnswer = z
  .object({
    erasureId: z.string(),
    complete: z.boolean().meta({ description: 'False when time ran out: call again with the same query to continue.' }),
    counts: z.record(z.string(), z.number()).meta({ description: 'Items erased per table, over every call of this erasure.' }),
    suppressed: z.boolean(),
  })
  .meta({ id: 'CustomerErasure' });
export type ErasureAnswer = z.infer<typeof ErasureAnswer>;

/** The answer of a backfill call. */
export const BackfillAnswer = z
  .object({ scanned: z.number(), linked: z.number(), nextCursor: z.string().nullable() })
  .meta({ id: 'CustomerBackfill' });
