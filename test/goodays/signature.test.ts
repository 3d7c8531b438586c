import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authenticateWebhook, headerValue, parseSecrets, sign, verifySignature } from '#goodays/domain/signature.ts';

const enc = (s: string) => Buffer.from(s, 'utf8');

// Computed outside Node with `printf '%s' <body> | openssl dgst -sha256 -hmac <secret>`.
const SELF_MADE = [
  { secret: 's3cr3t-goodays', body: enc('{"event_type":"response","response":{"id":"vdOpL1NJ74l"}}'), hex: 'c4e5dc419b403cc07f14a01b6d2de4faea2db935b5e8cdbb3b4c0fcb561cb169' },
  { secret: 'k', body: enc(''), hex: '8bb990c40a7d61cb97597a942125025be50ac8beb74436e3735b98893a7f6620' },
  { secret: 'rotation-2', body: Buffer.from('Caf\xc3\xa9 \xf0\x9f\x98\x8a\n', 'latin1'), hex: '280f2398e84a4879f4ceedf86da83ff3859420c39433f2af7651d58d69f17146' },
];

describe('Goodays HMAC-SHA256 signatures', () => {
  it('matches RFC 4231 test case 2 (key "Jefe")', () => {
    const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(sign(enc('what do ya want for nothing?'), 'Jefe')).toBe(expected);
    expect(verifySignature(enc('what do ya want for nothing?'), expected, ['Jefe'])).toBe(true);
    expect(verifySignature(enc('what do ya want for nothing!'), expected, ['Jefe'])).toBe(false);
  });

  it.each(SELF_MADE)('verifies the self-made vector for secret $secret', ({ secret, body, hex }) => {
    expect(sign(body, secret)).toBe(hex);
    expect(verifySignature(body, hex, [secret])).toBe(true);
    expect(verifySignature(body, hex.toUpperCase(), [secret])).toBe(true);
    expect(verifySignature(body, ` ${hex}\t`, [secret])).toBe(true);
    expect(verifySignature(body, hex, [`${secret}x`])).toBe(false);
  });

  it("cannot reproduce the document's example digest (VENDOR-NOTES): it is not a usable vector", () => {
    const documented = 'bcf95bdaa6dae4e97a44eb8d65273d3c5459f9a258b68c26f10d6cc69b359b51';
    for (const body of ['{"event_type": "response"}', '{"event_type":"response"}', '{\n"event_type": "response"\n}', '{\n  "event_type": "response"\n}\n']) {
      expect(verifySignature(enc(body), documented, ['Goodays'])).toBe(false);
    }
  });

  it('checks the exact raw bytes: a re-serialised body fails', () => {
    const raw = '{\n  "event_type": "response",\n  "response": { "id": "vdOpL1NJ74l", "note": "café" }\n}\n';
    const sig = sign(enc(raw), 'secret');
    expect(verifySignature(enc(raw), sig, ['secret'])).toBe(true);
    const reserialised = JSON.stringify(JSON.parse(raw));
    expect(reserialised).not.toBe(raw);
    expect(verifySignature(enc(reserialised), sig, ['secret'])).toBe(false);
    expect(verifySignature(enc(JSON.stringify(JSON.parse(raw), null, 2)), sig, ['secret'])).toBe(false);
  });

  it('accepts any configured secret, so one can be rotated without downtime', () => {
    const body = enc('{"event_type":"message"}');
    const secrets = parseSecrets(' new-secret , old-secret ,,');
    expect(secrets).toEqual(['new-secret', 'old-secret']);
    expect(verifySignature(body, sign(body, 'old-secret'), secrets)).toBe(true);
    expect(verifySignature(body, sign(body, 'new-secret'), secrets)).toBe(true);
    expect(verifySignature(body, sign(body, 'retired-secret'), secrets)).toBe(false);
    expect(verifySignature(body, sign(body, 'old-secret'), ['new-secret'])).toBe(false);
  });

  it('rejects missing, empty, malformed and prefixed headers without throwing', () => {
    const body = enc('{}');
    const good = sign(body, 's');
    for (const header of [undefined, null, '', ' ', 'abc', `sha256=${good}`, `${good},${good}`, good.slice(0, 63), `${good}0`, `${good.slice(0, 63)}g`, 42, {}, [good]]) {
      expect(verifySignature(body, header, ['s'])).toBe(false);
    }
    expect(verifySignature(body, good, [])).toBe(false);
  });

  it('property: never throws, whatever the header, body and secrets', () => {
    fc.assert(
      fc.property(fc.anything(), fc.uint8Array({ maxLength: 512 }), fc.array(fc.string(), { maxLength: 4 }), (header, body, secrets) => {
        const result = verifySignature(body, header, secrets);
        expect(typeof result).toBe('boolean');
        expect(() => authenticateWebhook(body, header, secrets, false)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it('property: any flipped bit of the body or of the signature fails', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.string({ minLength: 1 }), fc.nat(), fc.nat({ max: 7 }), (body, secret, at, bit) => {
        const sig = sign(body, secret);
        expect(verifySignature(body, sig, [secret])).toBe(true);
        const flipped = Uint8Array.from(body);
        const i = at % flipped.length;
        flipped[i] = (flipped[i] ?? 0) ^ (1 << bit);
        expect(verifySignature(flipped, sig, [secret])).toBe(false);
        const sigBytes = Buffer.from(sig, 'hex');
        const j = at % sigBytes.length;
        sigBytes[j] = (sigBytes[j] ?? 0) ^ (1 << bit);
        expect(verifySignature(body, sigBytes.toString('hex'), [secret])).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('webhook authentication policy', () => {
  const body = enc('{"event_type":"response"}');
  it('requires a valid signature once a secret is configured, even when unsigned is allowed', () => {
    expect(authenticateWebhook(body, undefined, ['s'], true)).toMatchObject({ ok: false });
    expect(authenticateWebhook(body, sign(body, 's'), ['s'], false)).toEqual({ ok: true, signed: true });
  });
  it('refuses unsigned webhooks with no secret unless GOODAYS_ALLOW_UNSIGNED', () => {
    expect(authenticateWebhook(body, undefined, [], false)).toMatchObject({ ok: false });
    expect(authenticateWebhook(body, undefined, [], true)).toEqual({ ok: true, signed: false });
  });
  it('finds the header whatever its case', () => {
    expect(headerValue({ 'X-HMAC-SHA256': 'v' }, 'x-hmac-sha256')).toBe('v');
    expect(headerValue({ 'x-hmac-sha256': 'w' }, 'x-hmac-sha256')).toBe('w');
    expect(headerValue(undefined, 'x-hmac-sha256')).toBeUndefined();
  });
});
