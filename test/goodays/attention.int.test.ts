import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attentionIndexes } from '#infra/topology/index.ts';
import { ATTENTION_ATTRIBUTE, ATTENTION_SINCE_ATTRIBUTE, OUTCOME_UNKNOWN } from '#goodays/domain/attention.ts';
import type { ActionRecord, ActionState, ActionStore } from '#goodays/use-cases/ports.ts';
import type { AttentionCounter } from '#platform/operations.ts';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';

/**
 * The actions table's sparse attention index: whatever sequence of transitions the hub's use cases
 * make (in any order, repeated, from stale reads that the conditional write refuses), an action item
 * carries the attention attribute exactly when its state is `unknown`, and the operator's count (a
 * Query on the index) is the number of unknown actions, its oldest the earliest of them.
 */

let aws: TestAws<'goodays-actions'>;
let store: ActionStore;
let count: (tableOf: (table: string) => string) => AttentionCounter;

beforeAll(async () => {
  aws = await startTestAws({ tables: ['goodays-actions'] });
  // After the harness: the AWS clients are made at import, pointed at its emulators.
  store = (await import('#goodays/adapters/store.ts')).dynamoActionStore(aws.tableName('goodays-actions'));
  count = (await import('#platform/operator-routes.ts')).dynamoAttention;
}, 60_000);
afterAll(async () => {
  await aws?.stop();
});

/** The moves the use cases make: claim, send outcomes, retry, a person's resolution, a late success, a queueing failure. */
const MOVES: readonly (readonly [ActionState, ActionState])[] = [
  ['accepted', 'sending'],
  ['accepted', 'failed'],
  ['sending', 'succeeded'],
  ['sending', 'failed'],
  ['sending', 'retrying'],
  ['sending', 'unknown'],
  ['retrying', 'sending'],
  ['retrying', 'failed'],
  ['unknown', 'succeeded'],
  ['unknown', 'failed'],
];

const Step = fc.record({
  action: fc.integer({ min: 0, max: 2 }),
  // Which of the moves out of the state as read (so most steps move; a stale read's write is refused).
  move: fc.nat({ max: 9 }),
  // From a read made some steps ago (the write's condition is then on that old state).
  stale: fc.integer({ min: 0, max: 3 }),
});

function record(actionId: string, at: string): ActionRecord {
  return { actionId, responseId: `r-${actionId}`, action: 'reply', body: { content: 'Thank you' }, eventKey: null, fingerprint: 'f', state: 'accepted', createdAt: at, updatedAt: at, attempts: 0 };
}

const raw = async (actionId: string) => (await aws.doc.send(new GetCommand({ TableName: aws.tableName('goodays-actions'), Key: { actionId }, ConsistentRead: true }))).Item;

describe('the attention index of Goodays actions', () => {
  it('is declared once, on goodays-actions, with the reason the store writes', () => {
    expect(attentionIndexes()).toEqual([expect.objectContaining({ table: 'goodays-actions', partitionKey: ATTENTION_ATTRIBUTE, sortKey: ATTENTION_SINCE_ATTRIBUTE, reason: OUTCOME_UNKNOWN })]);
  });

  it('holds an action exactly while its state is unknown, whatever the sequence of transitions', async () => {
    const decl = attentionIndexes()[0];
    if (!decl) throw new Error('no attention index');
    const tables = (t: string) => (t === 'goodays-actions' ? aws.tableName('goodays-actions') : t);
    let run = 0;
    const reached = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(Step, { minLength: 1, maxLength: 25 }), async (steps) => {
        run++;
        const ids = [0, 1, 2].map((i) => `run${run}-${i}-${Math.random().toString(36).slice(2, 8)}`);
        let clock = Date.parse('2026-11-01T00:00:00Z') + run * 86_400_000;
        const tick = () => new Date((clock += 1000)).toISOString();
        const reads = new Map<string, ActionRecord[]>();
        for (const id of ids) {
          const r = record(id, tick());
          expect(await store.create(r)).toBe(true);
          reads.set(id, [r]);
        }
        for (const s of steps) {
          reached.add(`${(reads.get(ids[s.action] as string) ?? []).at(-1)?.state ?? ''}`);
          const id = ids[s.action] as string;
          const history = reads.get(id) ?? [];
          const seen = history[Math.max(0, history.length - 1 - s.stale)] as ActionRecord;
          const out = MOVES.filter(([f]) => f === seen.state);
          if (out.length === 0) continue;
          const [from, to] = out[s.move % out.length] as readonly [ActionState, ActionState];
          await store.transition({ ...seen, state: to, updatedAt: tick(), attempts: seen.attempts + 1 }, [from]);
          const now = await store.get(id);
          if (now) history.push(now);
          if (now) reached.add(now.state);
          const item = await raw(id);
          expect(item?.state === 'unknown').toBe(item?.[ATTENTION_ATTRIBUTE] === OUTCOME_UNKNOWN);
          expect(item?.state === 'unknown' ? item[ATTENTION_SINCE_ATTRIBUTE] : undefined).toBe(item?.state === 'unknown' ? item.updatedAt : undefined);
          if (item?.state !== 'unknown') expect(item).not.toHaveProperty(ATTENTION_ATTRIBUTE);
        }
        // The count over the whole table: this run's unknown actions plus those earlier runs left.
        const items = await aws.scan('goodays-actions');
        const unknown = items.filter((i) => i.state === 'unknown');
        expect(items.filter((i) => ATTENTION_ATTRIBUTE in i).length).toBe(unknown.length);
        const counted = await count(tables)(decl);
        expect(counted.count).toBe(unknown.length);
        expect(counted.oldestAt).toBe(unknown.length ? (unknown.map((i) => String(i.updatedAt)).sort()[0] ?? null) : null);
      }),
      {
        numRuns: 25,
        // fast-check leans to small numbers (the first move out of a state): one walk that reaches
        // every state is always among the runs, so the check below never depends on the seed.
        examples: [
          [
            [
              { action: 0, move: 0, stale: 0 }, // accepted -> sending
              { action: 0, move: 2, stale: 0 }, // sending -> retrying
              { action: 0, move: 0, stale: 0 }, // retrying -> sending
              { action: 0, move: 3, stale: 0 }, // sending -> unknown
              { action: 0, move: 0, stale: 0 }, // unknown -> succeeded
              { action: 1, move: 1, stale: 0 }, // accepted -> failed
              { action: 2, move: 0, stale: 0 }, // accepted -> sending
              { action: 2, move: 3, stale: 0 }, // sending -> unknown
              { action: 2, move: 1, stale: 0 }, // unknown -> failed
            ],
          ],
        ],
      },
    );
    // The runs went through every state (the property saw unknown actions come and go).
    expect([...reached].sort()).toEqual(['accepted', 'failed', 'retrying', 'sending', 'succeeded', 'unknown']);
  }, 120_000);

  it("takes the README's update for actions that became unknown before the index: counted after, and a resolved one left alone", async () => {
    const decl = attentionIndexes()[0];
    if (!decl) throw new Error('no attention index');
    const table = aws.tableName('goodays-actions');
    const before = (await count(() => table)(decl)).count;
    // Written by an older version: unknown, without the attribute; and one resolved since the scan.
    const old = { ...record('old-unknown', '2026-10-01T00:00:00.000Z'), state: 'unknown', updatedAt: '2026-10-01T00:05:00.000Z' };
    await aws.doc.send(new PutCommand({ TableName: table, Item: old }));
    await aws.doc.send(new PutCommand({ TableName: table, Item: { ...record('old-resolved', '2026-10-01T00:00:00.000Z'), state: 'succeeded' } }));
    // The README's `aws dynamodb update-item`, the same expressions.
    const readmeUpdate = (actionId: string) =>
      aws.doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { actionId },
          UpdateExpression: 'SET attention = :r, attentionSince = updatedAt',
          ConditionExpression: '#s = :u',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':r': 'outcome-unknown', ':u': 'unknown' },
        }),
      );
    await readmeUpdate('old-unknown');
    await expect(readmeUpdate('old-resolved')).rejects.toThrow(/conditional/i);
    const counted = await count(() => table)(decl);
    expect(counted.count).toBe(before + 1);
    expect(counted.oldestAt).toBe('2026-10-01T00:05:00.000Z');
    expect(await raw('old-resolved')).not.toHaveProperty(ATTENTION_ATTRIBUTE);
  });
});
