import * as z from 'zod';
import { identifierHash, type CustomerIndex, type IndexRow } from '#platform/customer-index.ts';
import { findPersonalText, normaliseEmail, normalisePhone, refId, type CustomerLink, type RecordRef } from '#platform/identity.ts';
import { pageCursor } from '#platform/page-cursor.ts';
import { MAX_PAGE_BYTES, sizedPage, type Page } from '#platform/list-page.ts';
import { mapLimit } from '#platform/concurrency.ts';
import { ValidationError } from '#platform/errors.ts';
import type { ErasureAnswer, ExportPart, TimelineItem } from '#customers/domain/schemas.ts';
import type { ErasureAudit } from '#customers/adapters/store.ts';

/**
 * One person across every vendor. A person is found from the identifiers asked for (phone, e-mail):
 * their index rows, then the vendor ids those rows' records carry (a Rungopher contact, a Goodays
 * response, a Netcore bot user), then those ids' rows, and so on through vendor ids only. Phone
 * numbers and e-mail addresses found on the way are not followed: a shared family e-mail would
 * otherwise pull in another person, and erase them too.
 */

/** Most identifiers one person may reach (a bound on the walk, far above one person's ids). */
const MAX_IDENTIFIERS = 500;

const isContact = (id: string): boolean => id.startsWith('phone:') || id.startsWith('email:');

/** What the hub holds about a person: every identifier reached, and every row by record (newest copy). */
export interface Person {
  readonly subject: readonly string[];
  readonly identifiers: readonly string[];
  readonly rows: readonly IndexRow[];
  /** One row per record (the newest), with the records listed through rows (`lists`), which have no row of their own. */
  readonly records: readonly IndexRow[];
}

export async function findPerson(index: CustomerIndex, subject: readonly string[]): Promise<Person> {
  const seen = new Set<string>(subject);
  const queue = [...subject];
  const rows: IndexRow[] = [];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const row of await index.rows(id)) {
      rows.push(row);
      for (const other of row.identifiers) {
        if (!seen.has(other) && !isContact(other) && seen.size < MAX_IDENTIFIERS) {
          seen.add(other);
          queue.push(other);
        }
      }
    }
  }
  // One record per ref: its newest row. A record listed through rows (`lists`) has none of its own and
  // is the newest listing; one that has a row too (written before `lists`) is that row, at the newest
  // time of either.
  const own = new Map<string, IndexRow>();
  const listed = new Map<string, IndexRow>();
  const newest = (map: Map<string, IndexRow>, r: IndexRow) => {
    const cur = map.get(r.ref);
    if (!cur || cur.at < r.at) map.set(r.ref, r);
  };
  for (const r of rows) {
    newest(own, r);
    for (const l of r.lists ?? []) {
      const target = r.also[l.also];
      if (target) newest(listed, { identifier: r.identifier, ref: refId(target), vendor: r.vendor, kind: l.kind, at: r.at, ...(l.label !== undefined ? { label: l.label } : {}), path: l.path, identifiers: r.identifiers, target, also: [] });
    }
  }
  const byRef = new Map(own);
  for (const [ref, l] of listed) {
    const o = own.get(ref);
    byRef.set(ref, !o ? l : o.at < l.at ? { ...o, at: l.at } : o);
  }
  return { subject, identifiers: [...seen], rows, records: [...byRef.values()] };
}

const Position = z.strictObject({ at: z.string().max(64), ref: z.string().max(4096) });
const timelineCursor = pageCursor('customers', Position);

const newestFirst = (a: { at: string; ref: string }, b: { at: string; ref: string }): number => (a.at === b.at ? a.ref.localeCompare(b.ref) : a.at < b.at ? 1 : -1);

/** Whether a record's target is still stored (the DynamoDB adapter in production). */
export type RefExists = (ref: RecordRef) => Promise<boolean>;

/** Records checked at once while a page is filled. */
const EXISTS_CONCURRENCY = 16;

/**
 * The timeline: one item per record that is still stored, newest first, paged by the list contract
 * (also cut before about 5 MB). A record whose items are gone (expired by retention, deleted) is left
 * out, whatever its index rows say: each candidate's target is read (`exists`) while the page fills,
 * one more than the page to know whether another page follows.
 */
export async function timeline(index: CustomerIndex, subject: readonly string[], limit: number, cursor: string | undefined, exists: RefExists): Promise<Page<TimelineItem>> {
  const after = timelineCursor.decode(cursor);
  const person = await findPerson(index, subject);
  const targets = new Map(person.records.map((r) => [r.ref, r.target]));
  const all = person.records.map((r) => ({ vendor: r.vendor, kind: r.kind, ...(r.label !== undefined ? { label: r.label } : {}), at: r.at, link: r.path, ref: r.ref })).sort(newestFirst);
  const rest = after ? all.filter((i) => newestFirst(i, after) > 0) : all;
  const kept: TimelineItem[] = [];
  for (let from = 0; from < rest.length && kept.length <= limit; ) {
    const batch = rest.slice(from, from + Math.min(Math.max(limit + 1 - kept.length, 1), 100));
    from += batch.length;
    const found = await mapLimit(batch, EXISTS_CONCURRENCY, async (item) => {
      const target = targets.get(item.ref);
      return target !== undefined && (await exists(target));
    });
    kept.push(...batch.filter((_, i) => found[i]));
  }
  const items = kept.slice(0, limit);
  const at = (i: number) => {
    const item = items[i] as TimelineItem;
    return timelineCursor.encode({ at: item.at, ref: item.ref });
  };
  return sizedPage(items, kept.length > limit && items.length > 0 ? at(items.length - 1) : null, at);
}

/** Values DynamoDB's document client gives back as Sets, as JSON arrays. */
function plain(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(plain);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** Reads every item a ref names (the DynamoDB adapter in production). */
export type ReadRef = (ref: RecordRef) => Promise<Record<string, unknown>[]>;
export type EraseRef = (ref: RecordRef, onItem?: (item: Record<string, unknown>) => void) => Promise<number>;

/** Where the next part of an export starts: the `i`th ref of the person's records (its id, to check), after `skip` of its items. */
const ExportPosition = z.strictObject({ i: z.number().int().min(0), ref: z.string().max(2048), skip: z.number().int().min(0), part: z.number().int().min(1) });
const exportCursor = pageCursor('customers-export', ExportPosition);

/**
 * The export: everything the hub holds about the person, as one JSON document in parts, each under
 * `maxBytes` of records (about 5 MB, so an answer stays under Lambda's 6 MB): the index rows in the
 * first part, then every record with its items as stored, newest first. A record too large for the
 * rest of a part goes on in the next (`part` 2, 3, …); `nextCursor` leads there, null on the last part.
 */
export async function exportPerson(index: CustomerIndex, read: ReadRef, subject: readonly string[], now: Date, cursor?: string, maxBytes: number = MAX_PAGE_BYTES): Promise<ExportPart> {
  const from = exportCursor.decode(cursor);
  const person = await findPerson(index, subject);
  const refs: { row: IndexRow; ref: RecordRef; id: string }[] = [];
  const done = new Set<string>();
  for (const row of [...person.records].sort(newestFirst)) {
    for (const ref of [row.target, ...row.also]) {
      const id = refId(ref);
      if (!done.has(id)) refs.push({ row, ref, id });
      done.add(id);
    }
  }
  const indexRows = from ? undefined : person.rows.map((r) => plain(r) as Record<string, unknown>);
  let bytes = indexRows ? Buffer.byteLength(JSON.stringify(indexRows), 'utf8') : 0;
  // The ref the cursor names, found again by id when records came or went since the last part.
  let i = from ? (refs[from.i]?.id === from.ref ? from.i : Math.max(0, refs.findIndex((r) => r.id === from.ref))) : 0;
  let skip = from && refs[i]?.id === from.ref ? from.skip : 0;
  let part = from && refs[i]?.id === from.ref ? from.part : 1;
  const records: ExportPart['records'] = [];
  let next: string | null = null;
  outer: for (; i < refs.length; i++, skip = 0, part = 1) {
    const r = refs[i] as (typeof refs)[number];
    const items = (await read(r.ref)).slice(skip).map((x) => plain(x) as Record<string, unknown>);
    if (items.length === 0) continue;
    const taken: Record<string, unknown>[] = [];
    for (const [n, item] of items.entries()) {
      const size = Buffer.byteLength(JSON.stringify(item), 'utf8') + 1;
      // At least one item per part, whatever its size (an item is at most DynamoDB's 400 KB).
      if (bytes + size > maxBytes && (taken.length > 0 || records.length > 0)) {
        if (taken.length > 0) records.push({ vendor: r.row.vendor, kind: r.id === r.row.ref ? r.row.kind : 'related', at: r.row.at, table: r.ref.table, ref: r.id, items: taken, ...(part > 1 || n < items.length ? { part } : {}) });
        next = exportCursor.encode({ i, ref: r.id, skip: skip + n, part: taken.length > 0 ? part + 1 : part });
        break outer;
      }
      bytes += size;
      taken.push(item);
    }
    records.push({ vendor: r.row.vendor, kind: r.id === r.row.ref ? r.row.kind : 'related', at: r.row.at, table: r.ref.table, ref: r.id, items: taken, ...(part > 1 ? { part } : {}) });
  }
  return {
    generatedAt: now.toISOString(),
    subject: [...person.subject],
    identifiers: [...person.identifiers],
    ...(indexRows ? { index: indexRows } : {}),
    records,
    nextCursor: next,
  };
}

/** What an erasure sweeps beside the records the index names: the quarantine and the poller cursors. */
export interface Sweeps {
  /** Deletes quarantined bodies that `matches`; the number deleted. */
  quarantine(matches: (body: string) => boolean): Promise<number>;
  /** Removes these values from every list in every cursor; the number of cursors changed. */
  cursors(values: ReadonlySet<string>): Promise<number>;
}

export interface EraseDeps {
  readonly index: CustomerIndex;
  readonly erase: EraseRef;
  readonly audit: ErasureAudit;
  readonly sweeps: Sweeps;
  readonly hashKey: string;
  readonly now: () => Date;
  /** True while there is time for one more record. */
  readonly hasTime: () => boolean;
}

/** What an identifier is found as in a body that nothing parsed (the quarantine): its own value, when long enough to mean one thing. */
function searchTerm(id: string): string | undefined {
  const [kind, ...rest] = id.split(':');
  const value = rest.join(':');
  if (kind === 'phone' || kind === 'email') return undefined;
  const tail = value.slice(value.indexOf(':') + 1);
  const term = rest.length >= 2 ? tail : value;
  return term.length >= 6 && !term.startsWith('[') ? term : undefined;
}

/** Whether a body carries one of the person's phone numbers, e-mail addresses or vendor ids. */
export function bodyMatcher(identifiers: readonly string[]): (body: string) => boolean {
  const contacts = new Set(identifiers.filter(isContact));
  const terms = identifiers.map(searchTerm).filter((t): t is string => t !== undefined);
  return (body) => {
    if (terms.some((t) => body.includes(t))) return true;
    for (const found of findPersonalText(body)) {
      const email = normaliseEmail(found);
      if (email && contacts.has(`email:${email}`)) return true;
      const phone = normalisePhone(found);
      if (phone && contacts.has(`phone:${phone}`)) return true;
    }
    return false;
  };
}

/**
 * Erases a person: every record the index names (with what goes with it: the outbound delivery
 * records of its events among them), the quarantined bodies that carry their identifiers, their
 * record ids kept in cursors, then their index rows. Refs naming many items (a partition, an index
 * partition such as a subject's deliveries) are erased once more after every record is gone, so what
 * was written into them while the erasure ran goes too. Idempotent and
 * resumable: records are erased before the rows that lead to them, and the rows of the identifiers
 * asked for go last, so a call that runs out of time (`complete: false`) leaves every remaining record
 * findable by the next call with the same query, which continues the same audit record.
 */
export async function erasePerson(deps: EraseDeps, subject: readonly string[], requestedBy: string, suppress: boolean): Promise<ErasureAnswer> {
  const hashes = subject.map((s) => identifierHash(deps.hashKey, s));
  const subjectHash = identifierHash(deps.hashKey, [...subject].sort().join('\n'));
  const nowIso = () => deps.now().toISOString();
  const audit = (await deps.audit.running(subjectHash)) ?? (await deps.audit.start(subjectHash, hashes, requestedBy, suppress, nowIso()));
  const counts: Record<string, number> = {};
  const add = (table: string, n: number) => {
    if (n > 0) counts[table] = (counts[table] ?? 0) + n;
  };
  const person = await findPerson(deps.index, subject);
  const keyValues = new Set<string>();
  const subjectSet = new Set(subject);
  // Refs that name many items (a partition, an index partition) can gain items while the erasure runs.
  const growing = new Map<string, RecordRef>();
  let complete = true;
  for (const row of person.records) {
    if (!deps.hasTime()) {
      complete = false;
      break;
    }
    for (const ref of [row.target, ...row.also]) {
      add(ref.table, await deps.erase(ref, () => undefined));
      for (const v of Object.values(ref.key)) keyValues.add(v);
      if (ref.scope === 'partition' || ref.scope === 'index') growing.set(refId(ref), ref);
    }
    // The rows leading to this record, except those of the identifiers asked for (they go last).
    for (const r of person.rows.filter((x) => x.ref === row.ref && !subjectSet.has(x.identifier))) {
      await deps.index.unlink(r.identifier, r.ref);
      add('customer-index', 1);
    }
  }
  if (complete) {
    // Once more, after every record is gone: what was written into them meanwhile (an outbound delivery
    // recorded for an event published before its record was erased, an action settled) goes too.
    for (const ref of growing.values()) add(ref.table, await deps.erase(ref, () => undefined));
    add('quarantine', await deps.sweeps.quarantine(bodyMatcher(person.identifiers)));
    add('cursors', await deps.sweeps.cursors(keyValues));
    for (const r of person.rows.filter((x) => subjectSet.has(x.identifier))) {
      await deps.index.unlink(r.identifier, r.ref);
      add('customer-index', 1);
    }
    if (audit.suppress || suppress) await deps.audit.suppress(hashes, audit.id, nowIso());
  }
  const saved = await deps.audit.record(audit.id, counts, complete, nowIso());
  return { erasureId: audit.id, complete, counts: saved.counts ?? counts, suppressed: complete && (audit.suppress || suppress) };
}

/** Backfill position: which table of the list, and where its scan stopped. */
const BackfillPosition = z.strictObject({ table: z.number().int().min(0), key: z.record(z.string(), z.string()).optional() });
const backfillCursor = pageCursor('customers-backfill', BackfillPosition);

export interface BackfillDeps {
  readonly index: CustomerIndex;
  /** The tables to read, each with the links of its items. */
  readonly tables: readonly { readonly table: string; readonly physical: string; readonly links: (item: Record<string, unknown>) => CustomerLink[] }[];
  readonly scan: (physical: string, limit: number, start?: Record<string, unknown>) => Promise<{ items: Record<string, unknown>[]; lastKey?: Record<string, unknown> }>;
  readonly hasTime: () => boolean;
}

/**
 * Indexes records stored before the index existed: every table a vendor names, page by page, each
 * item's links written as the store path writes them. Idempotent (links are), and resumable: each
 * call goes on from `cursor` and answers where to go on from, until `nextCursor` is null.
 */
export async function backfill(deps: BackfillDeps, cursor: string | undefined): Promise<{ scanned: number; linked: number; nextCursor: string | null }> {
  let pos = backfillCursor.decode(cursor, (p) => (p.table < deps.tables.length ? undefined : 'no such table')) ?? { table: 0 };
  let scanned = 0;
  let linked = 0;
  while (pos.table < deps.tables.length && deps.hasTime()) {
    const t = deps.tables[pos.table];
    if (!t) break;
    const page = await deps.scan(t.physical, 100, pos.key).catch((err: unknown) => {
      // A start key that is not this table's key: a cursor this API did not give out.
      if (pos.key && err instanceof Error && err.name === 'ValidationException') throw new ValidationError('cursor is not one this API gave out', [{ name: 'cursor', detail: 'not a position of this table' }]);
      throw err;
    });
    for (const item of page.items) {
      const links = t.links(item);
      await deps.index.link(links);
      linked += links.length;
    }
    scanned += page.items.length;
    pos = page.lastKey ? { table: pos.table, key: Object.fromEntries(Object.entries(page.lastKey).map(([k, v]) => [k, String(v)])) } : { table: pos.table + 1 };
  }
  return { scanned, linked, nextCursor: pos.table < deps.tables.length ? backfillCursor.encode(pos) : null };
}
