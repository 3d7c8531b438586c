import { describe, expect, it } from 'vitest';
import type { ContactTable, ResultTable } from '#rungopher/adapters/store.ts';
import { contactIdentifier, uploadChunkLinks } from '#rungopher/domain/customer.ts';
import { campaignContactKey, parseResult } from '#rungopher/domain/result.ts';
import { storeRungopherResult } from '#rungopher/use-cases/store-result.ts';
import type { CustomerLink } from '#platform/identity.ts';
import { recordingPublisher } from '#test/helpers/events.ts';

/**
 * Every way a Rungopher result is stored links it in the customer index and announces it: a fresh
 * result whose view slots go in one combined write, one written slot by slot, and a duplicate.
 */
function ports(opts: { fresh: boolean; combined: boolean }) {
  const linked: CustomerLink[][] = [];
  const results = { putOnce: async () => opts.fresh } as unknown as ResultTable;
  const contacts = { apply: async () => true, applyAll: async () => opts.combined } as unknown as ContactTable;
  const events = recordingPublisher();
  return { linked, events, ports: { results, contacts, events, link: async (l: readonly CustomerLink[]) => void linked.push([...l]) } };
}

const raw = JSON.stringify({ id: 77, campaignId: 15, contactId: 'c-1', resultType: 'phone', resultName: 'newNumber', data: { phone: '0412 345 678' }, timestamp: '2026-11-01T09:00:00Z' });
const parsed = parseResult(raw);
if (!parsed.ok) throw new Error('fixture does not parse');

describe('storeRungopherResult links on every path', () => {
  for (const [name, opts] of [
    ['fresh, view slots in one combined write', { fresh: true, combined: true }],
    ['fresh, slot by slot (combined write refused)', { fresh: true, combined: false }],
    ['duplicate', { fresh: false, combined: false }],
  ] as const) {
    it(name, async () => {
      const p = ports(opts);
      await storeRungopherResult(p.ports, parsed.result, raw, { source: 'webhook' });
      expect(p.linked).toHaveLength(1);
      // One link: the result, with its contact's view erased with it and listed beside it (no row of its own).
      expect(p.linked[0]).toHaveLength(1);
      expect(p.linked[0]?.[0]?.identifiers).toEqual([contactIdentifier('15', 'c-1'), 'phone:+61412345678']);
      const view = { table: 'rungopher-contacts', scope: 'item', key: { campaignContact: campaignContactKey('15', 'c-1') } };
      expect(p.linked[0]?.[0]?.also?.[0]).toEqual(view);
      expect(p.linked[0]?.[0]?.lists).toEqual([{ kind: 'contact-view', path: '/rungopher/campaigns/15/contacts/c-1', also: 0 }]);
      // And announced on every path too (outbound).
      expect(p.events.events.filter((e) => e.type === 'rungopher.result.stored')).toHaveLength(1);
    });
  }
});

describe('uploadChunkLinks (the backfill of contacts uploaded through the hub)', () => {
  const chunk = {
    pk: 'job#rgu_1',
    sk: 'chunk#000001',
    campaignId: '15',
    mode: 'live',
    createdAt: '2026-11-01T00:00:00.000Z',
    from: 4,
    batchSize: 3,
    contacts: [
      { line: 6, contact: { contactId: 'c-4', mobile: '+61412000004', email: 'Four@Example.com' } },
      { line: 7, erased: true },
      { line: 8, contact: { contactId: 'c-6', mobile: '+61412000006' } },
    ],
  };
  it('links each contact of the chunk by contact id, mobile and e-mail, at its place and batch; an erased entry is left out', () => {
    const links = uploadChunkLinks(chunk);
    expect(links.map((l) => l.identifiers)).toEqual([
      [contactIdentifier('15', 'c-4'), 'phone:+61412000004', 'email:four@example.com'],
      [contactIdentifier('15', 'c-6'), 'phone:+61412000006'],
    ]);
    expect(links[0]?.ref).toMatchObject({ scope: 'entries', key: { pk: 'job#rgu_1', sk: 'chunk#000001' }, match: { field: 'line', equals: 6 } });
    // Positions 4 and 6 with batches of 3: batches 2 and 3.
    expect(links.map((l) => l.also?.find((r) => r.scope === 'entries')?.key.sk)).toEqual(['batch#000002', 'batch#000003']);
  });
  it('links nothing from a chunk written without its job details, or from another item', () => {
    const { campaignId: _c, ...old } = chunk;
    expect(uploadChunkLinks(old)).toEqual([]);
    expect(uploadChunkLinks({ ...chunk, sk: 'job' })).toEqual([]);
  });
});
