import type { RungopherResult } from '#rungopher/domain/result.ts';
import { parseResult } from '#rungopher/domain/result.ts';
import { contributions } from '#rungopher/domain/contact-view.ts';
import type { ContactTable, ResultTable, StoredResult } from '#rungopher/adapters/store.ts';
import { parseJson } from '#platform/json.ts';
import type { EventPublisher } from '#platform/outbound/publisher.ts';
import type { Contribution } from '#rungopher/domain/contact-view.ts';
import { resultEvents } from '#rungopher/domain/outbound.ts';
import type { CustomerLinker } from '#platform/customer-index.ts';
import { resultLinks } from '#rungopher/domain/customer.ts';
import { resultRow, type StoreMeta } from './result-row.ts';

export { CAMPAIGN_SHARDS, LEGACY_TIME_BUCKET, TIME_BUCKETS, TIME_SHARDS, campaignShardOf, campaignShards, resultRow, rowCampaignId, resultStorability, resultTextStorability, timeBucketOf, type StoreMeta } from './result-row.ts';

/** Ports for storing a result. */
export interface StoreResultPorts {
  readonly results: ResultTable;
  readonly contacts: ContactTable;
  /** Where the stored result and the view change are announced. */
  readonly events: EventPublisher;
  /** The customer index (see `linkResult`); left out, nothing is linked. */
  readonly link?: CustomerLinker;
  readonly now?: () => Date;
}

/** The result a stored row holds, parsed from its raw text on read (rows keep the body once). */
export function storedResultOf(row: Pick<StoredResult, 'raw'>): Record<string, unknown> {
  const parsed = parseResult(row.raw);
  if (parsed.ok) return parsed.result;
  // A row stored under an older schema: its JSON as it came.
  const json = parseJson(row.raw);
  return json.ok && json.value && typeof json.value === 'object' ? (json.value as Record<string, unknown>) : {};
}

/**
 * Stores a result once and folds it into its contact's view. The webhook processor and the poller
 * both come here, so a result that arrives both ways is stored once.
 *
 * The put is conditional on the vendor's id (permanent, not a TTL'd idempotency record: Rungopher
 * resends forever). The view is updated even for a duplicate: if an earlier attempt stored the row
 * and then failed before the view, the redelivery completes it; the view update is idempotent.
 *
 * Then the events (`rungopher.result.stored`, and `rungopher.contact.updated` for the slots it
 * raised), also for a duplicate: a delivery that died between the store and the publish is completed
 * by the next one, with the same event ids (at least once; subscribers dedupe on the id). A publish
 * that fails throws, so the record is retried.
 */
export async function storeRungopherResult(
  ports: StoreResultPorts,
  result: RungopherResult,
  raw: string,
  meta: StoreMeta,
): Promise<'stored' | 'duplicate'> {
  const row = resultRow(result, raw, meta, ports.now?.() ?? new Date());
  const fresh = await ports.results.putOnce(row);
  const cs = contributions(result);
  // A new result usually raises all its slots: one write for all of them. A duplicate's slots usually
  // hold it already, and a refused combined write would cost a write for nothing: one by one then.
  const combined = fresh && cs.length > 1 && ports.contacts.applyAll !== undefined && (await ports.contacts.applyAll(row.campaignContact, result.campaignId, result.contactId, cs));
  const applied: Contribution[] = combined ? [...cs] : [];
  if (!combined) {
    for (const c of cs) {
      // A slot already holding this contribution (an earlier delivery applied it) is announced again.
      const outcome = await ports.contacts.apply(row.campaignContact, result.campaignId, result.contactId, c);
      if (outcome === 'applied' || outcome === 'same') applied.push(c);
    }
  }
  // Every way out of a store links (the combined write's too), before it is announced.
  await linkResult(ports, result);
  await ports.events.publish(resultEvents(result, applied));
  return fresh ? 'stored' : 'duplicate';
}

/**
 * Links a stored result and its contact view to the contact id, phone and e-mail it carries (the
 * customer index). Also for a duplicate: the earlier delivery may have died before linking.
 */
export async function linkResult(ports: Pick<StoreResultPorts, 'link'>, result: RungopherResult): Promise<void> {
  await ports.link?.(resultLinks(result));
}
