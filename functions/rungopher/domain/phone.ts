import { Metadata, type CountryCode } from 'libphonenumber-js/core';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/max/metadata';

/**
 * Phone numbers of a contact list in E.164, as libphonenumber-js (max metadata) reads them, with a
 * fast path for the shapes nearly every list holds.
 *
 * libphonenumber-js takes ~30-50 µs a number here (it builds a new RegExp for every pattern it tries,
 * and a new metadata object per call), which is most of a 30,000-row upload. The fast path takes a
 * number written as digits with optional spaces or hyphens, in the default region's E.164, national
 * or international-without-plus form, and accepts it only when its national significant number
 * entirely matches the region's own MOBILE and general patterns (compiled once from the same
 * metadata): then libphonenumber-js reads it as valid with the region's calling code and a type that
 * can take an SMS, so the E.164 is the calling code and that number. Anything else (every refusal,
 * every other shape, every other region) goes to libphonenumber-js itself, so every reason text is
 * the library's path's. The property tests in test/rungopher/phone.test.ts check the fast path against
 * the library over generated numbers of each region in {@link FAST_PATH_REGIONS}.
 */

/** Phone types that cannot receive an SMS. */
const NOT_MOBILE = new Set(['FIXED_LINE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'UAN', 'VOICEMAIL', 'PAGER']);

/** Outcome of normalising one phone number. */
export type PhoneResult = { readonly ok: true; readonly e164: string } | { readonly ok: false; readonly reason: string };

/** Default regions with a fast path (each is checked against the library by the property tests). */
export const FAST_PATH_REGIONS: readonly CountryCode[] = ['AU', 'NZ', 'GB', 'IE', 'IN'];

interface FastPlan {
  readonly callingCode: string;
  readonly nationalPrefix: string;
  /** Entire match of the region's general national number pattern. */
  readonly national: RegExp;
  /** Entire match of the region's MOBILE pattern. */
  readonly mobile: RegExp;
  /** What the library strips as a national prefix (at the start). */
  readonly prefixForParsing: RegExp;
  /** The region's international dialling prefix (at the start). */
  readonly idd: RegExp;
}

/** The parts of libphonenumber-js's numbering plan object the fast path reads (not in its typings). */
interface PlanReader {
  callingCode(): string;
  nationalNumberPattern(): string;
  nationalPrefix(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  IDDPrefix(): string;
  type(t: string): { pattern(): string } | undefined;
}

function isPlanReader(plan: unknown): plan is PlanReader {
  if (plan === null || typeof plan !== 'object') return false;
  const p = plan as Record<string, unknown>;
  return ['callingCode', 'nationalNumberPattern', 'nationalPrefix', 'nationalPrefixForParsing', 'nationalPrefixTransformRule', 'IDDPrefix', 'type'].every((m) => typeof p[m] === 'function');
}

const plans = new Map<CountryCode, FastPlan | undefined>();

/** The region's fast-path plan, built once from the metadata; undefined when the region has none. */
function planFor(region: CountryCode): FastPlan | undefined {
  if (plans.has(region)) return plans.get(region);
  let plan: FastPlan | undefined;
  if (FAST_PATH_REGIONS.includes(region)) {
    const m = new Metadata(metadata);
    m.selectNumberingPlan(region);
    const p: unknown = m.numberingPlan;
    if (isPlanReader(p)) {
      const mobile = p.type('MOBILE')?.pattern();
      const nationalPrefix = p.nationalPrefix();
      // Regions whose national prefix rewrites digits (transform rules) are left to the library.
      if (mobile && nationalPrefix && !p.nationalPrefixTransformRule()) {
        plan = {
          callingCode: p.callingCode(),
          nationalPrefix,
          national: new RegExp(`^(?:${p.nationalNumberPattern()})$`),
          mobile: new RegExp(`^(?:${mobile})$`),
          prefixForParsing: new RegExp(`^(?:${p.nationalPrefixForParsing() ?? nationalPrefix})`),
          idd: new RegExp(`^(?:${p.IDDPrefix()})`),
        };
      }
    }
  }
  plans.set(region, plan);
  return plan;
}

/** Digits with single spaces or hyphens between them, optionally after one `+`. */
const PLAIN_NUMBER = /^\+?\d(?:[ -]?\d)*$/;

/**
 * The E.164 of `value` (already trimmed) when the fast path can vouch for it, else undefined (which
 * says nothing about the number: the library decides).
 */
export function fastMobile(value: string, region: CountryCode): string | undefined {
  if (value.length > 24 || !PLAIN_NUMBER.test(value)) return undefined;
  const plan = planFor(region);
  if (!plan) return undefined;
  const plus = value.charCodeAt(0) === 43;
  const digits = value.replace(/[ +-]/g, '');
  let nsn: string;
  if (plus) {
    if (!digits.startsWith(plan.callingCode)) return undefined;
    nsn = digits.slice(plan.callingCode.length);
  } else if (plan.idd.test(digits)) {
    return undefined;
  } else if (digits.startsWith(plan.nationalPrefix) && plan.prefixForParsing.exec(digits)?.[0] === plan.nationalPrefix) {
    nsn = digits.slice(plan.nationalPrefix.length);
  } else if (digits.startsWith(plan.callingCode) && !plan.prefixForParsing.test(digits) && !plan.national.test(digits)) {
    // International without the `+`: the library strips the calling code when the whole is no
    // national number of the region and the rest is.
    nsn = digits.slice(plan.callingCode.length);
  } else {
    return undefined;
  }
  if (plan.prefixForParsing.test(nsn) || !plan.national.test(nsn) || !plan.mobile.test(nsn)) return undefined;
  return `+${plan.callingCode}${nsn}`;
}

/** {@link normalisePhone} by libphonenumber-js alone (the fast path's reference). */
export function libraryNormalisePhone(value: string, defaultCountry: CountryCode): PhoneResult {
  const parsed = parsePhoneNumberFromString(value, defaultCountry);
  if (!parsed?.isValid()) return { ok: false, reason: `"${value}" is not a valid phone number (default country ${defaultCountry})` };
  const type = parsed.getType();
  if (type !== undefined && NOT_MOBILE.has(type)) return { ok: false, reason: `"${value}" is not a mobile number (${type.toLowerCase().replace(/_/g, ' ')})` };
  return { ok: true, e164: parsed.number };
}

/**
 * A phone number in E.164 (`+61412345678`), reading national numbers in `defaultCountry`. Numbers that
 * are valid but cannot take an SMS (landlines, toll-free) are refused.
 */
export function normalisePhone(raw: string, defaultCountry: CountryCode): PhoneResult {
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'mobile is empty' };
  const fast = fastMobile(value, defaultCountry);
  if (fast !== undefined) return { ok: true, e164: fast };
  return libraryNormalisePhone(value, defaultCountry);
}
