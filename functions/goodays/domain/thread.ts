import { createHash } from 'node:crypto';
import type { ActionKind, GoodaysEvent, GoodaysMessage, GoodaysResponse } from './events.ts';
import { ACTION_KINDS, PROCESSING_ACTIONS, parseEventBody } from './events.ts';

/**
 * The thread of one Goodays response, folded from every event received for it. Goodays promises no
 * delivery order and events carry no id or sequence number, so the fold is a pure function of the
 * SET of events: duplicates collapse on their key, and "latest" is a total order computed from the
 * events' own content, never from arrival.
 */

/** One event as stored: the exact body and when the hub received it. */
export interface StoredEventInput {
  readonly body: string;
  readonly receivedAt: string;
}

/** A message in the thread with who sent it. */
export interface ThreadMessage {
  readonly id: string;
  readonly createdAt: string | null;
  /** `verbatim` is the customer's response, `reply` the public answer, `message` a private message. */
  readonly kind: 'verbatim' | 'reply' | 'message';
  /** Who wrote it: the end customer or customer service (the hub's operators or the local manager). */
  readonly from: 'customer' | 'customer-service';
  readonly type: string | null;
  readonly content: string | null;
  readonly attachment: unknown;
  readonly sender: { readonly email: string | null; readonly firstName: string | null; readonly lastName: string | null } | null;
}

/** The thread view. */
export interface Thread {
  readonly responseId: string;
  /** Goodays' own state of the thread from the latest event: open, closed or pending. */
  readonly state: string | null;
  /** Where the response was collected (`email`, ... or an external source such as Google). */
  readonly source: string | null;
  /** Latest snapshot of the response without the thread's messages, actions and access token. */
  readonly response: Record<string, unknown> | null;
  readonly delegatedTo: Record<string, unknown> | null;
  /** Every message and reply, oldest first. */
  readonly messages: readonly ThreadMessage[];
  /** Actions the latest event offers (Goodays' rules), in the documented order. */
  readonly offeredActions: readonly ActionKind[];
  /** Action names in the latest event the hub does not know, kept for inspection. */
  readonly otherOfferedActions: readonly string[];
  readonly latestEventKey: string | null;
  readonly latestEventType: string | null;
  /** When the hub received the latest event; the clock for the unprocessed-responses metric. */
  readonly latestEventReceivedAt: string | null;
  readonly eventKeys: readonly string[];
  /** Events of types the hub does not know; kept, shown, not interpreted. */
  readonly unknownEvents: readonly { readonly eventKey: string; readonly eventType: string; readonly receivedAt: string }[];
}

const TYPE_RANK: Record<string, number> = { response: 0, delegated: 1, message: 2 };

/**
 * Microseconds since the epoch of a Goodays timestamp (`2020-02-05T10:20:39.810686+01:00`), or
 * undefined. Goodays gives microseconds; `Date.parse` keeps milliseconds, so the rest is added here.
 */
export function timestampMicros(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m?.[1]) return undefined;
  const fraction = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  const seconds = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  if (Number.isNaN(seconds)) return undefined;
  return seconds * 1000 + Number(fraction);
}

/** The most recent timestamp an event carries: the thread's activity as Goodays saw it. */
export function activityMicros(event: GoodaysEvent): number {
  const r = event.response;
  const stamps = [r.created_date, r.updated_date, r.message?.created_date, r.reply?.created_date, event.message?.created_date, ...(r.attached_messages ?? []).map((m) => m.created_date)];
  let max = 0;
  for (const s of stamps) {
    const v = timestampMicros(s);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

/**
 * A string that sorts events of one response: activity time, then type (`response` < `delegated` <
 * `message`), then a digest of the body so two different bodies never tie. Storage keeps, per event
 * key, the copy with the greatest order, so what is stored does not depend on arrival order either.
 */
export function eventOrder(eventType: string, activity: number, body: string): string {
  const rank = TYPE_RANK[eventType] ?? 9;
  const digest = createHash('sha256').update(body, 'utf8').digest('hex').slice(0, 16);
  return `${String(Math.max(0, Math.floor(activity))).padStart(17, '0')}#${rank}#${digest}`;
}

interface Candidate {
  readonly eventKey: string;
  readonly order: string;
  readonly receivedAt: string;
  readonly event?: GoodaysEvent;
  readonly eventType: string;
}

/** Order and key of one stored body; undefined when the body is not an event at all. */
export function describeEvent(body: string): { eventKey: string; eventType: string; responseId: string; order: string } | undefined {
  const parsed = parseEventBody(body);
  if (parsed.kind === 'invalid') return undefined;
  if (parsed.kind === 'known') {
    return { eventKey: parsed.eventKey, eventType: parsed.event.event_type, responseId: parsed.responseId, order: eventOrder(parsed.event.event_type, activityMicros(parsed.event), body) };
  }
  return { eventKey: parsed.eventKey, eventType: parsed.eventType, responseId: parsed.responseId, order: eventOrder(parsed.eventType, 0, body) };
}

/**
 * Folds the events of one response into its thread. The result depends only on the set of bodies
 * (and, for the `receivedAt` fields, on the earliest receipt of the chosen copy), not on their order
 * or repetition. Bodies that are not events are ignored.
 */
export function reduceThread(responseId: string, events: readonly StoredEventInput[]): Thread {
  const byKey = new Map<string, Candidate>();
  for (const e of events) {
    const parsed = parseEventBody(e.body);
    if (parsed.kind === 'invalid' || parsed.responseId !== responseId) continue;
    const candidate: Candidate =
      parsed.kind === 'known'
        ? { eventKey: parsed.eventKey, order: eventOrder(parsed.event.event_type, activityMicros(parsed.event), e.body), receivedAt: e.receivedAt, event: parsed.event, eventType: parsed.event.event_type }
        : { eventKey: parsed.eventKey, order: eventOrder(parsed.eventType, 0, e.body), receivedAt: e.receivedAt, eventType: parsed.eventType };
    const current = byKey.get(candidate.eventKey);
    if (!current || candidate.order > current.order || (candidate.order === current.order && candidate.receivedAt < current.receivedAt)) {
      byKey.set(candidate.eventKey, candidate);
    }
  }
  const all = [...byKey.values()].sort(compareCandidates);
  const known = all.filter((c): c is Candidate & { event: GoodaysEvent } => c.event !== undefined);
  const latest = known.at(-1);
  const unknownEvents = all.filter((c) => !c.event).map((c) => ({ eventKey: c.eventKey, eventType: c.eventType, receivedAt: c.receivedAt }));
  const eventKeys = all.map((c) => c.eventKey).sort();
  if (!latest) {
    return {
      responseId,
      state: null,
      source: null,
      response: null,
      delegatedTo: null,
      messages: [],
      offeredActions: [],
      otherOfferedActions: [],
      latestEventKey: null,
      latestEventType: null,
      latestEventReceivedAt: null,
      eventKeys,
      unknownEvents,
    };
  }
  const snapshot = latest.event.response;
  const offered = Object.keys(snapshot.actions ?? {});
  const delegated = [...known].reverse().find((c) => c.event.response.delegated_to)?.event.response.delegated_to ?? null;
  return {
    responseId,
    state: snapshot.state ?? null,
    source: snapshot.source ?? null,
    response: responseView(snapshot),
    delegatedTo: delegated ? { ...delegated } : null,
    messages: collectMessages(known.map((c) => c.event)),
    offeredActions: ACTION_KINDS.filter((a) => offered.includes(a)),
    otherOfferedActions: offered.filter((a) => !(ACTION_KINDS as readonly string[]).includes(a)).sort(),
    latestEventKey: latest.eventKey,
    latestEventType: latest.eventType,
    latestEventReceivedAt: latest.receivedAt,
    eventKeys,
    unknownEvents,
  };
}

function compareCandidates(a: Candidate, b: Candidate): number {
  // Unknown types sort first so that a known event is always "latest" when there is one.
  const ak = a.event ? 1 : 0;
  const bk = b.event ? 1 : 0;
  if (ak !== bk) return ak - bk;
  if (a.order !== b.order) return a.order < b.order ? -1 : 1;
  return a.eventKey < b.eventKey ? -1 : a.eventKey > b.eventKey ? 1 : 0;
}

function responseView(r: GoodaysResponse): Record<string, unknown> {
  // The thread's messages are listed separately; the action URLs are never used; the response
  // token is an access credential to the customer's response and stays in the raw event only.
  const { actions: _a, attached_messages: _m, token: _t, ...rest } = r;
  return rest;
}

/**
 * Every message of the thread, once, oldest first. A message seen in several events keeps the
 * version from the latest event (the events are given in ascending order).
 */
function collectMessages(events: readonly GoodaysEvent[]): ThreadMessage[] {
  const byId = new Map<string, ThreadMessage>();
  const replyIds = new Set<string>();
  const customerEmails = new Set<string>();
  for (const e of events) {
    const r = e.response;
    if (r.reply?.id) replyIds.add(r.reply.id);
    for (const email of [r.message?.sender?.email, emailOf(r.user), emailOf(r.context)]) if (email) customerEmails.add(email.toLowerCase());
  }
  const from = (m: GoodaysMessage, fallback: ThreadMessage['from']): ThreadMessage['from'] => {
    if (replyIds.has(m.id)) return 'customer-service';
    const email = m.sender?.email?.toLowerCase();
    if (email && customerEmails.has(email)) return 'customer';
    return email ? 'customer-service' : fallback;
  };
  for (const e of events) {
    const r = e.response;
    const put = (m: GoodaysMessage | null | undefined, kind: ThreadMessage['kind'], fallback: ThreadMessage['from']) => {
      if (!m) return;
      const previous = byId.get(m.id);
      // The customer's verbatim and the public reply keep their kind when repeated as attached messages.
      const keptKind = previous && previous.kind !== 'message' ? previous.kind : kind;
      byId.set(m.id, toThreadMessage(m, keptKind, from(m, fallback)));
    };
    put(r.message, 'verbatim', 'customer');
    for (const m of r.attached_messages ?? []) put(m, replyIds.has(m.id) ? 'reply' : 'message', 'customer');
    put(r.reply, 'reply', 'customer-service');
    put(e.message, 'message', 'customer');
  }
  return [...byId.values()].sort((a, b) => {
    const ta = timestampMicros(a.createdAt) ?? 0;
    const tb = timestampMicros(b.createdAt) ?? 0;
    if (ta !== tb) return ta - tb;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

function toThreadMessage(m: GoodaysMessage, kind: ThreadMessage['kind'], from: ThreadMessage['from']): ThreadMessage {
  return {
    id: m.id,
    createdAt: m.created_date ?? null,
    kind,
    from,
    type: m.type ?? null,
    content: m.content ?? null,
    attachment: m.attachment ?? null,
    sender: m.sender ? { email: m.sender.email ?? null, firstName: m.sender.first_name ?? null, lastName: m.sender.last_name ?? null } : null,
  };
}

function emailOf(o: Record<string, unknown> | null | undefined): string | undefined {
  const v = o?.email;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** States of a hub action that mean the response has been, or is being, processed. */
export const HOLDING_STATES = ['accepted', 'sending', 'retrying', 'succeeded', 'unknown'] as const;

/** What the thread rules need to know of an action the hub took. */
export interface ActionSummary {
  readonly actionId?: string;
  readonly action: ActionKind;
  readonly state: string;
  /** The latest event of the thread when the action was requested. */
  readonly eventKey: string | null;
  /**
   * For a message: the id of the customer's latest private message when it was requested (the one it
   * answers), null when there was none. Absent on records older than this field: the message id of
   * `eventKey` when it is a `message` event stands in.
   */
  readonly answers?: string | null;
}

/** The customer's latest private message in the thread (the one a message from the hub answers). */
export function latestCustomerMessage(thread: Thread): ThreadMessage | undefined {
  return thread.messages.findLast((m) => m.kind === 'message' && m.from === 'customer');
}

function answeredBy(summary: Pick<ActionSummary, 'answers' | 'eventKey'>): string | null {
  if (summary.answers !== undefined) return summary.answers;
  return summary.eventKey?.startsWith('message#') ? summary.eventKey.slice('message#'.length) : null;
}

/**
 * Actions an operator may take now: those the latest event offers, minus what the hub already did
 * (an action under way, sent, or whose outcome is unknown; a failed one does not count). Goodays
 * processes a response once, so a reply, call, close or spam the hub took on this thread (its event is
 * one of the thread's) removes every processing action for good: no event, however late or however
 * it sorts, offers them again. A message answers the customer's latest private message; another is
 * offered only once the customer wrote again after it. Events carry no sequence, so this is a
 * function of the set of events and the set of actions, never of their order.
 */
export function allowedActions(thread: Thread, history: readonly ActionSummary[]): ActionKind[] {
  const onThread = (h: ActionSummary) => h.eventKey === null || thread.eventKeys.includes(h.eventKey);
  const holding = history.filter((h) => (HOLDING_STATES as readonly string[]).includes(h.state) && onThread(h));
  const processed = holding.some((h) => PROCESSING_ACTIONS.includes(h.action));
  const messages = holding.filter((h) => h.action === 'message');
  const latest = latestCustomerMessage(thread);
  const position = (id: string) => thread.messages.findIndex((m) => m.id === id);
  // A message is held while one under way, sent or unknown answers the latest customer message (or
  // answered none and the customer has not written since). An answered message the thread does not
  // show cannot be placed: held.
  const holds = (h: ActionSummary) => {
    const id = answeredBy(h);
    if (latest === undefined) return true;
    if (id === null) return false;
    const at = position(id);
    return at < 0 || position(latest.id) <= at;
  };
  const messageHeld = messages.some(holds);
  return thread.offeredActions.filter((a) => !(processed && PROCESSING_ACTIONS.includes(a)) && !(messageHeld && a === 'message'));
}

/**
 * The claim an action takes before it is recorded, so two operators cannot both act (no transactions):
 * one per response for the processing actions (Goodays processes a response once), one per answered
 * customer message for a message. Undefined: the action claims nothing.
 */
export function claimKeyOf(summary: Pick<ActionSummary, 'action' | 'answers' | 'eventKey'>): string | undefined {
  if (PROCESSING_ACTIONS.includes(summary.action)) return 'processed';
  if (summary.action === 'message') return `message:${answeredBy(summary) ?? '-'}`;
  return undefined;
}

/**
 * Whether a response waits for customer service: an action is still allowed on its latest event
 * (given what the hub did) and nothing was handled since the hub received that event.
 */
export function isAwaiting(thread: Thread, lastHandledAt: string | undefined, history: readonly ActionSummary[] = []): boolean {
  if (allowedActions(thread, history).length === 0 || !thread.latestEventReceivedAt) return false;
  return lastHandledAt === undefined || lastHandledAt < thread.latestEventReceivedAt;
}

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
