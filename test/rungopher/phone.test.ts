import fc from 'fast-check';
import { Metadata, type CountryCode } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/max/metadata';
import { describe, expect, it } from 'vitest';
import { FAST_PATH_REGIONS, fastMobile, libraryNormalisePhone, normalisePhone } from '#rungopher/domain/phone.ts';
import { referenceNormalisePhone } from '#test/rungopher/contact-csv-reference.ts';

/** The region's calling code and its MOBILE pattern, read through the library's own metadata class. */
function regionOf(region: CountryCode): { cc: string; mobile: string; general: string } {
  const m = new Metadata(metadata);
  m.selectNumberingPlan(region);
  const plan = m.numberingPlan as unknown as { callingCode(): string; nationalNumberPattern(): string; type(t: string): { pattern(): string } | undefined };
  return { cc: plan.callingCode(), mobile: plan.type('MOBILE')?.pattern() ?? '', general: plan.nationalNumberPattern() };
}

/** A national significant number near the region's numbers: a mobile, a mobile with a digit changed, added or dropped, any number of the region, or any digits. */
function nsnOf(region: CountryCode): fc.Arbitrary<string> {
  const { mobile, general } = regionOf(region);
  const mobileNsn = fc.stringMatching(new RegExp(`^(?:${mobile})$`));
  return fc.oneof(
    { weight: 4, arbitrary: mobileNsn },
    {
      weight: 2,
      arbitrary: fc.tuple(mobileNsn, fc.nat(), fc.integer({ min: 0, max: 9 }), fc.constantFrom('change', 'add', 'drop')).map(([n, at, d, how]) => {
        const i = at % n.length;
        return how === 'change' ? n.slice(0, i) + d + n.slice(i + 1) : how === 'add' ? n.slice(0, i) + d + n.slice(i) : n.slice(0, i) + n.slice(i + 1);
      }),
    },
    { weight: 2, arbitrary: fc.stringMatching(new RegExp(`^(?:${general})$`)) },
    { weight: 1, arbitrary: fc.stringMatching(/^\d{1,14}$/) },
  );
}

/** How a number is written in a list: E.164, national, international without `+`, IDD, with spaces or hyphens. */
function writtenOf(region: CountryCode): fc.Arbitrary<string> {
  const { cc } = regionOf(region);
  return fc
    .tuple(nsnOf(region), fc.constantFrom('e164', 'national', 'noPlus', 'idd', 'bare', 'doublePrefix'), fc.array(fc.constantFrom('', ' ', '-', '  ', ' - ', '.', '(', ')'), { minLength: 24, maxLength: 24 }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([nsn, form, seps, p]) => {
      const digits = form === 'e164' ? `+${cc}${nsn}` : form === 'national' ? `0${nsn}` : form === 'noPlus' ? `${cc}${nsn}` : form === 'idd' ? `00${cc}${nsn}` : form === 'doublePrefix' ? `+${cc}0${nsn}` : nsn;
      // Separators between some digits (often none, sometimes odd ones the fast path leaves alone).
      return [...digits].map((ch, i) => (i > 0 && p > 0.4 && /\d/.test(ch) ? (seps[i % seps.length] ?? '') : '') + ch).join('');
    });
}

describe('phone fast path', () => {
  it.each(FAST_PATH_REGIONS.map((r) => [r] as const))('gives exactly what libphonenumber-js gives, for numbers written every way (default region %s)', (region) => {
    let fast = 0;
    let runs = 0;
    fc.assert(
      fc.property(writtenOf(region), fc.constantFrom('', ' ', '\t'), (written, pad) => {
        runs++;
        if (fastMobile(written.trim(), region) !== undefined) fast++;
        expect(normalisePhone(pad + written + pad, region)).toEqual(referenceNormalisePhone(pad + written + pad, region));
      }),
      { numRuns: 3000 },
    );
    // The comparison is only worth something if the fast path answered a good share of them.
    expect(fast / runs).toBeGreaterThan(0.2);
  });

  it('the reference and the library path agree (the library path is the old code)', () => {
    fc.assert(
      fc.property(writtenOf('AU'), (w) => {
        expect(libraryNormalisePhone(w.trim(), 'AU')).toEqual(referenceNormalisePhone(w, 'AU'));
      }),
      { numRuns: 300 },
    );
  });

  it('answers the common shapes itself and leaves the rest to the library', () => {
    expect(fastMobile('0412 345 678', 'AU')).toBe('+61412345678');
    expect(fastMobile('+61 412-345-678', 'AU')).toBe('+61412345678');
    expect(fastMobile('61412345678', 'AU')).toBe('+61412345678');
    expect(fastMobile('07400 123456', 'GB')).toBe('+447400123456');
    // Valid for the library, outside the MOBILE pattern: left to it.
    expect(fastMobile('07911 123456', 'GB')).toBeUndefined();
    // A landline, a short number, an odd separator, a region without a fast path: the library decides.
    expect(fastMobile('02 9999 9999', 'AU')).toBeUndefined();
    expect(fastMobile('12345', 'AU')).toBeUndefined();
    expect(fastMobile('(04) 1234 5678', 'AU')).toBeUndefined();
    expect(fastMobile('+1 202 555 0100', 'US')).toBeUndefined();
  });
});
