import { describe, expect, it } from 'vitest';
import { memoryErasureAudit } from '#test/helpers/erasure-audit.ts';
import type { CustomerIndex, IndexRow } from '#platform/customer-index.ts';
import { refId, type RecordRef } from '#platform/identity.ts';
import { deliveryRecords } from '#platform/outbound/event.ts';
import { erasePerson } from '#customers/use-cases/customers.ts';

/**
 * Erasure while the hub keeps writing: an outbound delivery recorded for an event about the person
 * after that record's deliveries were first erased (the event was published before its record was
 * erased, and delivered meanwhile) is erased by the same call, which goes over every partition and
 * index ref once more after the records are gone.
 */
const PHONE = 'phone:+61412345678';

function world() {
  const items = new Map<string, string[]>();
  const put = (ref: RecordRef, id: string) => items.set(refId(ref), [...(items.get(refId(ref)) ?? []), id]);
  const records = [0, 1, 2].map((i) => {
    const target: RecordRef = { table: 'acme-records', scope: 'item', key: { id: `rec-${i}` } };
    const deliveries = deliveryRecords(`acme:contact:c-${i}`);
    put(target, `rec-${i}`);
    put(deliveries, `delivery-${i}-a`);
    return { target, deliveries };
  });
  const rows: IndexRow[] = records.map((r, i) => ({ identifier: PHONE, ref: refId(r.target), vendor: 'acme', kind: 'record', at: `2026-11-0${i + 1}T00:00:00.000Z`, path: `/acme/${i}`, identifiers: [PHONE, `acme:contact:c-${i}`], target: r.target, also: [r.deliveries] }));
  const unlinked: string[] = [];
  const index: CustomerIndex = { link: async () => undefined, rows: async (id) => rows.filter((r) => r.identifier === id && !unlinked.includes(r.ref)), unlink: async (_i, ref) => void unlinked.push(ref) };
  const erasedOnce = new Set<string>();
  const erase = async (ref: RecordRef): Promise<number> => {
    const id = refId(ref);
    const n = items.get(id)?.length ?? 0;
    items.delete(id);
    // The first erasure of record 0's deliveries: its next delivery attempt finishes just after.
    if (id === refId(records[0]?.deliveries as RecordRef) && !erasedOnce.has(id)) {
      erasedOnce.add(id);
      put(ref, 'delivery-0-late');
    }
    return n;
  };
  const audit = memoryErasureAudit();
  return { items, index, erase, audit };
}

describe('erasePerson while deliveries are recorded', () => {
  it('erases a delivery recorded during the erasure, and counts it', async () => {
    const w = world();
    const answer = await erasePerson(
      { index: w.index, erase: w.erase, audit: w.audit, sweeps: { quarantine: async () => 0, cursors: async () => 0 }, hashKey: 'k', now: () => new Date(0), hasTime: () => true },
      [PHONE],
      'dpo',
      false,
    );
    expect(answer.complete).toBe(true);
    expect([...w.items.values()].flat()).toEqual([]);
    expect(answer.counts).toMatchObject({ 'acme-records': 3, 'outbound-deliveries': 4 });
  });
});
