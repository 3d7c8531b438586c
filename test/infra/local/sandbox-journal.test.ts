import { appendFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { sandboxJournal } from '#infra/local/sandboxes/state.ts';

const dir = await mkdtemp(join(tmpdir(), 'switchboard-journal-'));
afterAll(async () => rm(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `j${n++}.jsonl`);

describe('sandbox journal', () => {
  it('reads back the last value of each record, in first-written order, whatever the puts and compactions (property)', () => {
    const op = fc.record({ kind: fc.constantFrom('a', 'b'), id: fc.constantFrom('1', '2', '3', '4'), value: fc.option(fc.integer(), { nil: null }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const f = file();
        const j = sandboxJournal(f);
        expect(j.load()).toBeUndefined();
        const model = new Map<string, { kind: string; id: string; value: unknown }>();
        for (const o of ops) {
          j.put(o.kind, o.id, o.value);
          const k = `${o.kind}/${o.id}`;
          if (o.value === null) model.delete(k);
          else model.set(k, { ...o }); // a Map keeps a key where it was first set
        }
        j.close();
        const back = sandboxJournal(f).load() ?? [];
        expect(back.map((e) => [e.kind, e.id, e.value])).toEqual([...model.values()].map((e) => [e.kind, e.id, e.value]));
      }),
      { numRuns: 30 },
    );
  });

  it('compacts: many changes to few records leave a file of about the live records', () => {
    const f = file();
    const j = sandboxJournal(f);
    for (let i = 0; i < 10_000; i++) j.put('response', String(i % 10), { i });
    j.close();
    expect(readFileSync(f, 'utf8').split('\n').filter(Boolean).length).toBeLessThanOrEqual(1001);
    expect(sandboxJournal(f).load()?.map((e) => e.value)).toEqual(Array.from({ length: 10 }, (_, k) => ({ i: 9990 + k })));
  });

  it('skips a torn last line (a kill mid-append: that change was never answered)', () => {
    const f = file();
    const j = sandboxJournal(f);
    j.put('outbox', '0', { to: 'a' });
    j.close();
    appendFileSync(f, '["outbox","1",{"to":');
    expect(sandboxJournal(f).load()).toEqual([{ kind: 'outbox', id: '0', value: { to: 'a' } }]);
  });
});
