import { createHash } from 'node:crypto';
import type { Contact, UploadMode } from './campaign.ts';

/*
 * Apart from `upload-job.ts` (which re-exports it): the customer index's links name a contact's
 * claim, and the processor's bundle, which stores those links, should not load the upload jobs'
 * schemas and the campaign's (`npm run bench -- cold`).
 */

/** The key of a contact in the journal: the same contact (id and mobile) in the same campaign and mode. */
export function claimKey(campaignId: string, mode: UploadMode, contact: Pick<Contact, 'contactId' | 'mobile'>): string {
  // Hashed: a contactId may be long, and a key must stay within DynamoDB's 2048 bytes.
  return `claim#${createHash('sha256').update(JSON.stringify([campaignId, mode, contact.contactId, contact.mobile])).digest('hex')}`;
}
