/**
 * SMS segment counting. Two figures are given for every text because they differ:
 * - the vendor's rule, which Rungopher documents and bills by: <= 160 characters is 1 segment, more is
 *   ceil(n / 153) (its own table: 161 -> 2, 306 -> 2, 310 -> 3);
 * - the carrier-accurate rule: GSM-7 (160 septets, 153 per part once concatenated), where the
 *   extension characters `^{}[]~\|€` and form feed take two septets (escape + char) and are never split
 *   across parts; and UCS-2 (70 UTF-16 units, 67 per part) as soon as any character is outside GSM-7,
 *   such as an emoji (two units each, a surrogate pair is never split across parts).
 */

/** GSM 03.38 basic character set (one septet each). */
const GSM7_BASIC = new Set(
  Array.from(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);

/** GSM 03.38 extension table: each is sent as ESC + char, so it costs two septets. */
const GSM7_EXTENSION = new Set(Array.from('^{}[]~\\|€\f'));

/** Encoding a carrier would use for a text. */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** Segment figures for one text. */
export interface SegmentCount {
  /** Characters (Unicode code points), as a person counts them and as the vendor's rule counts them. */
  readonly characters: number;
  /** Segments by Rungopher's documented rule, the one it bills by. */
  readonly vendorSegments: number;
  /** Encoding a carrier would choose. */
  readonly encoding: SmsEncoding;
  /** Units in that encoding: septets for GSM-7 (extension chars count 2), UTF-16 code units for UCS-2. */
  readonly units: number;
  /** Segments a carrier would actually send. */
  readonly carrierSegments: number;
  /** Characters that forced UCS-2 (outside GSM-7), first few, for the report. */
  readonly nonGsmCharacters: readonly string[];
}

/** Rungopher's documented rule: <= 160 characters is one segment, else ceil(n / 153). */
export function vendorSegments(characters: number): number {
  if (characters <= 0) return 0;
  return characters <= 160 ? 1 : Math.ceil(characters / 153);
}

/** True when every character of the text is in the GSM-7 basic or extension table. */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!GSM7_BASIC.has(ch) && !GSM7_EXTENSION.has(ch)) return false;
  return true;
}

/**
 * Greedy packing of unit costs into parts of `perPart`, never splitting one character (an escape pair
 * or a surrogate pair) across two parts, as handsets reassemble per part.
 */
function packParts(costs: readonly number[], single: number, perPart: number): number {
  const total = costs.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  if (total <= single) return 1;
  let parts = 1;
  let used = 0;
  for (const c of costs) {
    if (used + c > perPart) {
      parts++;
      used = 0;
    }
    used += c;
  }
  return parts;
}

/** Both segment figures for one text. */
export function countSegments(text: string): SegmentCount {
  const chars = Array.from(text);
  const nonGsm = chars.filter((ch) => !GSM7_BASIC.has(ch) && !GSM7_EXTENSION.has(ch));
  const gsm = nonGsm.length === 0;
  // GSM-7: extension characters take two septets. UCS-2: UTF-16 units, 2 for astral characters such as most emoji.
  const costs = chars.map((ch) => (gsm ? (GSM7_EXTENSION.has(ch) ? 2 : 1) : ch.length));
  return {
    characters: chars.length,
    vendorSegments: vendorSegments(chars.length),
    encoding: gsm ? 'GSM-7' : 'UCS-2',
    units: costs.reduce((x, y) => x + y, 0),
    carrierSegments: gsm ? packParts(costs, 160, 153) : packParts(costs, 70, 67),
    nonGsmCharacters: [...new Set(nonGsm)].slice(0, 5),
  };
}
