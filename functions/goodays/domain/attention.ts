/**
 * Goodays actions whose outcome is unknown wait for a person (they may or may not have reached the
 * customer, and are never resent). They carry the attention attribute of the actions table's sparse
 * `byAttention` index (declared in the topology with this reason), so `GET /status` counts them with a
 * Query instead of a scan. The attribute is derived from the state in every write of an action (a
 * whole-item put), so it is set by the write that makes an action `unknown` and gone after the write
 * that resolves or settles it: it exists exactly when the state is `unknown`.
 */

/** The index's partition key attribute; present only on actions waiting for a person. */
export const ATTENTION_ATTRIBUTE = 'attention';
/** The index's sort key attribute: since when the action has waited (its `updatedAt` as it became unknown). */
export const ATTENTION_SINCE_ATTRIBUTE = 'attentionSince';
/** The value the index is queried by (the topology's `attention.reason`). */
export const OUTCOME_UNKNOWN = 'outcome-unknown';

/** The item to write for an action record: the record, with the attention attributes exactly when its state is `unknown`. */
export function actionItem<R extends { readonly state: string; readonly updatedAt: string }>(record: R): Record<string, unknown> {
  const { [ATTENTION_ATTRIBUTE]: _a, [ATTENTION_SINCE_ATTRIBUTE]: _s, ...rest } = record as Record<string, unknown>;
  return record.state === 'unknown' ? { ...rest, [ATTENTION_ATTRIBUTE]: OUTCOME_UNKNOWN, [ATTENTION_SINCE_ATTRIBUTE]: record.updatedAt } : rest;
}
