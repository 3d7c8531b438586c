import type { RungopherResult } from './result.ts';
import { resultSortKey, utcTimestamp } from './result.ts';

/**
 * The per-contact view is a set of slots, each holding the value with the highest rank seen so far.
 * A result contributes to one or more slots; because "keep the highest rank" is commutative and
 * idempotent, the view is the same whatever order results arrive in and however often. DynamoDB
 * applies the same rule one slot at a time with a conditional update (see the contact-view store),
 * so no transaction is needed.
 */
export interface Contribution {
  /** Slot name, used as a DynamoDB attribute name. */
  readonly slot: string;
  /** Higher wins; compared as strings (ASCII). */
  readonly rank: string;
  readonly value: SlotValue;
}

export interface SlotValue {
  readonly id: string;
  readonly resultType: string;
  readonly resultName: string;
  readonly data: Record<string, unknown>;
  readonly timestamp: string;
  readonly context?: string;
}

export type Slots = Readonly<Record<string, { readonly rank: string; readonly value: SlotValue }>>;

const NAME = 'n:';
const TYPE = 't:';
const LINK = 'l:';

/** The slots a result contributes to. */
export function contributions(result: RungopherResult): Contribution[] {
  const rank = resultSortKey(result);
  const value: SlotValue = {
    id: result.id,
    resultType: result.resultType,
    resultName: result.resultName,
    data: result.data,
    timestamp: utcTimestamp(result),
    ...(result.context !== undefined ? { context: result.context } : {}),
  };
  const out: Contribution[] = [{ slot: NAME + result.resultName, rank, value }];
  if (['email', 'phone', 'address'].includes(result.resultType)) out.push({ slot: TYPE + result.resultType, rank, value });
  if (result.resultType === 'linkClicked' && typeof result.data.link === 'string') {
    // Clicks on one link repeat with an increasing count: the highest count wins, then the latest.
    const clicks = Number(result.data.count);
    const countRank = String(Number.isFinite(clicks) ? clicks : 0).padStart(12, '0');
    out.push({ slot: LINK + result.data.link, rank: `${countRank}#${rank}`, value });
  }
  return out;
}

/** Applies contributions to slots, keeping the highest rank per slot (pure; used by tests and replay). */
export function fold(slots: Slots, items: readonly Contribution[]): Slots {
  const next: Record<string, { rank: string; value: SlotValue }> = { ...slots };
  for (const c of items) {
    const current = next[c.slot];
    if (!current || current.rank < c.rank) next[c.slot] = { rank: c.rank, value: c.value };
  }
  return next;
}

/** The view as the operator API shows it. */
export interface ContactView {
  readonly campaignId: string;
  readonly contactId: string;
  /** Latest result per result name. */
  readonly results: Record<string, SlotValue>;
  readonly optedOut: boolean;
  readonly cancelled: boolean;
  readonly email?: string;
  readonly phone?: string;
  readonly address?: Record<string, unknown>;
  readonly links: { link: string; count: number; lastClickedAt: string }[];
  /** Time of the latest result of any kind. */
  readonly lastResultAt?: string;
}

const yes = (v: SlotValue | undefined): boolean => {
  const a = v?.data.answer;
  return a === true || (typeof a === 'string' && /^(y|yes|true|1)$/i.test(a.trim()));
};

/** Builds the API view from slots. */
export function toContactView(campaignId: string, contactId: string, slots: Slots): ContactView {
  const results: Record<string, SlotValue> = {};
  const links: { link: string; count: number; lastClickedAt: string }[] = [];
  let lastResultAt: string | undefined;
  for (const [slot, { value }] of Object.entries(slots)) {
    if (slot.startsWith(NAME)) {
      results[slot.slice(NAME.length)] = value;
      if (!lastResultAt || value.timestamp > lastResultAt) lastResultAt = value.timestamp;
    } else if (slot.startsWith(LINK)) {
      links.push({ link: slot.slice(LINK.length), count: Number(value.data.count), lastClickedAt: value.timestamp });
    }
  }
  links.sort((a, b) => a.link.localeCompare(b.link));
  const email = slots[TYPE + 'email']?.value.data.email;
  const phone = slots[TYPE + 'phone']?.value.data.phone;
  const address = slots[TYPE + 'address']?.value.data;
  return {
    campaignId,
    contactId,
    results: Object.fromEntries(Object.entries(results).sort(([a], [b]) => a.localeCompare(b))),
    optedOut: yes(results.optedOut),
    cancelled: yes(results.cancelled),
    ...(typeof email === 'string' ? { email } : {}),
    ...(typeof phone === 'string' ? { phone } : {}),
    ...(address ? { address } : {}),
    links,
    ...(lastResultAt ? { lastResultAt } : {}),
  };
}

/** True when a slot name is one this module writes (so a store can pick slots out of an item). */
export function isSlot(attribute: string): boolean {
  return attribute.startsWith(NAME) || attribute.startsWith(TYPE) || attribute.startsWith(LINK);
}
