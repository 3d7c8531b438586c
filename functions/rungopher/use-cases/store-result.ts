import type { RungopherResult } from '#rungopher/domain/result.ts';
import { campaignContactKey, resultSortKey } from '#rungopher/domain/result.ts';
import { contributions } from '#rungopher/domain/contact-view.ts';
import type { ContactTable, ResultTable, StoredResult } from '#rungopher/adapters/store.ts';

/** Ports for storing a result. */
export interface StoreResultPorts {
  readonly results: ResultTable;
  readonly contacts: ContactTable;
  readonly now?: () => Date;
}

export interface StoreMeta {
  readonly source: StoredResult['source'];
  readonly requestId?: string;
}

/** Every result shares one partition of the byTime index; Rungopher's volumes are far below its limits. */
export const TIME_BUCKET = 'all';

/**
 * Stores a result once and folds it into its contact's view. The webhook processor and the poller
 * both come here, so a result that arrives both ways is stored once.
 *
 * The put is conditional on the vendor's id (permanent, not a TTL'd idempotency record: Rungopher
 * resends forever). The view is updated even for a duplicate: if an earlier attempt stored the row
 * and then failed before the view, the redelivery completes it; the view update is idempotent.
 */
export async function storeRungopherResult(
  ports: StoreResultPorts,
  result: RungopherResult,
  raw: string,
  meta: StoreMeta,
): Promise<'stored' | 'duplicate'> {
  const campaignContact = campaignContactKey(result.campaignId, result.contactId);
  const row: StoredResult = {
    id: result.id,
    campaignId: result.campaignId,
    contactId: result.contactId,
    campaignContact,
    resultType: result.resultType,
    resultName: result.resultName,
    sortKey: resultSortKey(result),
    timeBucket: TIME_BUCKET,
    result,
    raw,
    source: meta.source,
    storedAt: (ports.now?.() ?? new Date()).toISOString(),
    ...(meta.requestId ? { requestId: meta.requestId } : {}),
  };
  const fresh = await ports.results.putOnce(row);
  for (const c of contributions(result)) {
    await ports.contacts.apply(campaignContact, result.campaignId, result.contactId, c);
  }
  return fresh ? 'stored' : 'duplicate';
}
