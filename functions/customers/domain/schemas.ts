import * as z from 'zod';
import { emailId, normaliseEmail, normalisePhone, phoneId, DEFAULT_PHONE_COUNTRY } from '#platform/identity.ts';
import type { CountryCode } from 'libphonenumber-js/min';
import type { Issue } from '#platform/errors.ts';
import { Cursor, ListQuery, pageSchema } from '#platform/list-page.ts';
import { keyProblem } from '#platform/validation.ts';

/**
 * Requests and answers of the customer routes, as zod schemas (validation and types in one, and the
 * shapes an API document can be generated from).
 */

/** A phone or e-mail as asked: at most 320 characters (an e-mail's limit), and usable in an index key. */
const Text = z
  .string()
  .max(320)
  .superRefine((value, ctx) => {
    const problem = keyProblem(value, 1024);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The person asked about: a phone number (E.164, or national in CUSTOMER_DEFAULT_COUNTRY), an e-mail address, or both. */
export const SubjectQuery = z
  .object({
    phone: Text.optional().meta({ description: 'Phone number, E.164 (`+61412345678`) or national in the default country.' }),
    email: Text.optional().meta({ description: 'E-mail address (compared lower-cased).' }),
  })
  .refine((q) => q.phone !== undefined || q.email !== undefined, { message: 'give phone, email or both', path: ['phone'] });

/** `GET /customers`: the subject and the list contract's `limit` and `cursor`. */
export const TimelineQuery = ListQuery.extend({
  phone: SubjectQuery.shape.phone,
  email: SubjectQuery.shape.email,
});

/** `GET /customers/export`: the subject and the `cursor` of the document's next part. */
export const ExportQuery = z.object({
  phone: SubjectQuery.shape.phone,
  email: SubjectQuery.shape.email,
  cursor: Cursor.optional(),
});

/** `POST /customers/backfill`: where a previous call stopped. */
export const BackfillQuery = z.object({ cursor: Cursor.optional() });

/** `DELETE /customers`: the subject, and whether to suppress the person's later records. */
export const EraseQuery = z.object({
  phone: SubjectQuery.shape.phone,
  email: SubjectQuery.shape.email,
  suppress: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

/** The index keys of a subject query; undefined values in `issues` name what is not a phone or e-mail. */
export function subjectIdentifiers(q: { readonly phone?: string; readonly email?: string }, country: CountryCode = DEFAULT_PHONE_COUNTRY): { ids: string[]; issues: Issue[] } {
  const ids: string[] = [];
  const issues: Issue[] = [];
  if (q.phone === undefined && q.email === undefined) issues.push({ name: 'phone', detail: 'give phone, email or both' });
  if (q.phone !== undefined) {
    const e164 = normalisePhone(q.phone, country);
    if (e164) ids.push(phoneId(e164));
    else issues.push({ name: 'phone', detail: 'not a phone number' });
  }
  if (q.email !== undefined) {
    const email = normaliseEmail(q.email);
    if (email) ids.push(emailId(email));
    else issues.push({ name: 'email', detail: 'not an e-mail address' });
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

export const TimelinePage = pageSchema(TimelineItem, 'CustomerTimelinePage');

/** One record held about the person (or the part of it that fits this part of the export). */
export const ExportRecord = z
  .object({
    vendor: z.string(),
    kind: z.string().meta({ description: 'The timeline kind of the record, or `related` for what goes with it (a thread, actions, a claim).' }),
    at: z.string(),
    table: z.string().meta({ description: 'The table (topology name) the items are in.' }),
    ref: z.string().meta({ description: 'Stable id of the record in the hub.' }),
    items: z.array(z.record(z.string(), z.unknown())).meta({ description: 'The items as stored (sets as arrays).' }),
    part: z.number().int().min(1).optional().meta({ description: 'Set when a record too large for one part is split: its items continue in the next part with part + 1.' }),
  })
  .meta({ id: 'CustomerExportRecord' });

/** A part of the export: everything the hub holds about the person, in parts of at most about 5 MB. */
export const ExportPart = z
  .object({
    generatedAt: z.string(),
    subject: z.array(z.string()).meta({ description: 'The identifiers asked for (`phone:+61…`, `email:…`).' }),
    identifiers: z.array(z.string()).meta({ description: 'Every identifier reached from them through vendor ids.' }),
    index: z.array(z.record(z.string(), z.unknown())).optional().meta({ description: 'The index rows (first part only).' }),
    records: z.array(ExportRecord),
    nextCursor: z.string().nullable().meta({ description: 'Send as `cursor` (with the same phone/email) for the next part; null on the last.' }),
  })
  .meta({ id: 'CustomerExport' });

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
export type ExportPart = z.infer<typeof ExportPart>;
