import { parseJson } from '#platform/json.ts';
import * as z from '#platform/zod.ts';

/**
 * Rungopher conversation results (`rungopher-results-api.txt`). The same JSON arrives by webhook and
 * from the 12 polling endpoints. Known result types have their `data` checked; unknown types and
 * names are kept as data, never dropped (the vendor adds names, e.g. `emailConfirmed` has no sample).
 */

/** Result names the vendor documents, each with its polling endpoint. */
export const RESULT_NAMES = [
  'allSms',
  'optedOut',
  'newAddress',
  'newEmail',
  'accepted',
  'emailConfirmed',
  'addressConfirmed',
  'acceptedUpgrade',
  'convertedToEmail',
  'cancelled',
  'newNumber',
  'linkClicked',
] as const;

/** Names the document lists under the boolean type. */
export const BOOLEAN_RESULT_NAMES = ['accepted', 'acceptedUpgrade', 'addressConfirmed', 'convertedToEmail', 'cancelled', 'optedOut', 'emailConfirmed'] as const;

const idLike = z.pipe(z.union([z.number().check(z.int(), z.nonnegative()), z.string().check(z.trim(), z.minLength(1), z.maxLength(200))]), z.transform(String));
const isoWithOffset = z.iso.datetime({ offset: true, local: false });

export const BooleanData = z.looseObject({ answer: z.union([z.string().check(z.minLength(1)), z.boolean()]) });
export const EmailData = z.looseObject({ email: z.string().check(z.trim(), z.minLength(3), z.maxLength(320)) });
export const PhoneData = z.looseObject({ phone: z.string().check(z.trim(), z.minLength(3), z.maxLength(40)) });
export const AddressData = z.looseObject({
  city: z.optional(z.string()),
  state: z.optional(z.string()),
  postcode: z.optional(z.string()),
  streetAddress: z.optional(z.string()),
});
/** `count` is a string in the document ("1"); numbers are accepted too. */
export const LinkClickedData = z.looseObject({
  link: z.string().check(z.minLength(1), z.maxLength(4096)),
  count: z.pipe(z.union([z.string().check(z.regex(/^\d+$/)), z.number().check(z.int(), z.nonnegative())]), z.transform(Number)),
});
export const SmsData = z.looseObject({
  kind: z.string().check(z.minLength(1)),
  content: z.string(),
  campaignName: z.optional(z.string()),
});

/** Data schema per documented result type; other types keep any JSON object. */
export const DATA_BY_TYPE = {
  boolean: BooleanData,
  email: EmailData,
  phone: PhoneData,
  address: AddressData,
  linkClicked: LinkClickedData,
  sms: SmsData,
} as const;

export type KnownResultType = keyof typeof DATA_BY_TYPE;

const ResultEnvelope = z.looseObject({
  id: idLike,
  campaignId: idLike,
  campaignToken: z.optional(z.string()),
  contactId: idLike,
  resultType: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  resultName: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  data: z.record(z.string(), z.unknown()),
  context: z.optional(z.string()),
  timestamp: isoWithOffset,
});

/** A validated result: ids as strings, `data` checked against its type where the type is known. */
export const RungopherResult = ResultEnvelope.check(
  z.superRefine((r, ctx) => {
    const schema = (DATA_BY_TYPE as Record<string, z.ZodMiniType>)[r.resultType];
    if (!schema) return;
    const parsed = schema.safeParse(r.data);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: 'custom', path: ['data', ...issue.path.map(String)], message: `${r.resultType} result: ${issue.message}` });
      }
    }
  }),
);
export type RungopherResult = z.output<typeof RungopherResult>;

/** Outcome of parsing a body: the result, or the reasons it is not one. */
export type ParseOutcome = { ok: true; result: RungopherResult; json: unknown } | { ok: false; reason: string };

/** Parses raw webhook or poller text into a result, with a reason a person can act on when it fails. */
export function parseResult(text: string): ParseOutcome {
  const json = parseJson(text);
  return json.ok ? parseResultValue(json.value) : { ok: false, reason: `body is ${json.reason}` };
}

/** Validates an already-parsed JSON value as a result. */
export function parseResultValue(json: unknown): ParseOutcome {
  const parsed = RungopherResult.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: `not a Rungopher result: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  }
  return { ok: true, result: parsed.data, json };
}

/** The timestamp as UTC with milliseconds, so stored keys sort in time order whatever the offset. */
export function utcTimestamp(result: Pick<RungopherResult, 'timestamp'>): string {
  return new Date(result.timestamp).toISOString();
}

/**
 * Sort key of a result: UTC time then id, zero-padded when numeric so ids of the same instant sort
 * numerically. Unique because ids are globally unique.
 */
export function resultSortKey(result: Pick<RungopherResult, 'timestamp' | 'id'>): string {
  const id = /^\d+$/.test(result.id) ? result.id.padStart(20, '0') : result.id;
  return `${utcTimestamp(result)}#${id}`;
}

/** Key of a contact within a campaign; JSON so that ids containing separators cannot collide. */
export function campaignContactKey(campaignId: string, contactId: string): string {
  return JSON.stringify([campaignId, contactId]);
}
