import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RungopherResult } from '#rungopher/domain/result.ts';
import type * as ResultModule from '#rungopher/domain/result.ts';
import type * as StoreModule from '#rungopher/use-cases/store-result.ts';
import { recordingPublisher } from '#test/helpers/events.ts';
import { startTestDynamo, type TestDynamo } from './env.ts';
import { makeResult } from './samples.ts';

/**
 * The crash window between storing a result and publishing its events: the publish fails after the
 * row and the view are written (as a crash there would leave them), and the redelivery of the same
 * record publishes the same events, with the same ids, as a run that never failed.
 */
let db: TestDynamo;
let mod: {
  store: typeof StoreModule.storeRungopherResult;
  parse: typeof ResultModule.parseResult;
  ports: (events: ReturnType<typeof recordingPublisher>) => StoreModule.StoreResultPorts;
};

beforeAll(async () => {
  db = await startTestDynamo();
  const [{ storeRungopherResult }, { parseResult }, { dynamoResultTable, dynamoContactTable }] = await Promise.all([
    import('#rungopher/use-cases/store-result.ts'),
    import('#rungopher/domain/result.ts'),
    import('#rungopher/adapters/store.ts'),
  ]);
  const results = dynamoResultTable(db.tables['rungopher-results']);
  const contacts = dynamoContactTable(db.tables['rungopher-contacts']);
  mod = { store: storeRungopherResult, parse: parseResult, ports: (events) => ({ results, contacts, events }) };
});
afterAll(async () => {
  await db?.stop();
});

const parsed = (raw: string): RungopherResult => {
  const p = mod.parse(raw);
  if (!p.ok) throw new Error(p.reason);
  return p.result;
};

describe('the store-then-publish crash window', () => {
  it('a failed publish after the store is completed by the redelivery: same events, same ids, stored once', async () => {
    const raw = JSON.stringify(makeResult({ id: 777_001, contactId: 'crash-window' }));
    const crashed = recordingPublisher();
    crashed.failNext();
    await expect(mod.store(mod.ports(crashed), parsed(raw), raw, { source: 'webhook' })).rejects.toThrow(/publish failed/);
    expect(crashed.events).toEqual([]);
    // The row and the view were written before the publish failed.
    expect((await db.scan('rungopher-results')).filter((r) => r.id === '777001')).toHaveLength(1);

    expect(await mod.store(mod.ports(crashed), parsed(raw), raw, { source: 'webhook' })).toBe('duplicate');
    expect(crashed.events.map((e) => e.type)).toEqual(['rungopher.result.stored', 'rungopher.contact.updated']);

    // What a delivery that never failed publishes for the same kind of result: the same ids for the same change.
    const clean = recordingPublisher();
    const rawClean = JSON.stringify(makeResult({ id: 777_002, contactId: 'crash-window-clean' }));
    await mod.store(mod.ports(clean), parsed(rawClean), rawClean, { source: 'webhook' });
    const again = recordingPublisher();
    await mod.store(mod.ports(again), parsed(rawClean), rawClean, { source: 'poller' });
    expect(again.events.map((e) => e.id)).toEqual(clean.events.map((e) => e.id));
    expect(again.events.map((e) => e.data)).toEqual(clean.events.map((e) => e.data));
    expect((await db.scan('rungopher-results')).filter((r) => r.id === '777001' || r.id === '777002')).toHaveLength(2);
  });

  it('a result that no longer raises its slot (a newer one holds it) still announces its own storing', async () => {
    const older = JSON.stringify(makeResult({ id: 777_010, contactId: 'ranked', timestamp: '2017-11-14T10:00:00Z' }));
    const newer = JSON.stringify(makeResult({ id: 777_011, contactId: 'ranked', timestamp: '2017-11-14T11:00:00Z' }));
    const events = recordingPublisher();
    await mod.store(mod.ports(events), parsed(newer), newer, { source: 'webhook' });
    await mod.store(mod.ports(events), parsed(older), older, { source: 'webhook' });
    expect(events.events.map((e) => [e.type, e.data.resultId])).toEqual([
      ['rungopher.result.stored', '777011'],
      ['rungopher.contact.updated', '777011'],
      ['rungopher.result.stored', '777010'],
    ]);
  });
});
