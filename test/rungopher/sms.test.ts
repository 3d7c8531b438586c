import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countSegments, isGsm7, vendorSegments } from '#rungopher/domain/sms.ts';

describe('vendor segment rule (<=160: 1, else ceil(n/153))', () => {
  it.each([
    [0, 0],
    [1, 1],
    [150, 1],
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [310, 3],
    [459, 3],
    [460, 4],
  ])('%i characters -> %i segments', (n, segments) => {
    expect(vendorSegments(n)).toBe(segments);
    expect(countSegments('a'.repeat(n)).vendorSegments).toBe(segments);
  });
});

describe('carrier rule, GSM-7', () => {
  it.each([
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
  ])('%i plain GSM-7 characters -> %i segments', (n, segments) => {
    const s = countSegments('x'.repeat(n));
    expect(s.encoding).toBe('GSM-7');
    expect(s.units).toBe(n);
    expect(s.carrierSegments).toBe(segments);
  });

  it('counts each extension character ^{}[]~\\|€ as two septets', () => {
    for (const ch of ['^', '{', '}', '[', ']', '~', '\\', '|', '€']) {
      const s = countSegments(ch);
      expect(s.encoding, ch).toBe('GSM-7');
      expect(s.units, ch).toBe(2);
    }
  });

  it('80 euro signs are 160 septets (1 segment) but 81 are 162 (2); the vendor rule says 1 for both', () => {
    expect(countSegments('€'.repeat(80))).toMatchObject({ units: 160, carrierSegments: 1, vendorSegments: 1 });
    expect(countSegments('€'.repeat(81))).toMatchObject({ units: 162, carrierSegments: 2, vendorSegments: 1 });
  });

  it('never splits an escape pair across parts', () => {
    // 152 plain + '{' = 154 septets; the pair cannot start at septet 153, so part 1 holds 152.
    const text = 'a'.repeat(152) + '{' + 'b'.repeat(152);
    const s = countSegments(text);
    expect(s.units).toBe(306);
    expect(s.carrierSegments).toBe(3);
    expect(s.vendorSegments).toBe(2);
  });

  it('keeps accented letters of the GSM-7 table (é, ñ, ü) in GSM-7 but ç is only Ç', () => {
    expect(isGsm7('café niño über')).toBe(true);
    expect(isGsm7('Ça')).toBe(true);
    expect(isGsm7('ça')).toBe(false);
  });
});

describe('carrier rule, UCS-2', () => {
  it('switches to UCS-2 when any character is outside GSM-7 (70 / 67)', () => {
    expect(countSegments('a'.repeat(69) + 'ç')).toMatchObject({ encoding: 'UCS-2', units: 70, carrierSegments: 1 });
    expect(countSegments('a'.repeat(70) + 'ç')).toMatchObject({ encoding: 'UCS-2', units: 71, carrierSegments: 2 });
    expect(countSegments('a'.repeat(133) + 'ç')).toMatchObject({ units: 134, carrierSegments: 2 });
    expect(countSegments('a'.repeat(134) + 'ç')).toMatchObject({ units: 135, carrierSegments: 3 });
  });

  it('counts an emoji as two UTF-16 units and one character', () => {
    const s = countSegments('Hi 👋');
    expect(s).toMatchObject({ encoding: 'UCS-2', characters: 4, units: 5, carrierSegments: 1, vendorSegments: 1 });
    expect(s.nonGsmCharacters).toEqual(['👋']);
  });

  it('a 160-character text with one emoji is 1 segment by the vendor rule and 3 by the carrier rule', () => {
    const text = 'a'.repeat(159) + '😀';
    const s = countSegments(text);
    expect(s.characters).toBe(160);
    expect(s.vendorSegments).toBe(1);
    expect(s.units).toBe(161);
    expect(s.carrierSegments).toBe(3);
  });

  it('never splits a surrogate pair across parts', () => {
    // 66 units then an emoji: 68 > 67, the emoji moves to part 2.
    const s = countSegments('a'.repeat(66) + '😀' + 'b'.repeat(66));
    expect(s.units).toBe(134);
    expect(s.carrierSegments).toBe(3);
  });
});

describe('properties', () => {
  it('carrier segments never fewer than the vendor figure for GSM-7 text without extension characters', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9 .,!?]{0,600}$/), (text) => {
        const s = countSegments(text);
        expect(s.carrierSegments).toBe(s.vendorSegments);
      }),
    );
  });
  it('more text never means fewer segments', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 50 }), (a, b) => {
        expect(countSegments(a + b).carrierSegments).toBeGreaterThanOrEqual(countSegments(a).carrierSegments);
        expect(countSegments(a + b).vendorSegments).toBeGreaterThanOrEqual(countSegments(a).vendorSegments);
      }),
    );
  });
});
