import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoCustomerIndex, type CustomerIndex } from '#platform/customer-index.ts';
import { refId, type CustomerLink } from '#platform/identity.ts';
import { findPerson } from '#customers/use-cases/customers.ts';
import { contactIdentifier, resultLinks } from '#rungopher/domain/customer.ts';
import { campaignContactKey, parseResult, type RungopherResult } from '#rungopher/domain/result.ts';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';
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
  if (!link || !listed) throw new Error('a result lists its view');
  return { vendor: 'rungopher', kind: listed.kind, at: link.at, path: listed.path, identifiers: link.identifiers, ref: listed.ref };
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
});
