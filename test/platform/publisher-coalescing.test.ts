import fc from 'fast-check';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { EVENTBRIDGE_ENTRY_MAX_BYTES, entryBytes } from '#platform/outbound/event.ts';
import { COALESCE_HOLD_MS, PublishError, coalescing, eventBridgePublisher, type PutEvents } from '#platform/outbound/publisher.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const entry = (id: string, bytes = 0): PutEventsRequestEntry => ({ EventBusName: 'bus', Source: 'switchboard.test', DetailType: 't', Detail: JSON.stringify({ id, pad: 'x'.repeat(bytes) }) });
const idOf = (e: PutEventsRequestEntry): string => (JSON.parse(e.Detail ?? '{}') as { id: string }).id;
const sizeOf = (e: PutEventsRequestEntry): number => entryBytes(e.Source ?? '', e.DetailType ?? '', e.Detail ?? '');

/** A bus that refuses the entries in `refused`, fails a request carrying any id in `poison`, and answers after `latencyMs`. */
function fakeBus(refused: ReadonlySet<string>, poison: ReadonlySet<string>, latencyMs: () => number) {
  const calls: PutEventsRequestEntry[][] = [];
  const send: PutEvents = async (command) => {
    const entries = command.input.Entries ?? [];
    calls.push(entries);
    await sleep(latencyMs());
    if (entries.some((e) => poison.has(idOf(e)))) throw new Error('InternalFailure');
    const results = entries.map((e) => (refused.has(idOf(e)) ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `ev-${idOf(e)}` }));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };
  return { send, calls };
}

describe('PutEvents coalescing', () => {
  it('sends requests made side by side as fewer requests, each caller answered with its own entries', async () => {
    const bus = fakeBus(new Set(['c3-1']), new Set(), () => 1);
    const send = coalescing(bus.send);
    const outs = await Promise.all(Array.from({ length: 10 }, (_, c) => send(new PutEventsCommand({ Entries: [entry(`c${c}-0`), entry(`c${c}-1`)] }))));
    // Twenty entries in requests of at most ten: two requests, not ten.
    expect(bus.calls.map((c) => c.length)).toEqual([10, 10]);
    expect(outs.map((o) => o.FailedEntryCount)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(outs[3]?.Entries?.map((e) => e.ErrorCode)).toEqual([undefined, 'ThrottlingException']);
    expect(outs[7]?.Entries).toEqual([{ EventId: 'ev-c7-0' }, { EventId: 'ev-c7-1' }]);
  });

  it('sends a lone request as it was made, at once', async () => {
    const bus = fakeBus(new Set(), new Set(), () => 0);
    const command = new PutEventsCommand({ Entries: [entry('solo')] });
    const seen: PutEventsCommand[] = [];
    const send = coalescing(async (c) => {
      seen.push(c);
      return bus.send(c);
    });
    await send(command);
    expect(seen).toEqual([command]);
  });

  it('sends those made while a request is in flight together, once it is answered', async () => {
    const starts: { size: number; at: number }[] = [];
    let firstAnswered = Infinity;
    const bus = fakeBus(new Set(), new Set(), () => 0);
    const send = coalescing(async (c) => {
      starts.push({ size: c.input.Entries?.length ?? 0, at: performance.now() });
      if (starts.length === 1) {
        await sleep(5);
        firstAnswered = performance.now();
      }
      return bus.send(c);
    });
    const first = send(new PutEventsCommand({ Entries: [entry('first')] }));
    await sleep(1);
    expect(starts).toHaveLength(1);
    const later = Array.from({ length: 9 }, (_, c) => send(new PutEventsCommand({ Entries: [entry(`l${c}-0`), entry(`l${c}-1`)] })));
    await Promise.all([first, ...later]);
    // Eighteen entries in two requests, sent after the first was answered (within the hold of 20 ms).
    expect(starts.map((x) => x.size)).toEqual([1, 10, 8]);
    for (const x of starts.slice(1)) expect(x.at).toBeGreaterThanOrEqual(firstAnswered);
  });

  it('holds the others for the hold at most, not for a stalled request', async () => {
    const bus = fakeBus(new Set(), new Set(), () => 0);
    let calls = 0;
    const send = coalescing(async (c) => {
      if (++calls === 1) await sleep(2_000);
      return bus.send(c);
    });
    const stalled = send(new PutEventsCommand({ Entries: [entry('stalled')] }));
    await sleep(1);
    const t = performance.now();
    await Promise.all(Array.from({ length: 3 }, (_, c) => send(new PutEventsCommand({ Entries: [entry(`q${c}`)] }))));
    expect(performance.now() - t).toBeLessThan(COALESCE_HOLD_MS + 500);
    await stalled;
  });

  it('under the publisher: refused entries are retried by their own callers until every event is accepted once', async () => {
    const seen = new Set<string>();
    const accepted: string[] = [];
    // Refuses each entry the first time it sees it, accepts it the next.
    const send = coalescing(async (c) => {
      const results = (c.input.Entries ?? []).map((e) => {
        const id = (JSON.parse(e.Detail ?? '{}') as { id: string }).id;
        if (!seen.has(id)) {
          seen.add(id);
          return { ErrorCode: 'ThrottlingException' };
        }
        accepted.push(id);
        return { EventId: id };
      });
      return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
    });
    const publisher = eventBridgePublisher('bus', { send, sleep: async () => undefined });
    const event = (id: string) => ({ id, type: 'rungopher.result.stored', time: '2026-12-01T00:00:00.000Z', subject: 's', data: {} }) as unknown as Parameters<typeof publisher.publish>[0][number];
    await Promise.all(Array.from({ length: 6 }, (_, c) => publisher.publish([event(`e${c}-a`), event(`e${c}-b`)])));
    expect(accepted.sort()).toEqual(Array.from({ length: 6 }, (_, c) => [`e${c}-a`, `e${c}-b`]).flat().sort());
  });

  it('the publisher takes an answer that reports failures without saying which as none accepted, alone too', async () => {
    let calls = 0;
    const publisher = eventBridgePublisher('bus', { send: async () => (calls++, { FailedEntryCount: 1 }), sleep: async () => undefined });
    const event = { id: 'x', type: 'rungopher.result.stored', time: '2026-12-01T00:00:00.000Z', subject: 's', data: {} } as unknown as Parameters<typeof publisher.publish>[0][number];
    await expect(publisher.publish([event])).rejects.toBeInstanceOf(PublishError);
    expect(calls).toBe(4);
  });

  it('refuses an answer that reports failures without saying which entries (none is known accepted)', async () => {
    const send = coalescing(async () => ({ FailedEntryCount: 1 }));
    const both = [send(new PutEventsCommand({ Entries: [entry('a')] })), send(new PutEventsCommand({ Entries: [entry('b')] }))];
    for (const p of both) await expect(p).rejects.toThrow(/1 failed entries of 2 with 0 results/);
  });

  it('whatever the callers, timing, refusals and failed requests: each caller gets exactly its entries, once, in order; requests stay within 10 entries and 256 KB', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            entries: fc.array(fc.constantFrom(0, 0, 0, 2_000, 60_000, 120_000), { minLength: 1, maxLength: 10 }),
            delayMs: fc.integer({ min: 0, max: 4 }),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        async (callers, refusedPicks, poisonPicks, latency) => {
          // Each caller's command within PutEvents' own limits, as the publisher builds them.
          const commands = callers.map((c, n) => {
            const entries: PutEventsRequestEntry[] = [];
            let bytes = 0;
            for (const [k, pad] of c.entries.entries()) {
              const e = entry(`c${n}-${k}`, pad);
              if (bytes + sizeOf(e) > EVENTBRIDGE_ENTRY_MAX_BYTES) break;
              entries.push(e);
              bytes += sizeOf(e);
            }
            return entries;
          });
          const all = commands.flat().map(idOf);
          const refused = new Set(refusedPicks.map((i) => all[i % all.length] ?? ''));
          const poison = new Set(poisonPicks.map((i) => all[i % all.length] ?? ''));
          const bus = fakeBus(refused, poison, () => latency);
          const send = coalescing(bus.send);
          const outcomes = await Promise.all(
            commands.map(async (entries, n) => {
              await sleep(callers[n]?.delayMs ?? 0);
              return send(new PutEventsCommand({ Entries: entries })).then(
                (out) => ({ ok: true as const, out }),
                (err: unknown) => ({ ok: false as const, err }),
              );
            }),
          );
          for (const c of bus.calls) {
            expect(c.length).toBeLessThanOrEqual(10);
            expect(c.reduce((n, e) => n + sizeOf(e), 0)).toBeLessThanOrEqual(EVENTBRIDGE_ENTRY_MAX_BYTES);
          }
          for (const [n, entries] of commands.entries()) {
            const ids = entries.map(idOf);
            // Sent once, whole and in order, inside one request.
            const carriers = bus.calls.filter((c) => c.some((e) => ids.includes(idOf(e))));
            expect(carriers).toHaveLength(1);
            const sent = (carriers[0] ?? []).map(idOf);
            const at = sent.indexOf(ids[0] ?? '');
            expect(sent.slice(at, at + ids.length)).toEqual(ids);
            const outcome = outcomes[n];
            if (sent.some((id) => poison.has(id))) {
              expect(outcome?.ok).toBe(false);
              continue;
            }
            if (!outcome?.ok) throw new Error(`caller ${n} failed without a failed request`);
            expect(outcome.out.Entries?.map((r) => r.ErrorCode)).toEqual(ids.map((id) => (refused.has(id) ? 'ThrottlingException' : undefined)));
            expect(outcome.out.FailedEntryCount).toBe(ids.filter((id) => refused.has(id)).length);
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
