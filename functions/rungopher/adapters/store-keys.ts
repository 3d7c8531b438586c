import { createHash } from 'node:crypto';
import type { Contribution } from '#rungopher/domain/contact-view.ts';

/**
 * The Rungopher tables' key attributes and the contact item a slot update writes, without the SDK:
 * the webhook's storability check needs them, and its bundle should not load DynamoDB for it.
 */

/** A slot's entry in its class's set: 16 hex digits of its name's SHA-256 (a long link is not written twice). */
export function slotDigest(slot: string): string {
  return createHash('sha256').update(slot, 'utf8').digest('hex').slice(0, 16);
}

/** Key attributes of the results table and its indexes (byContact, byCampaign, byCampaignShard, byTime). */
export const RESULT_KEYS = { partition: ['id', 'campaignContact', 'campaignId', 'campaignShard', 'timeBucket'], sort: ['sortKey'] } as const;
/** Key attributes of the contact view table. */
export const CONTACT_KEYS = { partition: ['campaignContact'] } as const;

/** The contact item's attributes a slot update writes beside the slot (for the storability check). */
export function contactSlotItem(campaignContact: string, campaignId: string, contactId: string, c: Contribution): Record<string, unknown> {
  return { campaignContact, campaignId, contactId, [c.slot]: { rank: c.rank, value: c.value }, [c.budget.set]: new Set([slotDigest(c.slot)]), droppedSlots: 1 };
}

