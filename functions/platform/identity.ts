import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';

// Masking lives apart so the log formatter (every bundle) does not load libphonenumber-js.
export { findPersonalText, maskEmail, maskPersonalText, maskPhone } from './personal-text.ts';

/**
 * The identifiers a stored record can carry about a person, as the customer index keys them. Pure:
 * no I/O. Vendors use these to say what a record carries (`functions/<vendor>/domain/customer.ts`);
 * the customer index and the log formatter use the same rules, so a phone number is the same string
 * wherever the hub meets it.
 */

/** Country used to read national phone numbers (`0412 345 678`), as the contact CSV does by default. */
export const DEFAULT_PHONE_COUNTRY: CountryCode = 'AU';

/**
 * A phone number in E.164 (`+61412345678`), read the way the contact CSV reads it (libphonenumber,
 * national numbers in `country`), or undefined when it is no phone number. Unlike the CSV it does not
 * refuse landlines: a landline that a person gave is still theirs to find and erase. The `min`
 * metadata is enough to format E.164 and keeps the bundles small.
 */
export function normalisePhone(raw: string, country: CountryCode = DEFAULT_PHONE_COUNTRY): string | undefined {
  const value = raw.trim();
  if (value === '' || value.length > 40) return undefined;
  // Netcore and Rungopher's journey path write international numbers without the `+`.
  const candidate = /^\d{11,15}$/.test(value) && !value.startsWith('0') ? `+${value}` : value;
  const parsed = parsePhoneNumberFromString(candidate, country);
  if (!parsed?.isPossible()) return undefined;
  return parsed.number;
}

/** An e-mail address, lower-cased and trimmed, or undefined when it does not look like one. */
export function normaliseEmail(raw: string): string | undefined {
  const value = raw.trim().toLowerCase();
  if (value.length < 3 || value.length > 320) return undefined;
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? value : undefined;
}

/** What a person is looked up by: a phone number or an e-mail address. */
export type Subject = { readonly kind: 'phone'; readonly value: string } | { readonly kind: 'email'; readonly value: string };

/** The index key of a phone number (E.164). */
export const phoneId = (e164: string): string => `phone:${e164}`;
/** The index key of an e-mail address (lower case). */
export const emailId = (email: string): string => `email:${email}`;
/**
 * The index key of a vendor's own contact id: `<vendor>:<kind>:<id>` (a Rungopher campaign + contact,
 * a Goodays response, a Netcore bot user on a channel).
 */
export const vendorId = (vendor: string, kind: string, id: string): string => `${vendor}:${kind}:${id}`;

/** The index key of a subject. */
export function subjectId(subject: Subject): string {
  return subject.kind === 'phone' ? phoneId(subject.value) : emailId(subject.value);
}

/** Index keys of the phone numbers and e-mail addresses among `values` (strings that are neither are left out). */
export function identifiersOf(values: { readonly phones?: readonly unknown[]; readonly emails?: readonly unknown[] }, country: CountryCode = DEFAULT_PHONE_COUNTRY): string[] {
  const out = new Set<string>();
  for (const p of values.phones ?? []) {
    const e164 = typeof p === 'string' || typeof p === 'number' ? normalisePhone(String(p), country) : undefined;
    if (e164) out.add(phoneId(e164));
  }
  for (const e of values.emails ?? []) {
    const email = typeof e === 'string' ? normaliseEmail(e) : undefined;
    if (email) out.add(emailId(email));
  }
  return [...out];
}

/**
 * Where a record lives, so the customer functions can read and erase it without knowing the vendor:
 * - `item`: one item by its full table key;
 * - `partition`: every item of one partition of the table (a Goodays response's events);
 * - `index`: every item one partition of an index holds, erased by their table keys (a Netcore user's
 *   messages on one channel, a Goodays response's actions).
 * The last two name the table's key attributes (`tableKey`), so their items can be deleted by key.
 */
export type RecordRef =
  | { readonly table: string; readonly scope: 'item'; readonly key: Readonly<Record<string, string>> }
  | { readonly table: string; readonly scope: 'partition'; readonly key: Readonly<Record<string, string>>; readonly tableKey: readonly string[] }
  | { readonly table: string; readonly scope: 'index'; readonly index: string; readonly key: Readonly<Record<string, string>>; readonly tableKey: readonly string[] }
  | EntriesRef;

/**
 * Some entries of a list attribute of one item, where one item holds several people (a chunk of an
 * uploaded contact list, a batch's vendor warnings). An entry is the person's when its `field` equals
 * `equals` (objects), or, for a list of strings, when it holds `contains` (compared on digits alone
 * when `contains` is a number, so `+61 412…` and `61412…` match). Erasing replaces those entries in
 * place (an object by `{ <field>: value, erased: true }`, a string by `[erased]`), so positions and
 * the other people's entries stay.
 */
export interface EntriesRef {
  readonly table: string;
  readonly scope: 'entries';
  readonly key: Readonly<Record<string, string>>;
  readonly list: string;
  readonly match: { readonly field: string; readonly equals: string | number } | { readonly contains: string };
}

/** Whether a list entry is the one an {@link EntriesRef} names. */
export function entryMatches(ref: EntriesRef, entry: unknown): boolean {
  const m = ref.match;
  if ('field' in m) return entry !== null && typeof entry === 'object' && (entry as Record<string, unknown>)[m.field] === m.equals;
  if (typeof entry !== 'string') return false;
  if (/^\d+$/.test(m.contains)) return entry.replace(/\D/g, '').includes(m.contains);
  return entry.includes(m.contains);
}

/** A stable text id of a ref (the index's sort key). */
export function refId(ref: RecordRef): string {
  const key = Object.keys(ref.key)
    .sort()
    .map((k) => [k, ref.key[k]]);
  const base = [ref.table, ref.scope, ref.scope === 'index' ? ref.index : '', key];
  return JSON.stringify(ref.scope === 'entries' ? [...base, ref.list, ref.match] : base);
}

/**
 * What one stored record says about a person: the identifiers it carries (phones, e-mails, vendor
 * ids: each becomes a row of the customer index), where it is (`ref`), records that go with it
 * (`also`: the Rungopher contact view of a result, a Goodays thread and actions of an event), and what
 * the timeline shows of it (vendor, kind, time, an operator API path to the full record).
 */
export interface CustomerLink {
  readonly vendor: string;
  readonly kind: string;
  /** ISO-8601 time of the record (for a ref that spans several records, the newest). */
  readonly at: string;
  /** A short, non-personal label (a result name, an event type, a channel). */
  readonly label?: string;
  /** Operator API path to the full record. */
  readonly path: string;
  readonly identifiers: readonly string[];
  readonly ref: RecordRef;
  readonly also?: readonly RecordRef[];
  /**
   * Records of `also` the timeline lists as items of their own, without an index row of their own (a
   * Rungopher contact's view, in the `also` of each of the contact's results): listed at the time of
   * the newest link naming them, found through that link's identifiers, erased and exported with it
   * (they are in `also`). One row per result instead of two, and no row rewritten by every later result.
   */
  readonly lists?: readonly ListedRecord[];
}

/** A record of a {@link CustomerLink}'s `also` that it lists beside its own (see `lists`). */
export interface ListedRecord {
  readonly kind: string;
  /** Operator API path to the full record. */
  readonly path: string;
  /** Its position in the link's `also` (so its ref is stored once). */
  readonly also: number;
  readonly label?: string;
}
