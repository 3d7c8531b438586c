import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eachCsvRecord, parseContactCsv } from '#rungopher/domain/contact-csv.ts';
import { referenceParseContactCsv } from '#test/rungopher/contact-csv-reference.ts';

/** csv-parse's reading (the old code's), as (fields, start line) pairs, or its error message. */
function byCsvParse(text: string): { records: [string[], number][] } | { error: string } {
  try {
    const records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as { record: string[]; info: { lines: number } }[];
    return { records: records.map((r) => [r.record, r.info.lines - r.record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0)]) };
  } catch (err) {
    return { error: String(err) };
  }
}

function byFastPath(text: string): { records: [string[], number][] } | { error: string } {
  try {
    const records: [string[], number][] = [];
    eachCsvRecord(text, (fields, line) => records.push([[...fields], line]));
    return { records };
  } catch (err) {
    return { error: String(err) };
  }
}

/** CSV-ish text: fields, commas, every line ending, blank lines, spaces, quotes now and then, a BOM. */
const csvText = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.constantFrom('a', 'b', 'é', '1', ' ', ',', ',', '\n', '\n', '\r\n', '\r', '"', '\t', '\uFEFF', '+'), { maxLength: 60 }),
    fc.constantFrom('none', 'crlf', 'keep'),
  )
  .map(([bom, parts, endings]) => {
    let text = parts.join('');
    if (endings === 'none') text = text.replace(/[\r"]/g, '');
    if (endings === 'crlf') text = text.replace(/\r/g, '').replace(/"/g, '').replace(/\n/g, '\r\n');
    return (bom ? '\uFEFF' : '') + text;
  });

describe('CSV records without csv-parse', () => {
  it('reads every text exactly as csv-parse does (records, start lines, errors)', () => {
    let fast = 0;
    fc.assert(
      fc.property(csvText, (text) => {
        // The texts the split reads itself: no quote, and no line ending other than the one used throughout.
        if (!text.includes('"') && (!text.includes('\r') || !/[\r\n]/.test(text.replace(/\r\n/g, '')))) fast++;
        expect(byFastPath(text)).toEqual(byCsvParse(text));
      }),
      { numRuns: 3000 },
    );
    expect(fast).toBeGreaterThan(1000);
  });
});

const REQUIRED_HEADERS = ['Contact ID', 'First Name', 'Last Name', 'Mobile Number'];
const OTHER_HEADERS = ['Email', 'Custom 1', 'Notes', 'Link', 'Address To Verify', 'Custom 4'];
const mobileOf = fc.oneof(
  // Often one of a few numbers, so rows of one file share a mobile (duplicates) in most runs.
  { weight: 8, arbitrary: fc.constantFrom('0468403000', '+61 468 403 001', '61468403002') },
  { weight: 3, arbitrary: fc.stringMatching(/^04[0-3]\d{7}$/) },
  { weight: 3, arbitrary: fc.stringMatching(/^\+61 4[0-3]\d \d{3} \d{3}$/) },
  { weight: 2, arbitrary: fc.stringMatching(/^\+44 7[4-9]\d{8}$/) },
  fc.stringMatching(/^614\d{8}$/),
  fc.stringMatching(/^0[2378]\d{8}$/),
  fc.stringMatching(/^07[4-9]\d{2} \d{6}$/),
  fc.stringMatching(/^\+?\d{3,14}$/),
  fc.constantFrom('', ' ', '0468403000', '0468403000', '+61468403000', '(04) 6840 3000', 'x'),
);
const textOf = fc.oneof(fc.constantFrom('', 'Mark', 'Jones', ' spaced ', 'é', 'a b'), fc.string({ maxLength: 6 }).map((s) => s.replace(/[\r\n",]/g, '')));
/** A cell for a column, by what the column holds. */
const cellFor = (header: string): fc.Arbitrary<string> =>
  header === 'Contact ID'
    ? fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 15 }).map(String) }, fc.constantFrom('', ' '))
    : header === 'Mobile Number' || header === 'phone'
      ? mobileOf
      : header === 'Email'
        ? fc.constantFrom('', '', 'a@b.co', 'mark@x.com.au', 'not-an-email', ' x@y.org ')
        : header === 'Link'
          ? fc.constantFrom('', '', 'https://x.co/y', 'nope')
          : fc.oneof({ weight: 5, arbitrary: fc.constantFrom('Mark', 'Chris', 'Smith') }, { weight: 1, arbitrary: textOf });
const contactCsv = fc
  .tuple(fc.shuffledSubarray(REQUIRED_HEADERS, { minLength: 3 }), fc.subarray(OTHER_HEADERS), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.boolean(), fc.boolean())
  .chain(([required, others, eol, bom, blankLines, quoted]) => {
    // Now and then a second mobile column (every row refused: two columns map to mobile).
    const headers = [...required, ...others, ...(others.length === OTHER_HEADERS.length ? ['phone'] : [])];
    const row = fc.tuple(fc.tuple(...headers.map(cellFor)), fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, -1, 1)).map(([cells, extra]) => (extra < 0 ? cells.slice(0, -1) : extra > 0 ? [...cells, 'extra'] : cells));
    return fc.array(row, { maxLength: 25 }).map((rows) => {
      const cell = (v: string) => (quoted && v.includes(' ') ? `"${v}"` : v);
      const lines = [headers.join(','), ...rows.map((r) => r.map(cell).join(','))];
      return (bom ? '\uFEFF' : '') + lines.flatMap((l, i) => (blankLines && i % 4 === 2 ? ['', l] : [l])).join(eol) + eol;
    });
  });

describe('parseContactCsv with its fast paths', () => {
  it('gives the same report as the code without them (contacts, mobiles, reasons, lines, key order)', () => {
    const seen = { contacts: 0, invalid: 0, duplicates: 0 };
    fc.assert(
      fc.property(
        contactCsv,
        fc.constantFrom('AU', 'AU', 'AU', 'GB', 'NZ', 'US'),
        fc.constantFrom('live', 'test'),
        fc.constantFrom(undefined, undefined, undefined, ['weblink'], ['email', 'custom1']),
        (csv, country, mode, requiredFields) => {
          const options = { defaultCountry: country, mode, ...(requiredFields ? { requiredFields } : {}) } as const;
          const now = parseContactCsv(csv, options);
          const before = referenceParseContactCsv(csv, options);
          expect(now).toEqual(before);
          expect(JSON.stringify(now)).toBe(JSON.stringify(before));
          seen.contacts += now.contacts.length;
          seen.invalid += now.invalid.length;
          seen.duplicates += now.duplicates.length;
        },
      ),
      { numRuns: 400 },
    );
    // Every kind of outcome was compared, not only refusals.
    expect(seen.contacts).toBeGreaterThan(60);
    expect(seen.invalid).toBeGreaterThan(200);
    expect(seen.duplicates).toBeGreaterThan(5);
  });
});
