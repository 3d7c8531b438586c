import { identifiersOf, vendorId, type CustomerLink, type RecordRef } from '#platform/identity.ts';
import { campaignContactKey, parseResult, utcTimestamp, type RungopherResult } from './result.ts';

/**
 * What Rungopher contributes to the customer index. A result carries the campaign + contact id
 * always, a phone number only in `phone` results (`data.phone`) and an e-mail address only in
 * `email` results (`data.email`); a contact uploaded through the hub carries its mobile and e-mail.
 * Every result is linked under the contact id, so the contact's other results are found from a
 * phone or e-mail that any one of them carried.
 */

/** The index key of a Rungopher contact. */
export const contactIdentifier = (campaignId: string, contactId: string): string => vendorId('rungopher', 'contact', campaignContactKey(campaignId, contactId));

const contactView = (campaignId: string, contactId: string): RecordRef => ({ table: 'rungopher-contacts', scope: 'item', key: { campaignContact: campaignContactKey(campaignId, contactId) } });

/** The index links of a stored result: the result itself and its contact's view. */
export function resultLinks(result: RungopherResult): CustomerLink[] {
  const data = result.data;
  const identifiers = [
    contactIdentifier(result.campaignId, result.contactId),
    ...identifiersOf({ phones: result.resultType === 'phone' ? [data.phone] : [], emails: result.resultType === 'email' ? [data.email] : [] }),
  ];
  const at = utcTimestamp(result);
  const view = contactView(result.campaignId, result.contactId);
  const resultsPath = `/rungopher/results?campaignId=${encodeURIComponent(result.campaignId)}&contactId=${encodeURIComponent(result.contactId)}`;
  return [
    { vendor: 'rungopher', kind: 'sms-result', label: result.resultName, at, path: resultsPath, identifiers, ref: { table: 'rungopher-results', scope: 'item', key: { id: result.id } }, also: [view] },
    { vendor: 'rungopher', kind: 'contact-view', at, path: `/rungopher/campaigns/${encodeURIComponent(result.campaignId)}/contacts/${encodeURIComponent(result.contactId)}`, identifiers, ref: view },
  ];
}

/**
 * The index link of a contact uploaded through the hub (its mobile and e-mail), for the upload's
 * record `ref` (and the contact's view, which its results will build).
 */
export function uploadedContactLinks(contact: { readonly campaignId: string; readonly contactId: string; readonly mobile?: string; readonly email?: string; readonly at: string; readonly ref: RecordRef }): CustomerLink[] {
  const identifiers = [contactIdentifier(contact.campaignId, contact.contactId), ...identifiersOf({ phones: [contact.mobile], emails: [contact.email] })];
  return [
    {
      vendor: 'rungopher',
      kind: 'contact-upload',
      at: contact.at,
      path: `/rungopher/campaigns/${encodeURIComponent(contact.campaignId)}/contacts/${encodeURIComponent(contact.contactId)}`,
      identifiers,
      ref: contact.ref,
      also: [contactView(contact.campaignId, contact.contactId)],
    },
  ];
}

/** Links of the items of each Rungopher table, for the index backfill: a stored result row (read from its raw text). */
export const backfillLinks: Readonly<Record<string, (item: Record<string, unknown>) => CustomerLink[]>> = {
  'rungopher-results': (item) => {
    const parsed = typeof item.raw === 'string' ? parseResult(item.raw) : undefined;
    return parsed?.ok ? resultLinks(parsed.result) : [];
  },
};
