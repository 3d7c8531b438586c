import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoCustomerIndex, type CustomerIndex } from '#platform/customer-index.ts';
import { refId, type CustomerLink } from '#platform/identity.ts';
import { erasePerson, exportPerson, findPerson, timeline } from '#customers/use-cases/customers.ts';
import type { IndexRow } from '#platform/customer-index.ts';
import type { RecordRef } from '#platform/identity.ts';
import { contactIdentifier, resultLinks } from '#rungopher/domain/customer.ts';
import { campaignContactKey, parseResult, type RungopherResult } from '#rungopher/domain/result.ts';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';
import { memoryErasureAudit } from '#test/helpers/erasure-audit.ts';
import { makeResult } from '#test/rungopher/samples.ts';

/**
 * A Rungopher contact's view has no index row of its own: each result's row lists it (`lists`), and
 * the timeline lists it once, at the time of the contact's newest result. Over any results of one
 * contact, linked in any order with redeliveries, against dynalite: one row per identifier per result,
 * none for the view; the view listed once at the newest time, whatever the order; a row the view had
 * of its own (written before `lists`) merged into that one item.
 */
let aws: TestAws<'customer-index'>;
let index: CustomerIndex;

beforeAll(async () => {
  aws = await startTestAws({ tables: ['customer-index'] });
  index = dynamoCustomerIndex(aws.tableName('customer-index'));
}, 60_000);
afterAll(async () => {
  await aws?.stop();
});

function result(contactId: string, id: number, kind: 'phone' | 'email' | 'boolean', minute: number): RungopherResult {
  const data = kind === 'phone' ? { phone: `+614120000${String(id % 100).padStart(2, '0')}` } : kind === 'email' ? { email: `p${id}@example.com` } : { answer: 'yes' };
  const parsed = parseResult(JSON.stringify(makeResult({ id, campaignId: 15, contactId, resultType: kind, resultName: kind, data, timestamp: new Date(Date.UTC(2026, 10, 1, 9, minute)).toISOString().replace('.000Z', 'Z') })));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.result;
}

/** The link a result had before `lists`: its contact's view as a second record with a row of its own. */
function legacyViewLink(r: RungopherResult): CustomerLink {
  const [link] = resultLinks(r);
  const listed = link?.lists?.[0];
  const ref = listed ? link?.also?.[listed.also] : undefined;
  if (!link || !listed || !ref) throw new Error('a result lists its view');
  return { vendor: 'rungopher', kind: listed.kind, at: link.at, path: listed.path, identifiers: link.identifiers, ref };
}

let contacts = 0;

describe("a Rungopher contact's view, listed through its results", () => {
  it('is listed once at its newest result, in any order, with one row per identifier per result', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kind: fc.constantFrom('phone' as const, 'email' as const, 'boolean' as const), minute: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
        fc.infiniteStream(fc.nat()),
        async (specs, repeats, legacyMinute, order) => {
          const contactId = `c-listed-${++contacts}`;
          const results = specs.map((s, i) => result(contactId, 10_000 * contacts + i, s.kind, s.minute));
          // Every result once, some again (redeliveries), in a shuffled order; perhaps a row the view had of its own.
          const deliveries: CustomerLink[][] = [...results, ...repeats.map((k) => results[k % results.length] as RungopherResult)].map((r) => resultLinks(r));
          if (legacyMinute !== undefined) deliveries.push([legacyViewLink(result(contactId, 10_000 * contacts + 99, 'boolean', legacyMinute))]);
          const it = order[Symbol.iterator]();
          for (let i = deliveries.length - 1; i > 0; i--) {
            const j = (it.next().value as number) % (i + 1);
            [deliveries[i], deliveries[j]] = [deliveries[j] as CustomerLink[], deliveries[i] as CustomerLink[]];
          }
          for (const links of deliveries) await index.link(links);

          const person = await findPerson(index, [contactIdentifier('15', contactId)]);
          const views = person.records.filter((r) => r.kind === 'contact-view');
          const newest = [...results.map((r) => new Date(r.timestamp).toISOString()), ...(legacyMinute !== undefined ? [new Date(Date.UTC(2026, 10, 1, 9, legacyMinute)).toISOString()] : [])].sort().at(-1);
          expect(views).toHaveLength(1);
          expect(views[0]?.at).toBe(newest);
          expect(views[0]?.ref).toBe(refId({ table: 'rungopher-contacts', scope: 'item', key: { campaignContact: campaignContactKey('15', contactId) } }));
          expect(person.records.filter((r) => r.kind === 'sms-result').map((r) => r.ref).sort()).toEqual(results.map((r) => refId({ table: 'rungopher-results', scope: 'item', key: { id: r.id } })).sort());
          // Stored rows: one per identifier of each distinct result (contact id, and its phone or e-mail), and the legacy row's.
          const perResult = results.reduce((n, r) => n + (r.resultType === 'boolean' ? 1 : 2), 0);
          const stored = (await aws.scan('customer-index')).filter((r) => (r.identifiers as Set<string>).has(contactIdentifier('15', contactId)));
          expect(stored).toHaveLength(perResult + (legacyMinute !== undefined ? 1 : 0));
          expect(stored.filter((r) => r.kind === 'contact-view')).toHaveLength(legacyMinute !== undefined ? 1 : 0);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it('is timelined, exported and erased once with the results, a legacy view row included', async () => {
    const contactId = 'c-listed-erase';
    const results = [result(contactId, 90_001, 'phone', 1), result(contactId, 90_002, 'boolean', 5), result(contactId, 90_003, 'email', 5)];
    for (const r of results) await index.link(resultLinks(r));
    await index.link([legacyViewLink(result(contactId, 90_004, 'boolean', 2))]);
    const subject = [contactIdentifier('15', contactId)];
    const view: RecordRef = { table: 'rungopher-contacts', scope: 'item', key: { campaignContact: campaignContactKey('15', contactId) } };
    // What the refs name, as a store would hold them: each result, the view, the contact's deliveries.
    const items = new Map<string, Record<string, unknown>[]>([[refId(view), [{ campaignContact: campaignContactKey('15', contactId) }]]]);
    for (const r of results) items.set(refId({ table: 'rungopher-results', scope: 'item', key: { id: r.id } }), [{ id: r.id }]);
    const deliveries = resultLinks(results[0] as RungopherResult)[0]?.also?.[1] as RecordRef;
    items.set(refId(deliveries), [{ subscriptionId: 's', eventId: 'e1' }, { subscriptionId: 's', eventId: 'e2' }]);

    // The timeline, one item a page: three results and the view once, at the newest result (09:05).
    const seen: { kind: string; at: string; ref: string }[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await timeline(index, subject, 1, cursor, async (ref) => (items.get(refId(ref))?.length ?? 0) > 0);
      seen.push(...page.items.map((x) => ({ kind: x.kind, at: x.at, ref: x.ref })));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen.filter((x) => x.kind === 'contact-view')).toEqual([{ kind: 'contact-view', at: '2026-11-01T09:05:00.000Z', ref: refId(view) }]);
    expect(seen.filter((x) => x.kind === 'sms-result')).toHaveLength(3);
    expect(new Set(seen.map((x) => x.ref)).size).toBe(seen.length);

    // The export, in parts of one item: every item once; the view as a record of its own kind.
    const exported: { kind: string; ref: string; n: number }[] = [];
    cursor = undefined;
    for (let i = 0; i < 20; i++) {
      const part = await exportPerson(index, async (ref) => items.get(refId(ref)) ?? [], subject, new Date(0), cursor, 60);
      exported.push(...part.records.map((r) => ({ kind: r.kind, ref: r.ref, n: r.items.length })));
      if (!part.nextCursor) break;
      cursor = part.nextCursor;
    }
    expect(exported.filter((r) => r.ref === refId(view))).toEqual([{ kind: 'contact-view', ref: refId(view), n: 1 }]);
    expect(exported.reduce((n, r) => n + r.n, 0)).toBe([...items.values()].flat().length);

    // The erasure: every item gone, counted once, and every row of the contact unlinked (the legacy one too).
    const audits = memoryErasureAudit();
    const erase = async (ref: RecordRef) => {
      const n = items.get(refId(ref))?.length ?? 0;
      items.delete(refId(ref));
      return n;
    };
    const answer = await erasePerson({ index, erase, audit: audits, sweeps: { quarantine: async () => 0, cursors: async () => 0 }, hashKey: 'k', now: () => new Date(0), hasTime: () => true }, subject, 'dpo', false);
    expect(answer.complete).toBe(true);
    expect([...items.values()].flat()).toEqual([]);
    expect(answer.counts).toMatchObject({ 'rungopher-results': 3, 'rungopher-contacts': 1, 'outbound-deliveries': 2 });
    const left = (await aws.scan('customer-index')).filter((r) => (r.identifiers as Set<string>).has(subject[0] as string));
    // Rows under the phone and e-mail the results carried stay only if the walk did not reach them: it
    // starts from the contact id and never follows a phone or e-mail, so they are the ones left.
    expect(left.every((r) => String(r.identifier).startsWith('phone:') || String(r.identifier).startsWith('email:'))).toBe(true);
    expect(left.filter((r) => String(r.identifier) === subject[0])).toEqual([]);
  });

  it("keeps a record's own row, with its label and related records, when a newer row lists it", async () => {
    const target: RecordRef = { table: 'acme-records', scope: 'item', key: { id: 'r1' } };
    const extra: RecordRef = { table: 'acme-notes', scope: 'item', key: { id: 'n1' } };
    const id = 'acme:contact:1';
    const rows: IndexRow[] = [
      { identifier: id, ref: refId(target), vendor: 'acme', kind: 'record', label: 'own', at: '2026-11-01T00:00:00.000Z', path: '/acme/r1', identifiers: [id], target, also: [extra] },
      { identifier: id, ref: 'other', vendor: 'acme', kind: 'event', at: '2026-11-03T00:00:00.000Z', path: '/acme/e', identifiers: [id], target: { table: 'acme-events', scope: 'item', key: { id: 'e' } }, also: [target], lists: [{ kind: 'record', path: '/acme/r1', also: 0 }] },
    ];
    const person = await findPerson({ link: async () => undefined, unlink: async () => undefined, rows: async (i) => (i === id ? rows : []) }, [id]);
    expect(person.records.find((r) => r.ref === refId(target))).toMatchObject({ label: 'own', also: [extra], at: '2026-11-03T00:00:00.000Z' });
  });
});
