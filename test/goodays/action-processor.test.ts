import { describe, expect, it } from 'vitest';
import type { GoodaysApi } from '#goodays/adapters/client.ts';
import { ConfigError, TimeBudgetError, VendorError } from '#platform/errors.ts';
import type { ActionRecord, ActionState, ActionStore, ThreadStore, UserCache } from '#goodays/use-cases/ports.ts';
import { abandonAction, processGoodaysAction } from '#goodays/use-cases/actions.ts';
import { RetryLaterError, consumeGoodaysAction } from '#goodays/use-cases/process-action.ts';
import { requestAction } from '#goodays/use-cases/operator.ts';
import { claimKeyOf, reduceThread } from '#goodays/domain/thread.ts';
import { goodaysBody } from './fixtures.ts';
import { recordingPublisher } from '#test/helpers/events.ts';

/** In-memory stores with the same conditional semantics as the DynamoDB ones. */
function fakes(initial: ActionRecord, apiBehaviour: (call: number) => Promise<void>) {
  const actions = new Map<string, ActionRecord>([[initial.actionId, initial]]);
  const claims = new Map<string, string>([[`${initial.responseId}#${claimKeyOf(initial)}`, initial.actionId]]);
  const sent: { responseId: string; action: string; payload: Record<string, unknown> }[] = [];
  const actionStore: ActionStore = {
    async get(id) {
      return actions.get(id);
    },
    async create(r) {
      if (actions.has(r.actionId)) return false;
      actions.set(r.actionId, r);
      return true;
    },
    async transition(r, from, token) {
      const cur = actions.get(r.actionId);
      if (!cur || !from.includes(cur.state) || (token !== undefined && cur.sendToken !== token)) return false;
      actions.set(r.actionId, r);
      return true;
    },
    async listForResponse(responseId) {
      return [...actions.values()].filter((a) => a.responseId === responseId);
    },
    async claim(responseId, claimKey, actionId) {
      const k = `${responseId}#${claimKey}`;
      const holder = claims.get(k);
      if (holder && holder !== actionId) return false;
      claims.set(k, actionId);
      return true;
    },
    async release(responseId, claimKey, actionId) {
      const k = `${responseId}#${claimKey}`;
      if (claims.get(k) === actionId) claims.delete(k);
    },
  };
  const threads: ThreadStore = {
    async get() {
      return undefined;
    },
    async write() {
      return true;
    },
    async list() {
      return { items: [], cursorAfter: () => '' };
    },
    async awaitingBefore() {
      return { count: 0 };
    },
  };
  const users: UserCache & { lookups: number } = {
    lookups: 0,
    async get() {
      return undefined;
    },
    async put() {},
  };
  let calls = 0;
  const api: GoodaysApi = {
    async sendAction(responseId, action, payload) {
      calls++;
      sent.push({ responseId, action, payload });
      await apiBehaviour(calls);
      return { status: 200, body: {}, text: '{}', headers: new Headers() };
    },
    async findUserId(email) {
      users.lookups++;
      return email === 'known@cs.example.com' ? 'u-1' : undefined;
    },
    async samples() {
      return [];
    },
  };
  return { actions, claims, sent, deps: { actions: actionStore, threads, users, api }, users };
}

function record(action: ActionRecord['action'], state: ActionState, extra: Partial<ActionRecord> = {}): ActionRecord {
  const body = action === 'reply' || action === 'message' ? { content: 'hello', user: 'known@cs.example.com' } : {};
  return {
    actionId: 'gda_00000000000000000000000000000001',
    responseId: 'resp1',
    action,
    body,
    operatorEmail: 'user' in body ? body.user : undefined,
    eventKey: 'response#m1',
    fingerprint: 'f',
    state,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    attempts: 0,
    ...extra,
  };
}

const delivery = (receiveCount = 1) => ({ actionId: 'gda_00000000000000000000000000000001', receiveCount, maxReceives: 5, deadline: Date.now() + 30_000 });
const ok = async () => undefined;

describe('processGoodaysAction', () => {
  it('sends an accepted reply once with the resolved user id', async () => {
    const f = fakes(record('reply', 'accepted'), ok);
    expect(await processGoodaysAction(delivery(), f.deps)).toEqual({ result: 'done', state: 'succeeded' });
    expect(f.sent).toEqual([{ responseId: 'resp1', action: 'reply', payload: { user: 'u-1', content: 'hello' } }]);
    expect(f.actions.get('gda_00000000000000000000000000000001')?.attempts).toBe(1);
    expect(await processGoodaysAction(delivery(2), f.deps)).toEqual({ result: 'done', state: 'succeeded' });
    expect(f.sent).toHaveLength(1);
  });

  it('never resends a reply found in `sending` (an earlier delivery died mid-send): it becomes unknown', async () => {
    const f = fakes(record('reply', 'sending', { sendToken: 'old', attempts: 1 }), ok);
    expect(await processGoodaysAction(delivery(2), f.deps)).toEqual({ result: 'done', state: 'unknown' });
    expect(f.sent).toHaveLength(0);
    expect(f.claims.size).toBe(1);
  });

  describe('an action another message\'s delivery is sending', () => {
    const NOW = Date.parse('2026-06-01T12:00:00.000Z');
    const held = (until: number) => record('reply', 'sending', { sendToken: 'holder', attempts: 1, sendingMessageId: 'm-holder', sendingUntil: new Date(until).toISOString() });
    const at = (f: ReturnType<typeof fakes>) => ({ ...f.deps, now: () => new Date(NOW) });
    const from = (messageId: string, receiveCount = 2) => ({ ...delivery(receiveCount), messageId });

    it('is handed back before the holder\'s invocation ends, and dropped on its own last delivery, never sent or marked', async () => {
      const f = fakes(held(NOW + 1), ok);
      expect(await processGoodaysAction(from('m-other'), at(f))).toEqual({ result: 'retry', reason: 'another delivery is sending it' });
      expect(await processGoodaysAction(from('m-other', 5), at(f))).toEqual({ result: 'done', state: 'sending' });
      expect(f.actions.get('gda_00000000000000000000000000000001')?.state).toBe('sending');
      expect(f.sent).toHaveLength(0);
    });

    it('is caught mid-send (unknown) once the holder\'s invocation has ended, or when the holder\'s own message comes back', async () => {
      const ended = fakes(held(NOW), ok);
      expect(await processGoodaysAction(from('m-other'), at(ended))).toEqual({ result: 'done', state: 'unknown' });
      const own = fakes(held(NOW + 60_000), ok);
      expect(await processGoodaysAction(from('m-holder'), at(own))).toEqual({ result: 'done', state: 'unknown' });
      // A delivery that does not know its message (or a record from before the fields) is not held elsewhere either.
      const unnamed = fakes(held(NOW + 60_000), ok);
      expect(await processGoodaysAction(delivery(2), { ...unnamed.deps, now: () => new Date(NOW) })).toEqual({ result: 'done', state: 'unknown' });
      expect([...ended.sent, ...own.sent, ...unnamed.sent]).toHaveLength(0);
    });

    it('is not made unknown by the last delivery of another message that is giving up', async () => {
      const f = fakes(held(NOW + 1), ok);
      expect(await abandonAction('gda_00000000000000000000000000000001', at(f), new Error('lost a race'), 'm-other')).toEqual({ result: 'done', state: 'sending' });
      expect(await abandonAction('gda_00000000000000000000000000000001', at(f), new Error('crashed'), 'm-holder')).toEqual({ result: 'done', state: 'unknown' });
    });

    it('keeps the holder\'s message and the end of its invocation on the record it sends', async () => {
      let seen: ActionRecord | undefined;
      const f = fakes(record('reply', 'accepted'), async () => {
        seen = f.actions.get('gda_00000000000000000000000000000001');
      });
      const endsAt = Date.now() + 45_000;
      await processGoodaysAction({ ...delivery(1), messageId: 'm-1', endsAt }, f.deps);
      expect({ state: seen?.state, sendingMessageId: seen?.sendingMessageId, sendingUntil: seen?.sendingUntil }).toEqual({ state: 'sending', sendingMessageId: 'm-1', sendingUntil: new Date(endsAt).toISOString() });
    });
  });

  it('resends a close found in `sending`: closing twice cannot reach a customer', async () => {
    const f = fakes(record('close', 'sending', { sendToken: 'old', attempts: 1 }), ok);
    expect(await processGoodaysAction(delivery(2), f.deps)).toEqual({ result: 'done', state: 'succeeded' });
    expect(f.sent).toHaveLength(1);
  });

  it('marks a reply unknown when the request may have reached Goodays', async () => {
    const f = fakes(record('reply', 'accepted'), async () => {
      throw new VendorError('timeout', 'goodays', undefined, true, true);
    });
    expect(await processGoodaysAction(delivery(), f.deps)).toEqual({ result: 'done', state: 'unknown' });
    expect(f.actions.get('gda_00000000000000000000000000000001')?.error).toMatch(/not resent/);
  });

  it('fails a 4xx with Goodays messages and frees the response', async () => {
    const f = fakes(record('spam', 'accepted'), async () => {
      throw new VendorError('400', 'goodays', 400, false, false, ['already processed']);
    });
    expect(await processGoodaysAction(delivery(), f.deps)).toEqual({ result: 'done', state: 'failed' });
    expect(f.actions.get('gda_00000000000000000000000000000001')).toMatchObject({ state: 'failed', vendorStatus: 400, vendorMessages: ['already processed'] });
    expect(f.claims.size).toBe(0);
  });

  it('hands transient failures back, and fails on the last delivery', async () => {
    const f = fakes(record('call', 'accepted'), async () => {
      throw new VendorError('503', 'goodays', 503, true, false);
    });
    expect(await processGoodaysAction(delivery(1), f.deps)).toMatchObject({ result: 'retry' });
    expect(f.actions.get('gda_00000000000000000000000000000001')?.state).toBe('retrying');
    expect(await processGoodaysAction(delivery(5), f.deps)).toEqual({ result: 'done', state: 'failed' });
    expect(f.claims.size).toBe(0);
  });

  it('fails when the operator e-mail is not a Goodays user, without calling the action', async () => {
    const f = fakes(record('reply', 'accepted', { body: { content: 'x', user: 'nobody@cs.example.com' }, operatorEmail: 'nobody@cs.example.com' }), ok);
    expect(await processGoodaysAction(delivery(), f.deps)).toEqual({ result: 'done', state: 'failed' });
    expect(f.sent).toHaveLength(0);
    expect(f.actions.get('gda_00000000000000000000000000000001')?.error).toMatch(/nobody@cs.example.com/);
  });

  it('a send that could not start in time is retried, not taken for an interrupted one (a reply is not made unknown)', async () => {
    const f = fakes(record('reply', 'accepted'), async (call) => {
      if (call === 1) throw new TimeBudgetError('goodays PUT: not started');
    });
    expect(await processGoodaysAction(delivery(1), f.deps)).toMatchObject({ result: 'retry' });
    expect(f.actions.get('gda_00000000000000000000000000000001')?.state).toBe('retrying');
    expect(await processGoodaysAction(delivery(2), f.deps)).toEqual({ result: 'done', state: 'succeeded' });
  });

  it('on the last delivery, a send that could not start in time fails the action and frees the response', async () => {
    const f = fakes(record('message', 'accepted'), async () => {
      throw new TimeBudgetError('goodays PUT: not started');
    });
    expect(await processGoodaysAction(delivery(5), f.deps)).toEqual({ result: 'done', state: 'failed' });
    expect(f.claims.size).toBe(0);
  });

  it('does nothing for a missing or finished action', async () => {
    const f = fakes(record('reply', 'failed'), ok);
    expect(await processGoodaysAction(delivery(), f.deps)).toEqual({ result: 'done', state: 'failed' });
    expect(await processGoodaysAction({ ...delivery(), actionId: 'gda_ffffffffffffffffffffffffffffffff' }, f.deps)).toEqual({ result: 'done', state: 'missing' });
    expect(f.sent).toHaveLength(0);
  });
});

describe('abandonAction (the last delivery failed with an error the processor could not classify)', () => {
  const id = 'gda_00000000000000000000000000000001';

  it.each(['accepted', 'retrying'] as const)('fails a %s action and frees the response', async (state) => {
    const f = fakes(record('reply', state), ok);
    expect(await abandonAction(id, f.deps, new Error('Missing configuration: set GOODAYS_API_TOKEN'))).toEqual({ result: 'done', state: 'failed' });
    expect(f.actions.get(id)).toMatchObject({ state: 'failed', error: expect.stringContaining('GOODAYS_API_TOKEN') });
    expect(f.claims.size).toBe(0);
  });

  it.each(['reply', 'message', 'close', 'call', 'spam'] as const)('makes a %s caught mid-send unknown (Goodays may have applied it) and keeps its claim', async (kind) => {
    const f = fakes(record(kind, 'sending', { sendToken: 't' }), ok);
    expect(await abandonAction(id, f.deps, new Error('DynamoDB throttled'))).toEqual({ result: 'done', state: 'unknown' });
    expect(f.actions.get(id)).toMatchObject({ state: 'unknown', error: expect.stringContaining('not resent') });
    expect(f.claims.size).toBe(1);
  });

  it('reads the action again when it changed meanwhile', async () => {
    const f = fakes(record('close', 'accepted'), ok);
    let first = true;
    const actions: ActionStore = {
      ...f.deps.actions,
      async transition(r, from, token) {
        if (first) {
          // Another copy of the message moved it on between the read and the write.
          first = false;
          f.actions.set(id, { ...record('close', 'retrying'), updatedAt: 'later' });
          return false;
        }
        return f.deps.actions.transition(r, from, token);
      },
    };
    expect(await abandonAction(id, { actions }, new Error('late'))).toEqual({ result: 'done', state: 'failed' });
    expect(f.claims.size).toBe(0);
  });

  it('leaves a finished action alone', async () => {
    const f = fakes(record('reply', 'succeeded'), ok);
    expect(await abandonAction(id, f.deps, new Error('late'))).toEqual({ result: 'done', state: 'succeeded' });
    expect(f.claims.size).toBe(1);
  });
});

describe('requestAction when recording the action fails', () => {
  it('releases the claim it took, so the response is not blocked for ever', async () => {
    const f = fakes(record('close', 'failed', { responseId: 'other' }), ok);
    const body = goodaysBody('response', { responseId: 'resp9' });
    const thread = reduceThread('resp9', [{ body, receivedAt: '2026-01-01T00:00:00.000Z' }]);
    const threads: ThreadStore = { ...f.deps.threads, get: async () => ({ responseId: 'resp9', version: 1, thread, awaiting: true, updatedAt: '2026-01-01T00:00:00.000Z' }) };
    let failCreate = true;
    const actions: ActionStore = {
      ...f.deps.actions,
      async create(r) {
        if (failCreate) throw new Error('ProvisionedThroughputExceededException');
        return f.deps.actions.create(r);
      },
    };
    const sent: unknown[] = [];
    const deps = { threads, actions, queue: { send: async (m: unknown) => void sent.push(m) } };
    const req = { responseId: 'resp9', action: 'reply', body: JSON.stringify({ content: 'Thanks' }), idempotencyKey: undefined };
    await expect(requestAction(req, deps)).rejects.toThrow(/ProvisionedThroughput/);
    expect([...f.claims.keys()].filter((k) => k.startsWith('resp9#'))).toEqual([]);
    failCreate = false;
    const { view } = await requestAction(req, deps);
    expect(view.state).toBe('accepted');
    expect(sent).toEqual([{ actionId: view.actionId }]);
  });

  it('keeps the claim and queues the action when DynamoDB wrote it before the call failed', async () => {
    const f = fakes(record('close', 'failed', { responseId: 'other' }), ok);
    const body = goodaysBody('response', { responseId: 'resp9' });
    const thread = reduceThread('resp9', [{ body, receivedAt: '2026-01-01T00:00:00.000Z' }]);
    const threads: ThreadStore = { ...f.deps.threads, get: async () => ({ responseId: 'resp9', version: 1, thread, awaiting: true, updatedAt: '2026-01-01T00:00:00.000Z' }) };
    const actions: ActionStore = {
      ...f.deps.actions,
      // The PutItem committed; its last SDK attempt then timed out.
      async create(r) {
        await f.deps.actions.create(r);
        throw new Error('socket hang up');
      },
    };
    const sent: unknown[] = [];
    const deps = { threads, actions, queue: { send: async (m: unknown) => void sent.push(m) } };
    const req = { responseId: 'resp9', action: 'reply', body: JSON.stringify({ content: 'Thanks' }), idempotencyKey: 'k-written' };
    const { view, replayed } = await requestAction(req, deps);
    expect(replayed).toBe(false);
    expect(view.state).toBe('accepted');
    expect(sent).toEqual([{ actionId: view.actionId }]);
    expect(f.claims.get(`resp9#${claimKeyOf({ action: 'reply', eventKey: thread.latestEventKey })}`)).toBe(view.actionId);
    // Another operator cannot reply as well.
    await expect(requestAction({ ...req, idempotencyKey: undefined, body: JSON.stringify({ content: 'Me too' }) }, { ...deps, actions: f.deps.actions })).rejects.toThrow(/already being processed|not allowed/);
  });
});

describe('consumeGoodaysAction (one delivery of an action message)', () => {
  const budget = (remainingMs: number) => ({ remainingMs: () => remainingMs, reserveMs: 5_000, requestMs: 0 });
  const ports = (
    f: ReturnType<typeof fakes>,
    sending: () => { timeoutMs: number; threads: ThreadStore; users: UserCache } = () => ({ timeoutMs: 1_500, threads: f.deps.threads, users: f.users }),
    outbound = recordingPublisher(),
  ) => ({
    settlement: () => ({ maxReceives: 5, actions: f.deps.actions }),
    sending,
    api: async () => f.deps.api,
    outbound: () => outbound,
  });
  const message = { actionId: 'gda_00000000000000000000000000000001' };

  it('sends and settles in one delivery with time for a request', async () => {
    const f = fakes(record('close', 'accepted'), ok);
    const outbound = recordingPublisher();
    await consumeGoodaysAction({ message, receiveCount: 1, budget: budget(60_000) }, ports(f, undefined, outbound));
    expect(f.actions.get(message.actionId)?.state).toBe('succeeded');
    expect(f.sent).toHaveLength(1);
    expect(outbound.events).toEqual([expect.objectContaining({ type: 'goodays.action.settled', data: expect.objectContaining({ actionId: message.actionId, outcome: 'sent', action: 'close' }) })]);
  });

  it('a delivery that died after settling, before publishing, is completed by the next: same event, nothing sent again', async () => {
    const f = fakes(record('reply', 'accepted'), ok);
    const outbound = recordingPublisher();
    outbound.failNext();
    // The publish fails after the action was settled: the record fails and SQS delivers it again.
    await expect(consumeGoodaysAction({ message, receiveCount: 1, budget: budget(60_000) }, ports(f, undefined, outbound))).rejects.toThrow(/publish failed/);
    expect(f.actions.get(message.actionId)?.state).toBe('succeeded');
    await consumeGoodaysAction({ message, receiveCount: 2, budget: budget(60_000) }, ports(f, undefined, outbound));
    await consumeGoodaysAction({ message, receiveCount: 3, budget: budget(60_000) }, ports(f, undefined, outbound));
    expect(f.sent).toHaveLength(1);
    expect(outbound.events.map((e) => e.data.outcome)).toEqual(['sent', 'sent']);
    expect(new Set(outbound.events.map((e) => e.id)).size).toBe(1);
  });

  it('hands back a delivery without time for a request before its last, sending nothing', async () => {
    const f = fakes(record('reply', 'accepted'), ok);
    await expect(consumeGoodaysAction({ message, receiveCount: 1, budget: budget(6_000) }, ports(f))).rejects.toBeInstanceOf(TimeBudgetError);
    expect(f.actions.get(message.actionId)?.state).toBe('accepted');
    expect(f.sent).toHaveLength(0);
  });

  it('on the last delivery, a setting that cannot be read fails the action and frees the response instead of leaving it stuck', async () => {
    const f = fakes(record('reply', 'accepted'), ok);
    const unreadable = () => {
      throw new ConfigError('Invalid configuration GOODAYS_TIMEOUT_MS="soon"');
    };
    await expect(consumeGoodaysAction({ message, receiveCount: 1, budget: budget(60_000) }, ports(f, unreadable))).rejects.toBeInstanceOf(ConfigError);
    expect(f.actions.get(message.actionId)?.state).toBe('accepted');
    await consumeGoodaysAction({ message, receiveCount: 5, budget: budget(60_000) }, ports(f, unreadable));
    expect(f.actions.get(message.actionId)).toMatchObject({ state: 'failed', error: expect.stringMatching(/GOODAYS_TIMEOUT_MS/) });
    expect(f.claims.size).toBe(0);
    expect(f.sent).toHaveLength(0);
  });

  it('hands a transient failure back as a RetryLaterError (not a failure) before the last delivery', async () => {
    const f = fakes(record('close', 'accepted'), async () => {
      throw new VendorError('Goodays 500', 'goodays', 500, true, false);
    });
    await expect(consumeGoodaysAction({ message, receiveCount: 1, budget: budget(60_000) }, ports(f))).rejects.toBeInstanceOf(RetryLaterError);
    expect(f.actions.get(message.actionId)?.state).toBe('retrying');
  });
});
