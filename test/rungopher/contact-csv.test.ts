import { describe, expect, it } from 'vitest';
import { batches, mapHeader, normalisePhone, parseContactCsv, skippedMobiles } from '#rungopher/domain/contact-csv.ts';

describe('header mapping', () => {
  it('maps common spellings and explicit mappings', () => {
    expect(mapHeader('First Name')).toBe('firstName');
    expect(mapHeader('surname')).toBe('lastName');
    expect(mapHeader('Mobile Number')).toBe('mobile');
    expect(mapHeader('CONTACT_ID')).toBe('contactId');
    expect(mapHeader('Custom 3')).toBe('custom3');
    expect(mapHeader('Address To Verify')).toBe('addressToVerify');
    expect(mapHeader('favourite colour')).toBeUndefined();
    expect(mapHeader('Member No', { 'Member No': 'contactId' })).toBe('contactId');
  });
});

describe('phone numbers', () => {
  it('normalises national and international forms to E.164 with default country AU', () => {
    expect(normalisePhone('0412 345 678', 'AU')).toEqual({ ok: true, e164: '+61412345678' });
    expect(normalisePhone('+61 412-345-678', 'AU')).toEqual({ ok: true, e164: '+61412345678' });
    expect(normalisePhone('61412345678', 'AU')).toMatchObject({ ok: true });
    expect(normalisePhone('07911 123456', 'GB')).toEqual({ ok: true, e164: '+447911123456' });
  });
  it('refuses invalid numbers and landlines', () => {
    expect(normalisePhone('12345', 'AU')).toMatchObject({ ok: false });
    expect(normalisePhone('02 9999 9999', 'AU')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a mobile/) });
  });
});

const header = 'Contact ID,First Name,Last Name,Mobile,Email,Notes\n';

describe('parseContactCsv', () => {
  it('reads valid rows, with line numbers and normalised mobiles', () => {
    const r = parseContactCsv(header + '1,Mark,Jones,0468 403 000,mark@x.co,hello\n2,Chris,Smith,+61468403001,,\n');
    expect(r.rows).toBe(2);
    expect(r.contacts.map((c) => [c.line, c.contact.mobile])).toEqual([
      [2, '+61468403000'],
      [3, '+61468403001'],
    ]);
    expect(r.ignoredHeaders).toEqual(['Notes']);
    expect(r.contacts[1]?.contact.email).toBeUndefined();
  });

  it('reports every invalid row with its line and reasons; nothing is dropped', () => {
    const csv = header + '1,Mark,Jones,0468403000,,\n2,,Smith,0468403001,,\n3,Ann,Lee,02 9999 9999,,\n4,Bo,Ng,0468403004,not-an-email,\n5,Cy,Oh\n';
    const r = parseContactCsv(csv);
    expect(r.contacts).toHaveLength(1);
    expect(r.invalid.map((i) => i.line)).toEqual([3, 4, 5, 6]);
    expect(r.invalid[0]?.problems).toContain('firstName is required');
    expect(r.invalid[1]?.problems.join()).toMatch(/not a mobile/);
    expect(r.invalid[2]?.problems.join()).toMatch(/email/);
    expect(r.invalid[3]?.problems.join()).toMatch(/3 columns, the header has 6/);
    expect(r.contacts.length + r.invalid.length + r.duplicates.length).toBe(r.rows);
  });

  it('counts lines of quoted multi-line fields and skips blank lines without losing the count', () => {
    const csv = header + '1,"Mark\nthe second",Jones,0468403000,,\n\n2,Chris,,0468403001,,\n';
    const r = parseContactCsv(csv);
    expect(r.contacts[0]?.line).toBe(2);
    expect(r.invalid[0]?.line).toBe(5);
  });

  it('reports duplicate mobiles in live mode and duplicate contactIds in both, pointing at the first line', () => {
    const csv = header + '1,A,A,0468403000,,\n2,B,B,+61 468 403 000,,\n1,C,C,0468403002,,\n';
    const live = parseContactCsv(csv, { mode: 'live' });
    expect(live.contacts.map((c) => c.line)).toEqual([2]);
    expect(live.duplicates).toEqual([
      { line: 3, firstLine: 2, field: 'mobile', value: '+61468403000' },
      { line: 4, firstLine: 2, field: 'contactId', value: '1' },
    ]);
    const test = parseContactCsv(csv, { mode: 'test' });
    expect(test.contacts.map((c) => c.line)).toEqual([2, 3]);
    expect(test.duplicates.map((d) => d.field)).toEqual(['contactId']);
  });

  it("enforces the campaign's requiredFields and names missing columns", () => {
    const r = parseContactCsv(header + '1,Mark,Jones,0468403000,,\n', { requiredFields: ['weblink'] });
    expect(r.missingColumns).toEqual(['weblink']);
    expect(r.invalid[0]?.problems).toContain('weblink is required');
  });

  it('uses the default country given', () => {
    const r = parseContactCsv(header + '1,A,B,07911 123456,,\n', { defaultCountry: 'GB' });
    expect(r.contacts[0]?.contact.mobile).toBe('+447911123456');
  });

  it('handles a BOM and an empty file', () => {
    expect(parseContactCsv('\uFEFF' + header + '1,A,B,0468403000,,\n').contacts).toHaveLength(1);
    expect(parseContactCsv('').rows).toBe(0);
  });
});

describe('batches and warnings', () => {
  it('splits into requests of at most 30,000', () => {
    expect(batches(Array.from({ length: 60_001 }, (_, i) => i)).map((b) => b.length)).toEqual([30_000, 30_000, 1]);
    expect(batches([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
    expect(() => batches([1], 30_001)).toThrow(RangeError);
  });
  it('reads skipped mobiles from the vendor warnings', () => {
    const skipped = skippedMobiles(['Mobile number +61468403100 already exists in this campaign, skipped', 'something else'], ['+61468403100', '+61468403101']);
    expect([...skipped]).toEqual(['+61468403100']);
  });
});
