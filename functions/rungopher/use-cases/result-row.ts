import type { StoredResult } from '#rungopher/adapters/store.ts';
import { CONTACT_KEYS, RESULT_KEYS, contactSlotItem } from '#rungopher/adapters/store-keys.ts';
import { contributions } from '#rungopher/domain/contact-view.ts';
import type { RungopherResult } from '#rungopher/domain/result.ts';
import { campaignContactKey, parseResult, resultSortKey } from '#rungopher/domain/result.ts';
import { expiry } from '#platform/retention.ts';
import { nestingReason, storableReason } from '#platform/storable.ts';
import { shardedKey } from '#platform/shards.ts';

/*
 * The row a Rungopher result is stored as, and whether it can be stored. Apart from the store itself
 * (`store-result.ts`, which re-exports these) so the webhook's storability check loads no AWS SDK
 * client, customer index or event publisher.
 */

export interface StoreMeta {
  readonly source: StoredResult['source'];
  readonly requestId?: string;
}

/**
 * The byTime index is spread over {@link TIME_SHARDS} partition key values (`time#0` … `time#7`), each
 * result in the one its id hashes to, so no single index partition takes every write: DynamoDB gives a
 * partition key value about 1,000 write units a second, so eight give the index about 8,000 results a
 * second of entries up to 1 KB (the README's partition math). "All results after T, oldest first"
 * reads every shard and merges them by sort key.
 */
export const TIME_SHARDS = 8;
/** The byTime partition of rows written before the index was sharded; read, never written. */
export const LEGACY_TIME_BUCKET = 'all';
const TIME_KEY = shardedKey('time', TIME_SHARDS, LEGACY_TIME_BUCKET);
/** Every byTime partition a read must merge: the shards and the legacy one. */
export const TIME_BUCKETS: readonly string[] = TIME_KEY.all;

/** The byTime shard of a result: stable for its id (a resent result lands where it did). */
export const timeBucketOf = (id: string): string => TIME_KEY.of(id);

/**
 * A campaign's rows are spread over {@link CAMPAIGN_SHARDS} partition key values of `byCampaignShard`
 * (`<campaignId>#0` … `#3`, by a hash of the result id), so one large campaign is not held to one
 * partition's 1,000 writes a second: four give it about 4,000 results a second (the README's partition
 * math). Shards are one digit, so no two campaigns share a value. A campaign's listing merges its shards
 * and its rows of the legacy `byCampaign` index (written before the shards, under `campaignId`).
 */
export const CAMPAIGN_SHARDS = 4;
/** The byCampaignShard partition of a result of a campaign: stable for its id. */
export const campaignShardOf = (campaignId: string, id: string): string => shardedKey(campaignId, CAMPAIGN_SHARDS).of(id);
/** Every byCampaignShard partition of a campaign. */
export const campaignShards = (campaignId: string): readonly string[] => shardedKey(campaignId, CAMPAIGN_SHARDS).all;

/** A stored row's campaign id: its own attribute on legacy rows, else the first half of `campaignContact`. */
export function rowCampaignId(row: Pick<StoredResult, 'campaignId' | 'campaignContact'>): string {
  if (row.campaignId !== undefined) return row.campaignId;
  const pair = JSON.parse(row.campaignContact) as unknown;
  return Array.isArray(pair) && typeof pair[0] === 'string' ? pair[0] : '';
}

/** The row a result is stored as: its keys and the raw text once (the parsed result is read from it). */
export function resultRow(result: RungopherResult, raw: string, meta: StoreMeta, now: Date): StoredResult {
  return {
    id: result.id,
    // No `campaignId`: it would put the row in the legacy byCampaign index too (a write unit for nothing).
    campaignShard: campaignShardOf(result.campaignId, result.id),
    contactId: result.contactId,
    campaignContact: campaignContactKey(result.campaignId, result.contactId),
    resultType: result.resultType,
    resultName: result.resultName,
    sortKey: resultSortKey(result),
    timeBucket: timeBucketOf(result.id),
    raw,
    source: meta.source,
    storedAt: now.toISOString(),
    ...(meta.requestId ? { requestId: meta.requestId } : {}),
    // Retention (RAW_BODIES): the row is the raw body; the contact view folded from it stays.
    ...expiry('RAW_BODIES', now.toISOString()),
  };
}

/**
 * Why a result cannot be stored, or undefined: the row and each contact-view slot it writes, as they
 * will be written, against DynamoDB's rules (`storable.ts`), and its JSON nesting (a body deeper than
 * DynamoDB's 32 levels is no document the hub can keep or serve). The webhook refuses what fails
 * before answering, the processor and the poller quarantine it: nothing accepted fails in a DLQ.
 */
export function resultStorability(result: RungopherResult, raw: string, json: unknown): string | undefined {
  const deep = nestingReason(json);
  if (deep) return `the result is ${deep}`;
  // The longest request id and source a row may carry, so the check holds for every copy written.
  const row = resultRow(result, raw, { source: 'webhook', requestId: 'x'.repeat(64) }, new Date(0));
  const rowReason = storableReason(row as unknown as Record<string, unknown>, RESULT_KEYS);
  if (rowReason) return `result row: ${rowReason}`;
  for (const c of contributions(result)) {
    const slotReason = storableReason(contactSlotItem(row.campaignContact, result.campaignId, result.contactId, c), CONTACT_KEYS);
    if (slotReason) return `contact view slot: ${slotReason}`;
  }
  return undefined;
}

/** The webhook's storability check of a body (the kit's `storable`): for a body that reads as a result. */
export function resultTextStorability(text: string): string | undefined {
  const parsed = parseResult(text);
  return parsed.ok ? resultStorability(parsed.result, text, parsed.json) : undefined;
}

