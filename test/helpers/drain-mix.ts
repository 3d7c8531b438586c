import { makeResult } from '#test/rungopher/samples.ts';

/** The first result id the drain benches send (far from the samples' ids). */
export const DRAIN_FIRST_ID = 7_000_000;

/**
 * The drain benches' webhook bodies: the mix a campaign sends, one result per request (answers,
 * e-mails, link clicks) over `contacts` contacts of one campaign, so the contact view sees repeats.
 */
export function drainBody(i: number, contacts: number): string {
  const contactId = String(i % contacts);
  const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const kinds = [
    { resultType: 'boolean', resultName: 'accepted', data: { answer: i % 2 ? 'yes' : 'no' } },
    { resultType: 'linkClicked', resultName: 'link', data: { link: `https://example.com/offer/${i % 7}`, count: 1 + (i % 3) } },
    { resultType: 'email', resultName: 'newEmail', data: { email: `person${i % contacts}@example.com` } },
    { resultType: 'boolean', resultName: 'optIn', data: { answer: 'yes' } },
  ] as const;
  return JSON.stringify(makeResult({ id: DRAIN_FIRST_ID + i, campaignId: 42, contactId, timestamp, ...kinds[i % kinds.length] }));
}
