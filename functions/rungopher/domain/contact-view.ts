import { attributeSize, storableCopy } from '#platform/storable.ts';
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
  /**
   * The class of slots this one counts against, and how many of them a contact's item holds: each
   * class's cap times the most one of its slots can take (name and largest value) stays within
   * {@link CONTACT_SLOT_BUDGET_BYTES}, so the item stays under DynamoDB's 400 KB whatever comes.
   */
  readonly budget: SlotClass;
}

/** A class of slots: the item attribute that lists them (a set of digests) and its cap. */
export interface SlotClass {
  readonly set: string;
  readonly cap: number;
}

export interface SlotValue {
  readonly id: string;
  readonly resultType: string;
  readonly resultName: string;
  readonly data: Record<string, unknown>;
  readonly timestamp: string;
  readonly context?: string;
  /** Set when `data` and `context` were cut to fit the view; the stored result keeps them whole. */
  readonly truncated?: true;
}

/** Largest value a name or type slot holds; a larger one keeps its type's own fields, cut. */
export const SLOT_VALUE_MAX_BYTES = 8 * 1024;
/** Largest value a link slot holds (its count and time: the link is the slot's name). */
export const LINK_VALUE_MAX_BYTES = 2 * 1024;
/** Bytes of a contact item given to slots (the classes' shares); the rest is for its key, ids and counters. */
export const CONTACT_SLOT_BUDGET_BYTES = 360 * 1024;
/** Room for a slot's map and its rank beside the value (a rank holds the result id: up to 200 characters). */
export const SLOT_OVERHEAD_BYTES = 1024;
/** A link no longer than this (in bytes) makes a short-link slot; up to 4 KB a long-link one. */
const SHORT_LINK_BYTES = 256;
const LONG_LINK_BYTES = 4096;
const capOf = (budget: number, nameBytes: number, valueBytes: number) => Math.floor(budget / (nameBytes + valueBytes + SLOT_OVERHEAD_BYTES));
/**
 * The slot classes and their shares of the budget: result names and types (names of at most 100
 * characters, so 402 bytes), links of up to 256 bytes (30), up to 4 KB (9) and longer
 * (4,096 characters of up to 4 bytes: 1). Names get 17.
 */
export const SLOT_CLASSES = {
  named: { set: 'slotsNamed', cap: capOf(160 * 1024, 402, SLOT_VALUE_MAX_BYTES) },
  shortLink: { set: 'slotsShortLink', cap: capOf(100 * 1024, 2 + SHORT_LINK_BYTES, LINK_VALUE_MAX_BYTES) },
  longLink: { set: 'slotsLongLink', cap: capOf(70 * 1024, 2 + LONG_LINK_BYTES, LINK_VALUE_MAX_BYTES) },
  hugeLink: { set: 'slotsHugeLink', cap: capOf(30 * 1024, 2 + 4 * 4096, LINK_VALUE_MAX_BYTES) },
} as const satisfies Record<string, SlotClass>;
/** Lists and maps `data` may nest in a slot (the slot, its value and `data` itself take three of 31). */
const DATA_CONTAINERS = 28;
/** Characters kept of each string in a cut value. */
const CUT_CHARS = 256;
/** The fields of each documented type that the view shows, kept when a value is cut. */
const SHOWN_FIELDS: Readonly<Record<string, readonly string[]>> = {
  boolean: ['answer'],
  email: ['email'],
  phone: ['phone'],
  address: ['city', 'state', 'postcode', 'streetAddress'],
  linkClicked: ['link', 'count'],
  sms: ['kind', 'content', 'campaignName'],
};

export type Slots = Readonly<Record<string, { readonly rank: string; readonly value: SlotValue }>>;

const NAME = 'n:';
const TYPE = 't:';
const LINK = 'l:';

/** The slots a result contributes to. */
export function contributions(result: RungopherResult): Contribution[] {
  const rank = resultSortKey(result);
  const value = slotValue(result);
  const slot = (name: string, r: string, v: SlotValue, budget: SlotClass): Contribution => ({ slot: name, rank: r, value: v, budget });
  const out: Contribution[] = [slot(NAME + result.resultName, rank, value, SLOT_CLASSES.named)];
  if (['email', 'phone', 'address'].includes(result.resultType)) out.push(slot(TYPE + result.resultType, rank, value, SLOT_CLASSES.named));
  if (result.resultType === 'linkClicked' && typeof result.data.link === 'string') {
    // Clicks on one link repeat with an increasing count: the highest count wins, then the latest.
    const clicks = Number(result.data.count);
    const countRank = String(Number.isFinite(clicks) ? clicks : 0).padStart(12, '0');
    // The link is the slot's name; its value needs only the count and the time.
    const linkValue: SlotValue = { id: value.id, resultType: value.resultType, resultName: value.resultName, data: { count: result.data.count }, timestamp: value.timestamp };
    const bytes = Buffer.byteLength(result.data.link, 'utf8');
    const linkClass = bytes <= SHORT_LINK_BYTES ? SLOT_CLASSES.shortLink : bytes <= LONG_LINK_BYTES ? SLOT_CLASSES.longLink : SLOT_CLASSES.hugeLink;
    out.push(slot(LINK + result.data.link, `${countRank}#${rank}`, linkValue, linkClass));
  }
  return out;
}

/**
 * The value a result puts in its slots, storable and at most {@link SLOT_VALUE_MAX_BYTES}: its data as
 * DynamoDB can hold it (`storableCopy`), or, when that is too large, the fields its type shows, each
 * cut to {@link CUT_CHARS} characters and marked `truncated`. The stored result keeps everything.
 */
function slotValue(result: RungopherResult): SlotValue {
  const head = { id: result.id, resultType: result.resultType, resultName: result.resultName, timestamp: utcTimestamp(result) };
  const copy = storableCopy(result.data, DATA_CONTAINERS);
  // A map with a key DynamoDB refuses comes back as text: then only the shown fields are kept.
  if (copy && typeof copy === 'object' && !Array.isArray(copy)) {
    const full: SlotValue = { ...head, data: copy as Record<string, unknown>, ...(result.context !== undefined ? { context: result.context } : {}) };
    if ((attributeSize('v', full) ?? Infinity) <= SLOT_VALUE_MAX_BYTES) return full;
  }
  const cut = (v: unknown) => (typeof v === 'string' ? v.slice(0, CUT_CHARS) : typeof v === 'number' || typeof v === 'boolean' ? storableCopy(v) : undefined);
  const data = Object.fromEntries((SHOWN_FIELDS[result.resultType] ?? []).map((k) => [k, cut(result.data[k])]).filter(([, v]) => v !== undefined));
  return { ...head, data, ...(result.context !== undefined ? { context: result.context.slice(0, CUT_CHARS) } : {}), truncated: true };
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
