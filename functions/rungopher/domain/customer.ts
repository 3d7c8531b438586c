import { identifiersOf, vendorId, type CustomerLink, type RecordRef } from '#platform/identity.ts';
import { campaignContactKey, parseResult, utcTimestamp, type RungopherResult } from './result.ts';
import { claimKey } from './upload-claim.ts';
import type { UploadMode } from './campaign.ts';
import { deliveryRecords } from '#platform/outbound/event.ts';
import { contactSubject } from './outbound.ts';

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

/**
 * The index link of a stored result: the result itself, with its contact's view and the outbound
 * delivery records of the contact's events (erased and exported with it), and the view listed in the
 * timeline beside it (`lists`: at the time of the contact's newest result, with no index row of its
 * own, so a result writes one row per identifier and no result rewrites the view's).
 */
export function resultLinks(result: RungopherResult): CustomerLink[] {
  const data = result.data;
  const identifiers = [
    contactIdentifier(result.campaignId, result.contactId),
    ...identifiersOf({ phones: result.resultType === 'phone' ? [data.phone] : [], emails: result.resultType === 'email' ? [data.email] : [] }),
  ];
  const view = contactView(result.campaignId, result.contactId);
  const resultsPath = `/rungopher/results?campaignId=${encodeURIComponent(result.campaignId)}&contactId=${encodeURIComponent(result.contactId)}`;
  const viewPath = `/rungopher/campaigns/${encodeURIComponent(result.campaignId)}/contacts/${encodeURIComponent(result.contactId)}`;
  return [
    {
      vendor: 'rungopher',
      kind: 'sms-result',
      label: result.resultName,
      at: utcTimestamp(result),
      path: resultsPath,
      identifiers,
      ref: { table: 'rungopher-results', scope: 'item', key: { id: result.id } },
      also: [view, deliveryRecords(contactSubject(result.campaignId, result.contactId))],
      lists: [{ kind: 'contact-view', path: viewPath, also: 0 }],
    },
  ];
}

/** What {@link uploadedContactLinks} needs of an upload job. */
export interface UploadedJob {
  readonly jobId: string;
  readonly campaignId: string;
  readonly mode: UploadMode;
  readonly createdAt: string;
  readonly chunks: readonly { readonly n: number; readonly from: number; readonly count: number }[];
}

/** One uploaded contact and its place in the job's list (0-based) and batch (1-based). */
export interface UploadedContact {
  readonly index: number;
  readonly batch: number;
  readonly line: number;
  readonly contact: { readonly contactId?: unknown; readonly mobile?: unknown; readonly email?: unknown };
}

const chunkSk = (n: number): string => `chunk#${String(n).padStart(6, '0')}`;
const batchSk = (n: number): string => `batch#${String(n).padStart(6, '0')}`;

/**
 * The index links of contacts uploaded through the hub: each contact's entry in its job's chunk,
 * under the contact id, its mobile and its e-mail, with the contact's claim (`claimKey`, given by the
 * caller) and whatever the vendor's warnings on its batch say about its mobile. A contact uploaded
 * through the hub is how a phone number reaches the contact's other results, which carry none.
 */
export function uploadedContactLinks(job: UploadedJob, contacts: readonly UploadedContact[]): CustomerLink[] {
  const out: CustomerLink[] = [];
  for (const c of contacts) {
    const chunk = job.chunks.find((r) => c.index >= r.from && c.index < r.from + r.count);
    const contactId = typeof c.contact.contactId === 'string' ? c.contact.contactId : undefined;
    if (!chunk || !contactId) continue;
    const mobile = typeof c.contact.mobile === 'string' ? c.contact.mobile : undefined;
    const pk = `job#${job.jobId}`;
    const also: RecordRef[] = [{ table: 'rungopher-uploads', scope: 'item', key: { pk: claimKey(job.campaignId, job.mode, { contactId, mobile: mobile ?? '' }), sk: 'claim' } }];
    const digits = mobile?.replace(/\D/g, '');
    if (digits) also.push({ table: 'rungopher-uploads', scope: 'entries', key: { pk, sk: batchSk(c.batch) }, list: 'warnings', match: { contains: digits } });
    out.push({
      vendor: 'rungopher',
      kind: 'contact-upload',
      label: job.mode,
      at: job.createdAt,
      path: `/rungopher/uploads/${encodeURIComponent(job.jobId)}`,
      identifiers: [contactIdentifier(job.campaignId, contactId), ...identifiersOf({ phones: [mobile], emails: [c.contact.email] })],
      ref: { table: 'rungopher-uploads', scope: 'entries', key: { pk, sk: chunkSk(chunk.n) }, list: 'contacts', match: { field: 'line', equals: c.line } },
      also,
    });
  }
  return out;
}

/**
 * The links of one stored chunk of an upload job (`rungopher-uploads` item `job#<id>` / `chunk#<n>`),
 * from what the chunk says of its job (written with it: campaign, mode, time, first position, batch
 * size). Chunks written without those (before they were) are left out.
 */
export function uploadChunkLinks(item: Record<string, unknown>): CustomerLink[] {
  const pk = typeof item.pk === 'string' ? item.pk : '';
  const sk = typeof item.sk === 'string' ? item.sk : '';
  const n = /^chunk#(\d+)$/.exec(sk)?.[1];
  const { campaignId, mode, createdAt, from, batchSize, contacts } = item;
  if (!pk.startsWith('job#') || n === undefined || typeof campaignId !== 'string' || (mode !== 'live' && mode !== 'test') || typeof createdAt !== 'string' || typeof from !== 'number' || typeof batchSize !== 'number' || batchSize < 1 || !Array.isArray(contacts)) return [];
  const job: UploadedJob = { jobId: pk.slice(4), campaignId, mode, createdAt, chunks: [{ n: Number(n), from, count: contacts.length }] };
  const entries = contacts.flatMap((c: unknown, i): UploadedContact[] => {
    const e = c as { line?: unknown; contact?: unknown } | null;
    if (!e || typeof e.line !== 'number' || !e.contact || typeof e.contact !== 'object') return [];
    return [{ index: from + i, batch: Math.floor((from + i) / batchSize) + 1, line: e.line, contact: e.contact as UploadedContact['contact'] }];
  });
  return uploadedContactLinks(job, entries);
}

/** Links of the items of each Rungopher table, for the index backfill: a stored result row (read from its raw text), an upload chunk. */
export const backfillLinks: Readonly<Record<string, (item: Record<string, unknown>) => CustomerLink[]>> = {
  'rungopher-results': (item) => {
    const parsed = typeof item.raw === 'string' ? parseResult(item.raw) : undefined;
    return parsed?.ok ? resultLinks(parsed.result) : [];
  },
  'rungopher-uploads': uploadChunkLinks,
};
