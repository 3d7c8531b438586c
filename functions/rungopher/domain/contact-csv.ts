import { parse } from 'csv-parse/sync';
import * as z from 'zod';
import { issueLines } from '#platform/validation.ts';
import type { CountryCode } from 'libphonenumber-js/core';
import { CONTACT_FIELDS, Contact, MANDATORY_CONTACT_FIELDS, MAX_CONTACTS_PER_UPLOAD, type ContactField, type UploadMode } from './campaign.ts';
import { normalisePhone } from './phone.ts';

export { normalisePhone, type PhoneResult } from './phone.ts';

/**
 * Reading a contact CSV for an upload: header mapping, phone numbers to E.164, required fields,
 * duplicates. Every data row ends up in exactly one of `contacts`, `invalid` or `duplicates`, each with
 * its line number in the file, so nothing is dropped without a word.
 */

/** Header spellings (lower-cased, letters and digits only) that map to a contact field. */
const HEADER_SYNONYMS: Readonly<Record<string, ContactField>> = {
  id: 'contactId',
  externalid: 'contactId',
  crmid: 'contactId',
  customerid: 'contactId',
  first: 'firstName',
  fname: 'firstName',
  givenname: 'firstName',
  last: 'lastName',
  lname: 'lastName',
  surname: 'lastName',
  familyname: 'lastName',
  mobilenumber: 'mobile',
  mobilephone: 'mobile',
  phone: 'mobile',
  phonenumber: 'mobile',
  cell: 'mobile',
  cellphone: 'mobile',
  msisdn: 'mobile',
  emailaddress: 'email',
  link: 'weblink',
  url: 'weblink',
};

const normaliseHeader = (h: string): string => h.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The contact field a CSV header means, or undefined when it means none. */
export function mapHeader(header: string, explicit: Readonly<Record<string, string>> = {}): ContactField | undefined {
  const wanted = explicit[header] ?? explicit[header.trim()];
  if (wanted !== undefined) return (CONTACT_FIELDS as readonly string[]).includes(wanted) ? (wanted as ContactField) : undefined;
  const key = normaliseHeader(header);
  const direct = CONTACT_FIELDS.find((f) => f.toLowerCase() === key);
  return direct ?? HEADER_SYNONYMS[key];
}

/** A contact read from the file, with the line it started on. */
export interface CsvContact {
  readonly line: number;
  readonly contact: Contact;
}

/** A row that cannot be sent, with every reason. */
export interface InvalidRow {
  readonly line: number;
  readonly problems: readonly string[];
}

/** A row that repeats an earlier one's mobile (live mode) or contactId. */
export interface DuplicateRow {
  readonly line: number;
  readonly firstLine: number;
  readonly field: 'mobile' | 'contactId';
  readonly value: string;
}

export interface ContactCsvOptions {
  /** Country for numbers written without a country code. @default 'AU' */
  readonly defaultCountry?: CountryCode;
  /** `live` refuses a second row with the same mobile (the vendor would skip it); `test` allows it. @default 'live' */
  readonly mode?: UploadMode;
  /** The campaign's requiredFields. @default contactId, firstName, lastName, mobile */
  readonly requiredFields?: readonly string[];
  /** Explicit `header -> field` mapping, applied before the automatic one. */
  readonly headerMap?: Readonly<Record<string, string>>;
}

/** Everything read from a contact CSV. */
export interface ContactCsvReport {
  readonly rows: number;
  readonly columns: readonly { readonly header: string; readonly field: ContactField | undefined }[];
  /** Headers that map to no field; their values are not sent. */
  readonly ignoredHeaders: readonly string[];
  /** Required fields no header maps to: every row will be invalid. */
  readonly missingColumns: readonly string[];
  readonly contacts: readonly CsvContact[];
  readonly invalid: readonly InvalidRow[];
  readonly duplicates: readonly DuplicateRow[];
}

interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/** How many times `part` occurs in `text`. */
function count(text: string, part: string): number {
  let n = 0;
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length)) n++;
  return n;
}

/**
 * Calls `each` with every record of a CSV text and the physical line it starts on (1-based), as
 * csv-parse reads it with `bom`, `relax_column_count` and `skip_empty_lines`.
 *
 * A file with no `"` at all and one kind of line ending (`\n`, or `\r\n` throughout) is lines of
 * comma-separated fields, nothing more: it is split here, which takes ~20 ms for 30,000 rows where
 * csv-parse takes ~300 ms (a quarter of it building `info` objects). Anything else (quoted fields,
 * lone or mixed `\r`) goes to csv-parse, errors and all. The property test in
 * test/rungopher/contact-csv-fast.test.ts checks the split against csv-parse.
 */
export function eachCsvRecord(text: string, each: (fields: readonly string[], line: number) => void): void {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const cr = count(body, '\r');
  const lf = cr ? count(body, '\n') : 0;
  if (!body.includes('"') && (cr === 0 || (count(body, '\r\n') === cr && lf === cr))) {
    const end = cr ? '\r\n' : '\n';
    let line = 0;
    for (let at = 0; at < body.length; ) {
      let stop = body.indexOf(end, at);
      if (stop < 0) stop = body.length;
      line++;
      if (stop > at) each(body.slice(at, stop).split(','), line);
      at = stop + end.length;
    }
    return;
  }
  // With `info: true` csv-parse returns { record, info } per row; its typings do not model that option.
  const records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as CsvRecord[];
  for (const r of records) each(r.record, r.info.lines - r.record.reduce((n, f) => n + count(f, '\n'), 0));
}

const E164 = /^\+[1-9]\d{6,14}$/;
/** The schema's optional fields but weblink, in the schema's order. */
const OPTIONAL_FIELDS = CONTACT_FIELDS.filter((f): f is Exclude<ContactField, (typeof MANDATORY_CONTACT_FIELDS)[number] | 'weblink'> => !(MANDATORY_CONTACT_FIELDS as readonly string[]).includes(f) && f !== 'weblink');

/**
 * The contact zod's `Contact` would make of a row's values, when it can tell cheaply that zod would
 * accept them; undefined otherwise (zod then decides, and words every refusal). The row reader hands
 * over trimmed, non-empty strings of contact fields only, so what is left to check is the mobile's
 * E.164 form and the e-mail's pattern (zod's own); a row with a weblink goes to zod (its URL check).
 * zod returns the fields in the schema's order, so this does too. About 6 µs a row saved; the
 * property test in test/rungopher/contact-csv-fast.test.ts compares whole reports with the old code.
 */
function plainContact(values: Partial<Record<ContactField, string>>): { success: true; data: Contact } | undefined {
  const { contactId, firstName, lastName, mobile, email, weblink } = values;
  if (contactId === undefined || firstName === undefined || lastName === undefined || mobile === undefined || weblink !== undefined) return undefined;
  if (!E164.test(mobile) || (email !== undefined && !z.regexes.email.test(email))) return undefined;
  const data: Contact = { contactId, firstName, lastName, mobile };
  for (const f of OPTIONAL_FIELDS) {
    const v = values[f];
    if (v !== undefined) data[f] = v;
  }
  return { success: true, data };
}

/**
 * Parses and validates a contact CSV (first line is the header). Line numbers are the physical line a
 * record starts on, counting the header as line 1.
 */
export function parseContactCsv(text: string, options: ContactCsvOptions = {}): ContactCsvReport {
  const country = options.defaultCountry ?? 'AU';
  const mode = options.mode ?? 'live';
  const required = [...new Set([...MANDATORY_CONTACT_FIELDS, ...(options.requiredFields ?? [])])];
  // The header makes the row reader; every later record is a data row.
  const state: { reader?: RowReader } = {};
  eachCsvRecord(text, (fields, line) => {
    if (state.reader) state.reader.row(fields, line);
    else state.reader = rowReader(fields, { country, mode, required, headerMap: options.headerMap });
  });
  if (!state.reader) return { rows: 0, columns: [], ignoredHeaders: [], missingColumns: required, contacts: [], invalid: [], duplicates: [] };
  return state.reader.report();
}

interface RowReader {
  row(fields: readonly string[], line: number): void;
  report(): ContactCsvReport;
}

/** Reads the data rows under a header, one at a time. */
function rowReader(
  head: readonly string[],
  { country, mode, required, headerMap }: { country: CountryCode; mode: UploadMode; required: readonly string[]; headerMap: Readonly<Record<string, string>> | undefined },
): RowReader {
  const columns = head.map((header) => ({ header, field: mapHeader(header, headerMap) }));
  const ignoredHeaders = columns.filter((c) => c.field === undefined).map((c) => c.header);
  const mapped = new Set(columns.map((c) => c.field));
  const missingColumns = required.filter((f) => !mapped.has(f as ContactField));
  const doubleMapped = CONTACT_FIELDS.filter((f) => columns.filter((c) => c.field === f).length > 1);

  const contacts: CsvContact[] = [];
  const invalid: InvalidRow[] = [];
  const duplicates: DuplicateRow[] = [];
  const seenMobile = new Map<string, number>();
  const seenId = new Map<string, number>();
  let rows = 0;

  // Column index -> field, once: the row loop reads only mapped columns.
  const fieldColumns = columns.flatMap((c, i) => (c.field ? [[i, c.field] as const] : []));

  const row = (record: readonly string[], line: number): void => {
    rows++;
    const problems: string[] = [];
    if (record.length !== columns.length) problems.push(`has ${record.length} columns, the header has ${columns.length}`);
    if (doubleMapped.length) problems.push(`several columns map to ${doubleMapped.join(', ')}`);
    const values: Partial<Record<ContactField, string>> = {};
    for (const [i, field] of fieldColumns) {
      const v = record[i]?.trim();
      if (v !== undefined && v !== '') values[field] = v;
    }
    for (const f of required) if (values[f as ContactField] === undefined) problems.push(`${f} is required`);
    if (values.mobile !== undefined) {
      const phone = normalisePhone(values.mobile, country);
      if (phone.ok) values.mobile = phone.e164;
      else problems.push(phone.reason);
    }
    if (problems.length === 0) {
      const parsed = plainContact(values) ?? Contact.safeParse(values);
      if (!parsed.success) problems.push(...issueLines(parsed.error));
      else {
        const c = parsed.data;
        const firstId = seenId.get(c.contactId);
        const firstMobile = mode === 'live' ? seenMobile.get(c.mobile) : undefined;
        if (firstId !== undefined) duplicates.push({ line, firstLine: firstId, field: 'contactId', value: c.contactId });
        else if (firstMobile !== undefined) duplicates.push({ line, firstLine: firstMobile, field: 'mobile', value: c.mobile });
        else {
          seenId.set(c.contactId, line);
          if (!seenMobile.has(c.mobile)) seenMobile.set(c.mobile, line);
          contacts.push({ line, contact: c });
        }
        return;
      }
    }
    invalid.push({ line, problems });
  };
  return { row, report: () => ({ rows, columns, ignoredHeaders, missingColumns, contacts, invalid, duplicates }) };
}

/** Splits a list into requests of at most `size` (30,000, the vendor's limit). */
export function batches<T>(items: readonly T[], size: number = MAX_CONTACTS_PER_UPLOAD): T[][] {
  if (!Number.isInteger(size) || size < 1 || size > MAX_CONTACTS_PER_UPLOAD) throw new RangeError(`batch size must be 1..${MAX_CONTACTS_PER_UPLOAD}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Which contacts of a batch the vendor skipped, read from its warnings (they name the mobile, e.g.
 * "Mobile number +61468403100 already exists in this campaign, skipped"). Returns the set of skipped
 * mobiles; the others of the batch were started.
 */
export function skippedMobiles(warnings: readonly string[], mobiles: readonly string[]): Set<string> {
  const skipped = new Set<string>();
  const byDigits = new Map(mobiles.map((m) => [m.replace(/\D/g, ''), m]));
  for (const w of warnings) {
    for (const match of w.matchAll(/\+?\d[\d ]{6,16}\d/g)) {
      const m = byDigits.get(match[0].replace(/\D/g, ''));
      if (m) skipped.add(m);
    }
  }
  return skipped;
}
