/**
 * Finding and masking personal text (phone numbers, e-mail addresses) in free text, for log lines and
 * log scans. Pure and free of libphonenumber-js: the log formatter of every bundle imports it, and the
 * phone metadata is only for the functions that normalise numbers (`identity.ts`).
 */

const EMAIL_PATTERN = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
/**
 * Phone-like text: `+` and 7-15 digits (optionally grouped by spaces, dots or dashes), or 9-15 bare
 * digits standing alone (Netcore's `919876543210`). Dates (`2026-12-01`), times, UUIDs and short ids
 * do not match: groups after the first need 3 digits or more, and digits joined to letters, `-` or `.`
 * on either side are left alone.
 */
const PHONE_PATTERN = /\+\d(?:[ .-]?\d){6,14}|(?<![\w.:/-])\d(?:[ ]?\d){8,14}(?![\w.:/-])|(?<![\w.:/-])\(?0\d{1,3}\)?[ -]\d{3,4}[ -]\d{3,4}(?![\w.:/-])/g;

/** `+61412345678` -> `+…678`: enough to tell two customers apart in a log, not to call one. */
export function maskPhone(text: string): string {
  const digits = text.replace(/\D/g, '');
  return `${text.startsWith('+') ? '+' : ''}…${digits.slice(-3)}`;
}

/** `asha.rao@example.com` -> `a…@example.com`: the first letter and the domain. */
export function maskEmail(text: string): string {
  const at = text.lastIndexOf('@');
  return `${text.slice(0, 1)}…${text.slice(at)}`;
}

/** Text with every phone number and e-mail address in it masked ({@link maskPhone}, {@link maskEmail}). */
export function maskPersonalText(text: string): string {
  if (!/[@\d]/.test(text)) return text;
  return text.replace(EMAIL_PATTERN, maskEmail).replace(PHONE_PATTERN, maskPhone);
}

/** The patterns a log scan looks for: anything {@link maskPersonalText} would have masked. */
export function findPersonalText(text: string): string[] {
  return [...text.matchAll(EMAIL_PATTERN), ...text.matchAll(PHONE_PATTERN)].map((m) => m[0]);
}
