import { describe, expect, it } from 'vitest';
import { goodaysPayload, remarkTypeRequired, validateActionBody } from '#goodays/domain/actions.ts';
import type { ActionKind } from '#goodays/domain/events.ts';
import { goodaysClient, goodaysUrl, samplesOf } from '#goodays/adapters/client.ts';

const ok = (action: ActionKind, body: unknown, source: string | null = 'email') => validateActionBody(action, body, source);

describe('action bodies', () => {
  it('reply: content required and not blank; user is an e-mail; remark_type from the list', () => {
    expect(ok('reply', { content: 'Thank you', user: 'op@cs.example.com', remark_type: 'Problem' })).toMatchObject({ ok: true });
    expect(ok('reply', { content: 'Thank you' })).toMatchObject({ ok: true });
    expect(ok('reply', {})).toMatchObject({ ok: false });
    expect(ok('reply', { content: '   ' })).toMatchObject({ ok: false });
    expect(ok('reply', { content: 'x'.repeat(5001) })).toMatchObject({ ok: false });
    expect(ok('reply', { content: 'hi', user: '1a2b3c4' })).toMatchObject({ ok: false });
    expect(ok('reply', { content: 'hi', remark_type: 'Complaint' })).toMatchObject({ ok: false });
    expect(ok('reply', { content: 'hi', remarkType: 'Problem' })).toMatchObject({ ok: false });
  });

  it('message: content and the operator are required', () => {
    expect(ok('message', { content: 'Until 19/03', user: 'op@cs.example.com' })).toMatchObject({ ok: true });
    expect(ok('message', { content: 'Until 19/03' })).toMatchObject({ ok: false });
    expect(ok('message', { user: 'op@cs.example.com' })).toMatchObject({ ok: false });
  });

  it('call: rating is an integer 0-5, note optional', () => {
    expect(ok('call', {})).toMatchObject({ ok: true });
    expect(ok('call', { rating: 0, note: 'misunderstanding' })).toMatchObject({ ok: true });
    expect(ok('call', { rating: 5 })).toMatchObject({ ok: true });
    expect(ok('call', { rating: 6 })).toMatchObject({ ok: false });
    expect(ok('call', { rating: -1 })).toMatchObject({ ok: false });
    expect(ok('call', { rating: 2.5 })).toMatchObject({ ok: false });
    expect(ok('call', { rating: '5' })).toMatchObject({ ok: false });
    expect(ok('call', { note: 'x'.repeat(2001) })).toMatchObject({ ok: false });
    expect(ok('call', { content: 'no text on a call' })).toMatchObject({ ok: false });
  });

  it('close and spam take only the operator (and close a remark_type)', () => {
    expect(ok('close', undefined)).toMatchObject({ ok: true });
    expect(ok('close', { remark_type: 'Idea' })).toMatchObject({ ok: true });
    expect(ok('spam', {})).toMatchObject({ ok: true });
    expect(ok('spam', { remark_type: 'Idea' })).toMatchObject({ ok: false });
    expect(ok('spam', 'junk')).toMatchObject({ ok: false });
  });

  it('remark_type is required when the source is not Goodays (e.g. Google reviews)', () => {
    expect(remarkTypeRequired('reply', 'google')).toBe(true);
    expect(remarkTypeRequired('reply', 'email')).toBe(false);
    expect(remarkTypeRequired('spam', 'google')).toBe(false);
    expect(ok('reply', { content: 'Thanks' }, 'google')).toMatchObject({ ok: false, issues: [{ name: 'body.remark_type', detail: expect.stringContaining('required') }] });
    expect(ok('reply', { content: 'Thanks', remark_type: 'Message' }, 'google')).toMatchObject({ ok: true });
    expect(ok('message', { content: 'x', user: 'op@cs.example.com' }, 'Google')).toMatchObject({ ok: false });
    expect(ok('close', {}, 'google')).toMatchObject({ ok: false });
    expect(ok('call', {}, 'google')).toMatchObject({ ok: true });
    expect(validateActionBody('reply', { content: 'x' }, 'tripadvisor', ['tripadvisor'])).toMatchObject({ ok: true });
  });

  it('sends Goodays the user id in place of the e-mail', () => {
    expect(goodaysPayload({ content: 'hi', user: 'op@cs.example.com', remark_type: 'Praise' }, '1a2b3c4')).toEqual({ user: '1a2b3c4', content: 'hi', remark_type: 'Praise' });
    expect(goodaysPayload({ rating: 3 }, undefined)).toEqual({ rating: 3 });
  });
});

describe('Goodays client', () => {
  it('builds URLs from the configured base only, encoding every segment', () => {
    expect(goodaysUrl('https://api.goodays.co/v2', ['responses', 'vdOpL1NJ74l', 'reply']).href).toBe('https://api.goodays.co/v2/responses/vdOpL1NJ74l/reply');
    expect(goodaysUrl('https://api.goodays.co/v2/', ['users'], { email: 'a+b@x.com' }).href).toBe('https://api.goodays.co/v2/users?email=a%2Bb%40x.com');
    expect(goodaysUrl('http://127.0.0.1:9/v2', ['responses', '../x']).pathname).toBe('/v2/responses/..%2Fx');
  });

  it('sends Authorization: <token> without Bearer, with PUT and JSON, and refuses ids that are not ids', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetchImpl = async (url: URL, init: RequestInit) => {
      calls.push({ url: url.href, init });
      return new Response('{"id":"ok"}', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const client = goodaysClient({ baseUrl: 'https://api.goodays.co/v2', token: 'tok123', fetchImpl });
    await client.sendAction('vdOpL1NJ74l', 'close', { user: '1' }, { maxAttempts: 1 });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('https://api.goodays.co/v2/responses/vdOpL1NJ74l/close');
    expect(calls[0]?.init.method).toBe('PUT');
    expect((calls[0]?.init.headers as Record<string, string>).authorization).toBe('tok123');
    expect(calls[0]?.init.body).toBe('{"user":"1"}');
    await expect(client.sendAction('https://evil.example/x', 'reply', {}, { maxAttempts: 1 })).rejects.toThrow();
    await expect(client.sendAction('abc', 'delete' as ActionKind, {}, { maxAttempts: 1 })).rejects.toThrow();
    expect(calls).toHaveLength(1);
  });

  it('finds a user id in the shapes a users endpoint may answer with', async () => {
    for (const body of [
      { count: 1, results: [{ id: '1a2b3c4', email: 'Op@CS.example.com' }] },
      [{ id: 42, email: 'op@cs.example.com' }],
      { data: [{ id: 'u1', email: 'op@cs.example.com' }] },
    ]) {
      const client = goodaysClient({ baseUrl: 'https://api.goodays.co/v2', token: 't', fetchImpl: async () => new Response(JSON.stringify(body), { status: 200 }) });
      expect(await client.findUserId('op@cs.example.com')).toMatch(/^(1a2b3c4|42|u1)$/);
    }
    const none = goodaysClient({ baseUrl: 'https://api.goodays.co/v2', token: 't', fetchImpl: async () => new Response('{"results":[{"id":"x","email":"other@x.com"}]}', { status: 200 }) });
    expect(await none.findUserId('op@cs.example.com')).toBeUndefined();
  });

  it('reads samples from a list, a results list or an object keyed by type', () => {
    expect(samplesOf([{ event_type: 'response' }])).toHaveLength(1);
    expect(samplesOf({ results: [{}, {}] })).toHaveLength(2);
    expect(samplesOf({ response: { event_type: 'response' }, message: [{ event_type: 'message' }] })).toHaveLength(2);
    expect(samplesOf({ event_type: 'delegated' })).toHaveLength(1);
  });
});
