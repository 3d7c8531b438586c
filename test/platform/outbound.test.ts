import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DeliveryRetryError, consumeDelivery } from '#platform/outbound/consume.ts';
import type { AttemptState } from '#platform/outbound/deliveries-store.ts';
import { deliverEvent, signatureHeaders, webhookBody, type PostOutcome } from '#platform/outbound/delivery.ts';
import { EVENTBRIDGE_ENTRY_MAX_BYTES, defineEvent, entryBytes, eventId } from '#platform/outbound/event.ts';
import { httpPost } from '#platform/outbound/http-post.ts';
import { PublishError, eventBridgePublisher } from '#platform/outbound/publisher.ts';
import { MAX_VISIBILITY_SECONDS, minimumRetryWindowSeconds, retryDelaySeconds } from '#platform/outbound/retry.ts';
import { isBlockedAddress, matches, parseSubscriptions, urlProblem } from '#platform/outbound/subscriptions.ts';
import { SUBSCRIPTION_QUEUE } from '#infra/topology/platform.ts';
import { newWebhookSecret } from '#test/helpers/receiver.ts';

const sample = defineEvent({
  type: 'acme.thing.stored',
  version: 1,
  description: 'test',
  key: z.object({ thingId: z.string() }),
  body: z.object({ text: z.string() }),
  href: (k) => `/acme/things/${k.thingId}`,
  subject: (k) => `acme:thing:${k.thingId}`,
});
const make = (thingId: string, text = 'hello') => sample.make({ idParts: [thingId], key: { thingId }, body: { text }, time: '2026-01-02T03:04:05+01:00' });

describe('events', () => {
  it('have stable ids: the same change gives the same id, another change another, parts cannot run together', () => {
    expect(make('1').id).toBe(make('1', 'other text').id);
    expect(make('1').id).not.toBe(make('2').id);
    expect(eventId('t', ['ab', 'c'])).not.toBe(eventId('t', ['a', 'bc']));
    expect(eventId('t', ['a'])).not.toBe(eventId('u', ['a']));
    expect(make('1').id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(make('1')).toMatchObject({ type: 'acme.thing.stored', version: 1, time: '2026-01-02T02:04:05.000Z', subject: 'acme:thing:1', data: { thingId: '1', text: 'hello' } });
  });

  it('over the 256 KB entry limit carry the key and a reference instead of the body, and both shapes are the published schema', () => {
    const big = make('9', 'x'.repeat(EVENTBRIDGE_ENTRY_MAX_BYTES));
    expect(big.data).toEqual({ thingId: '9', omitted: true, href: '/acme/things/9' });
    expect(big.id).toBe(make('9').id);
    expect(entryBytes('switchboard.acme', big.type, JSON.stringify(big))).toBeLessThan(EVENTBRIDGE_ENTRY_MAX_BYTES);
    expect(sample.published.safeParse(big.data).success).toBe(true);
    expect(sample.published.safeParse(make('9').data).success).toBe(true);
    expect(sample.published.safeParse({ thingId: '9' }).success).toBe(false);
    // Just under the limit stays whole.
    const room = EVENTBRIDGE_ENTRY_MAX_BYTES - entryBytes('switchboard.acme', 'acme.thing.stored', JSON.stringify(make('9', ''))) - 1;
    expect(make('9', 'y'.repeat(room)).data.text).toHaveLength(room);
  });
});

describe('the EventBridge publisher', () => {
  type Sent = { Entries: { Detail?: string; Source?: string; DetailType?: string; EventBusName?: string }[] };
  const fake = (answer: (entries: Sent['Entries'], call: number) => { FailedEntryCount?: number; Entries?: { ErrorCode?: string }[] } | Error) => {
    const calls: Sent['Entries'][] = [];
    return {
      calls,
      send: async (command: PutEventsCommand) => {
        const entries = (command.input as Sent).Entries;
        calls.push(entries);
        const out = answer(entries, calls.length);
        if (out instanceof Error) throw out;
        return out;
      },
    };
  };
  const noSleep = { baseMs: 1, sleep: async () => undefined };

  it('sends requests of at most 10 entries and 256 KB, with source, detail-type and the event as detail', async () => {
    const f = fake(() => ({ FailedEntryCount: 0, Entries: [] }));
    const events = [...Array.from({ length: 23 }, (_, i) => make(String(i))), make('a', 'z'.repeat(200_000)), make('b', 'z'.repeat(200_000))];
    await eventBridgePublisher('bus', { send: f.send, ...noSleep }).publish(events);
    expect(f.calls.flat()).toHaveLength(25);
    for (const c of f.calls) {
      expect(c.length).toBeLessThanOrEqual(10);
      expect(c.reduce((n, e) => n + entryBytes(e.Source ?? '', e.DetailType ?? '', e.Detail ?? ''), 0)).toBeLessThanOrEqual(EVENTBRIDGE_ENTRY_MAX_BYTES);
    }
    expect(f.calls[0]?.[0]).toMatchObject({ EventBusName: 'bus', Source: 'switchboard.acme', DetailType: 'acme.thing.stored' });
    expect(JSON.parse(f.calls[0]?.[0]?.Detail ?? '{}')).toEqual(events[0]);
  });

  it('retries only the entries the bus refused, and failed requests, then gives up with PublishError', async () => {
    const f = fake((entries, call) => (call === 1 ? { FailedEntryCount: 1, Entries: entries.map((_, i) => (i === 1 ? { ErrorCode: 'ThrottlingException' } : {})) } : call === 2 ? new Error('socket hang up') : { FailedEntryCount: 0, Entries: [] }));
    await eventBridgePublisher('bus', { send: f.send, ...noSleep }).publish([make('1'), make('2'), make('3')]);
    expect(f.calls.map((c) => c.length)).toEqual([3, 1, 1]);
    expect(JSON.parse(f.calls[1]?.[0]?.Detail ?? '{}')).toMatchObject({ data: { thingId: '2' } });
    const down = fake(() => new Error('unavailable'));
    await expect(eventBridgePublisher('bus', { send: down.send, ...noSleep }).publish([make('1')])).rejects.toBeInstanceOf(PublishError);
    expect(down.calls).toHaveLength(4);
  });
});

describe('the delivery back-off', () => {
  const policy = { baseSeconds: 60, capSeconds: 6 * 3600 };
  it('keeps a failing event for at least 24 hours before the DLQ, whatever the jitter', () => {
    expect(minimumRetryWindowSeconds(SUBSCRIPTION_QUEUE.maxReceiveCount, policy)).toBeGreaterThanOrEqual(24 * 3600);
    let total = 0;
    for (let n = 1; n < SUBSCRIPTION_QUEUE.maxReceiveCount; n++) total += retryDelaySeconds(n, policy, undefined, () => 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
  });
  it('doubles with jitter within [half, whole] of each step, honours Retry-After, and stays within SQS visibility', () => {
    expect(retryDelaySeconds(1, policy, undefined, () => 0)).toBe(30);
    expect(retryDelaySeconds(1, policy, undefined, () => 0.999999)).toBe(60);
    expect(retryDelaySeconds(3, policy, undefined, () => 0.5)).toBe(180);
    expect(retryDelaySeconds(30, policy, undefined, () => 1)).toBe(6 * 3600);
    expect(retryDelaySeconds(1, policy, 600, () => 0)).toBe(600);
    expect(retryDelaySeconds(1, policy, 10 ** 9, () => 0)).toBe(MAX_VISIBILITY_SECONDS);
  });
});

describe('subscriptions', () => {
  const secret = newWebhookSecret();
  it('are read by one schema: unknown types, duplicate ids, bad secrets and URLs are refused, each named', () => {
    const ok = parseSubscriptions(JSON.stringify([{ id: 'crm', url: 'https://hooks.example.com/in', secret, events: ['a.b.c'] }]), { knownTypes: ['a.b.c'], requireHttps: true, requireSecret: true });
    expect(ok).toHaveLength(1);
    const bad = () =>
      parseSubscriptions(
        JSON.stringify([
          { id: 'x', url: 'http://hooks.example.com/in', secret, events: ['nope.type'] },
          { id: 'y', url: 'https://169.254.169.254/latest', events: ['*'] },
        ]),
        { knownTypes: ['a.b.c'], requireHttps: true, requireSecret: true },
      );
    expect(bad).toThrow(/x: unknown event type nope\.type.*x: url must be https.*y: url address 169\.254\.169\.254.*y: secret is required/);
    expect(() => parseSubscriptions('[{"id":"a","url":"https://h.example","secret":"whsec_c2hvcnQ=","events":["*"]}]', { requireHttps: true, requireSecret: true })).toThrow(/24 to 64 bytes/);
    expect(() => parseSubscriptions('[{"id":"a","url":"https://h.example","events":["*"]},{"id":"a","url":"https://h.example","events":["*"]}]', { requireHttps: true, requireSecret: false })).toThrow(/used twice/);
    expect(matches({ events: ['*'] }, 'x.y.z')).toBe(true);
    expect(matches({ events: ['a.b.c'] }, 'x.y.z')).toBe(false);
  });

  it('may not point at loopback, link-local, private or metadata addresses on AWS (SSRF)', () => {
    for (const url of [
      'https://127.0.0.1/x',
      'https://2130706433/x',
      'https://[::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://169.254.169.254/latest/meta-data',
      'https://[fd00:ec2::254]/',
      'https://10.1.2.3/',
      'https://192.168.0.1/',
      'https://172.20.0.1/',
      'https://localhost/',
      'https://api.localhost/',
      'https://metadata.google.internal/',
      'https://0.0.0.0/',
    ])
      expect({ url, problem: urlProblem(url, { requireHttps: true }) }).toEqual({ url, problem: expect.stringMatching(/not allowed/) });
    expect(urlProblem('https://user:pw@hooks.example.com/', { requireHttps: true })).toMatch(/credentials/);
    expect(urlProblem('ftp://hooks.example.com/', { requireHttps: false })).toMatch(/http or https/);
    expect(urlProblem('https://hooks.example.com/in?token=1', { requireHttps: true })).toBeUndefined();
    expect(urlProblem('http://127.0.0.1:3001/in', { requireHttps: false })).toBeUndefined();
    expect(isBlockedAddress('93.184.216.34')).toBe(false);
    expect(isBlockedAddress('2606:2800:220:1::')).toBe(false);
  });
});

describe('a delivery', () => {
  const event = make('42');
  const retry = { baseSeconds: 60, capSeconds: 3600 };
  const deliver = (post: () => Promise<PostOutcome>, receiveCount = 1) => deliverEvent({ event, url: 'https://h.example/in', secrets: [newWebhookSecret()], receiveCount }, { post, retry, timeoutMs: 1000, random: () => 0 });

  it('is signed as Standard Webhooks define it: standardwebhooks verifies it with each secret of a rotation', () => {
    const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
    const body = webhookBody(event);
    const headers = signatureHeaders(event, body, [newSecret, oldSecret], new Date());
    expect(headers['webhook-id']).toBe(event.id);
    expect((headers['webhook-signature'] ?? '').split(' ')).toHaveLength(2);
    for (const s of [oldSecret, newSecret]) expect(new Webhook(s).verify(body, headers)).toEqual({ type: event.type, timestamp: event.time, data: event.data });
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(newSecret).verify(body.replace('hello', 'hullo'), headers)).toThrow();
  });

  it('retries 408, 429 and 5xx and timeouts (Retry-After honoured), and stops at any other answer', async () => {
    const answered = (status: number, retryAfter?: string) => async (): Promise<PostOutcome> => ({ kind: 'answered', status, retryAfter: retryAfter ?? null });
    expect(await deliver(answered(204))).toEqual({ result: 'delivered', status: 204 });
    expect(await deliver(answered(500))).toEqual({ result: 'retry', status: '500', delaySeconds: 30 });
    expect(await deliver(answered(408), 3)).toEqual({ result: 'retry', status: '408', delaySeconds: 120 });
    expect(await deliver(answered(429, '900'))).toEqual({ result: 'retry', status: '429', delaySeconds: 900 });
    expect(await deliver(async () => ({ kind: 'failed', error: 'timeout', message: 'x' }))).toMatchObject({ result: 'retry', status: 'timeout' });
    for (const s of [400, 401, 404, 410, 301]) expect(await deliver(answered(s))).toEqual({ result: 'rejected', status: String(s) });
    expect(await deliver(async () => ({ kind: 'failed', error: 'address-refused', message: 'x' }))).toMatchObject({ result: 'rejected' });
  });

  it('refuses blocked addresses at connect time when guarded: a name resolving to loopback, and a literal', async () => {
    const server = createServer((_, res) => res.writeHead(200).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(await httpPost({ guardAddresses: true })(`http://localhost:${port}/`, '{}', {}, 2000)).toMatchObject({ kind: 'failed', error: 'address-refused' });
      expect(await httpPost({ guardAddresses: true })(`http://127.0.0.1:${port}/`, '{}', {}, 2000)).toMatchObject({ kind: 'failed', error: 'address-refused' });
      expect(await httpPost({ guardAddresses: false })(`http://127.0.0.1:${port}/`, '{}', {}, 2000)).toEqual({ kind: 'answered', status: 200, retryAfter: null });
    } finally {
      server.close();
    }
  });

  it('from its queue: a retry delays the message and hands it back; the last one and a refusal keep it in the DLQ', async () => {
    const calls: string[] = [];
    const states: AttemptState[] = [];
    const ports = (status: number) => ({
      target: () => ({ subscription: { id: 'crm', url: 'https://h.example/in', events: ['*'] }, queue: { id: 'crm', queueArn: 'arn', queueUrl: 'q', dlqUrl: 'dlq' }, secrets: async () => [newWebhookSecret()] }),
      post: async (): Promise<PostOutcome> => ({ kind: 'answered', status }),
      records: { recordAttempt: async (_s: string, _e: unknown, state: AttemptState) => void states.push(state), summary: async () => ({}) },
      queue: { delay: async (url: string, _r: string, s: number) => void calls.push(`delay ${url} ${s}`), deadLetter: async (url: string) => void calls.push(`dlq ${url}`) },
      maxReceives: 3,
      retry: { baseSeconds: 1, capSeconds: 2 },
      timeoutMs: 1000,
    });
    const record = (n: number) => ({ eventSourceARN: 'arn', receiptHandle: 'r', body: '{}', attributes: { ApproximateReceiveCount: String(n) } as never });
    const message = { 'detail-type': event.type, source: 'switchboard.acme', detail: event };
    await expect(consumeDelivery(message, record(1), ports(503))).rejects.toBeInstanceOf(DeliveryRetryError);
    expect(await consumeDelivery(message, record(3), ports(503))).toBe('dead-lettered');
    expect(await consumeDelivery(message, record(1), ports(404))).toBe('rejected');
    expect(await consumeDelivery(message, record(2), ports(200))).toBe('delivered');
    expect(calls).toEqual([expect.stringMatching(/^delay q [12]$/), 'dlq dlq', 'dlq dlq']);
    expect(states).toEqual(['retrying', 'dead-lettered', 'rejected', 'delivered']);
  });
});
