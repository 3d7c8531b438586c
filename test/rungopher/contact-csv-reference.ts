import { parse } from 'csv-parse/sync';
import { issueLines } from '#platform/validation.ts';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { Contact, MANDATORY_CONTACT_FIELDS, CONTACT_FIELDS, type ContactField } from '#rungopher/domain/campaign.ts';
import { mapHeader, type ContactCsvOptions, type ContactCsvReport, type CsvContact, type DuplicateRow, type InvalidRow, type PhoneResult } from '#rungopher/domain/contact-csv.ts';

/**
 * The contact CSV reader as it was before its fast paths: csv-parse for every file and
 * libphonenumber-js for every number. Kept verbatim (types imported from the module) as the oracle
 * the property tests compare the fast paths with; not used by the hub.
 */

/** Phone types that cannot receive an SMS. */
const NOT_MOBILE = new Set(['FIXED_LINE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'UAN', 'VOICEMAIL', 'PAGER']);

/**
 * A phone number in E.164 (`+61412345678`), reading national numbers in `defaultCountry`. Numbers that
 * are valid but cannot take an SMS (landlines, toll-free) are refused.
 */
export function referenceNormalisePhone(raw: string, defaultCountry: CountryCode): PhoneResult {
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'mobile is empty' };
  const parsed = parsePhoneNumberFromString(value, defaultCountry);
  if (!parsed?.isValid()) return { ok: false, reason: `"${value}" is not a valid phone number (default country ${defaultCountry})` };
  const type = parsed.getType();
  if (type !== undefined && NOT_MOBILE.has(type)) return { ok: false, reason: `"${value}" is not a mobile number (${type.toLowerCase().replace(/_/g, ' ')})` };
  return { ok: true, e164: parsed.number };
}

interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/**
 * Parses and validates a contact CSV (first line is the header). Line numbers are the physical line a
 * record starts on, counting the header as line 1.
 */
export function referenceParseContactCsv(text: string, options: ContactCsvOptions = {}): ContactCsvReport {
  const country = options.defaultCountry ?? 'AU';
  const mode = options.mode ?? 'live';
  const required = [...new Set([...MANDATORY_CONTACT_FIELDS, ...(options.requiredFields ?? [])])];
  // With `info: true` csv-parse returns { record, info } per row; its typings do not model that option.
  const records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as CsvRecord[];
  const startLine = (r: CsvRecord): number =>
    r.info.lines - r.record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);

  const [head, ...body] = records;
  if (!head) {
    return { rows: 0, columns: [], ignoredHeaders: [], missingColumns: required, contacts: [], invalid: [], duplicates: [] };
  }
  const columns = head.record.map((header) => ({ header, field: mapHeader(header, options.headerMap) }));
  const ignoredHeaders = columns.filter((c) => c.field === undefined).map((c) => c.header);
  const mapped = new Set(columns.map((c) => c.field));
  const missingColumns = required.filter((f) => !mapped.has(f as ContactField));
  const doubleMapped = CONTACT_FIELDS.filter((f) => columns.filter((c) => c.field === f).length > 1);

  const contacts: CsvContact[] = [];
  const invalid: InvalidRow[] = [];
  const duplicates: DuplicateRow[] = [];
  const seenMobile = new Map<string, number>();
  const seenId = new Map<string, number>();

  for (const rec of body) {
    const line = startLine(rec);
    const problems: string[] = [];
    if (rec.record.length !== columns.length) problems.push(`has ${rec.record.length} columns, the header has ${columns.length}`);
    if (doubleMapped.length) problems.push(`several columns map to ${doubleMapped.join(', ')}`);
    const values: Record<string, string> = {};
    columns.forEach((c, i) => {
      const v = rec.record[i]?.trim();
      if (c.field && v !== undefined && v !== '') values[c.field] = v;
    });
    for (const f of required) if (values[f] === undefined) problems.push(`${f} is required`);
    if (values.mobile !== undefined) {
      const phone = referenceNormalisePhone(values.mobile, country);
      if (phone.ok) values.mobile = phone.e164;
      else problems.push(phone.reason);
    }
    if (problems.length === 0) {
      const parsed = Contact.safeParse(values);
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
        continue;
      }
    }
    invalid.push({ line, problems });
  }
  return { rows: body.length, columns, ignoredHeaders, missingColumns, contacts, invalid, duplicates };
}
