import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Cursor } from '#platform/cursor-store.ts';
import { ConflictError, NotFoundError, ValidationError } from '#platform/errors.ts';
import type { OperationsPorts, StoredCursor } from '#platform/operations.ts';
import { listStreams, moveStream, operatorOf } from '#platform/operations.ts';
import type { AuditRecordView } from '#platform/operator-views.ts';

/** The stream moves over in-memory ports that keep the cursor store's condition (the version). */
function world(initial: Record<string, string>, opts: { raceOnce?: boolean } = {}) {
  const cursors = new Map<string, Cursor>(Object.entries(initial).map(([name, value]) => [name, { name, value, version: 1, updatedAt: '2026-11-01T00:00:00.000Z' }]));
  const audit: AuditRecordView[] = [];
  let race = opts.raceOnce ?? false;
  const ports = {
    operations: { queues: [], schedules: [], webhooks: [], streams: [{ prefix: 'acme:items:', positionField: 'mark', description: 'd', poller: 'acme-poller' }] },
    cursors: {
      get: async (name: string) => cursors.get(name),
      async move(name: string, expected: Cursor | undefined, value: string) {
        // A poller run moves it first, once.
        if (race) {
          race = false;
          const c = cursors.get(name);
          if (c) cursors.set(name, { ...c, version: c.version + 1 });
        }
        const c = cursors.get(name);
        if ((c?.version ?? 0) !== (expected?.version ?? 0)) return false;
        cursors.set(name, { name, value, version: (c?.version ?? 0) + 1, updatedAt: 'now' });
        return true;
      },
      all: async (): Promise<StoredCursor[]> => [...cursors.values()],
    },
    audit: { add: async (r: AuditRecordView) => void audit.push(r), latest: async () => [...audit].reverse() },
    now: () => new Date('2026-12-01T00:00:00Z'),
  } as unknown as OperationsPorts;
  return { ports, cursors, audit };
}

describe('poller streams', () => {
  it('reads a position from JSON or from a plain time (an older cursor), and lists only declared streams', async () => {
    const { ports } = world({ 'acme:items:a': '{"mark":"2026-10-01T00:00:00Z","ids":["1"]}', 'acme:items:b': '2026-09-01T00:00:00Z', 'other:x': '{"mark":"2026-01-01T00:00:00Z"}' });
    const page = await listStreams(ports);
    expect(page.items.map((s) => [s.name, s.position])).toEqual([
      ['acme:items:a', '2026-10-01T00:00:00.000Z'],
      ['acme:items:b', '2026-09-01T00:00:00.000Z'],
    ]);
  });

  it('a backfill goes only back, a reset anywhere up to now; each change is one audit record', async () => {
    const { ports, cursors, audit } = world({ 'acme:items:a': '{"mark":"2026-10-01T00:00:00Z","ids":["1"]}' });
    await expect(moveStream(ports, 'acme:items:a', { from: '2026-10-01T00:00:00Z' }, 'backfill', 'ann')).rejects.toBeInstanceOf(ConflictError);
    await expect(moveStream(ports, 'acme:items:a', { from: '2027-01-01T00:00:00Z' }, 'reset', 'ann')).rejects.toBeInstanceOf(ValidationError);
    const back = await moveStream(ports, 'acme:items:a', { from: '2026-09-30T22:00:00-01:00' }, 'backfill', 'ann');
    expect(back).toEqual({ stream: 'acme:items:a', at: '2026-12-01T00:00:00.000Z', who: 'ann', action: 'backfill', from: '2026-10-01T00:00:00.000Z', to: '2026-09-30T23:00:00.000Z' });
    // The stored value is the poller's own shape: the position field alone (its other state starts afresh).
    expect(cursors.get('acme:items:a')?.value).toBe('{"mark":"2026-09-30T23:00:00.000Z"}');
    expect(audit).toHaveLength(1);
    await expect(moveStream(ports, 'acme:items:nope', { from: '2026-01-01T00:00:00Z' }, 'reset', 'ann')).rejects.toBeInstanceOf(NotFoundError);
    await expect(moveStream(ports, 'other:x', { from: '2026-01-01T00:00:00Z' }, 'reset', 'ann')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a poller run moving the stream at the same moment wins: 409, nothing written, no audit record', async () => {
    const { ports, cursors, audit } = world({ 'acme:items:a': '{"mark":"2026-10-01T00:00:00Z"}' }, { raceOnce: true });
    await expect(moveStream(ports, 'acme:items:a', { from: '2026-01-01T00:00:00Z' }, 'reset', 'ann')).rejects.toThrow(/moved this stream at the same moment/);
    expect(cursors.get('acme:items:a')?.value).toBe('{"mark":"2026-10-01T00:00:00Z"}');
    expect(audit).toEqual([]);
  });

  it('any accepted move lands exactly where asked, and the audit says from where', async () => {
    await fc.assert(
      fc.asyncProperty(fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2026-11-30T00:00:00Z'), noInvalidDate: true }), async (d) => {
        const { ports, cursors } = world({ 'acme:items:a': '{"mark":"2026-10-01T00:00:00Z"}' });
        const r = await moveStream(ports, 'acme:items:a', { from: d.toISOString() }, 'reset', 'x');
        expect(r).toMatchObject({ from: '2026-10-01T00:00:00.000Z', to: d.toISOString() });
        expect(JSON.parse(cursors.get('acme:items:a')?.value ?? '{}')).toEqual({ mark: d.toISOString() });
      }),
      { numRuns: 50 },
    );
  });
});

describe('who is acting', () => {
  it('is X-Operator, else the token label; a bad header is a 400 naming it', () => {
    expect(operatorOf({})).toBe('operator');
    expect(operatorOf({ 'x-operator': ' ann ' })).toBe('ann');
    for (const bad of ['', '   ', 'é', 'x'.repeat(129), 'a\nb']) expect(() => operatorOf({ 'x-operator': bad })).toThrow(ValidationError);
  });
});
