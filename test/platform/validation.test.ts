import fc from 'fast-check';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#platform/errors.ts';
import { MAX_CURSOR_CHARS, pageCursor } from '#platform/page-cursor.ts';
import { KEY_LIMITS, MAX_ID_BYTES, keyProblem, keyString, keyValue, pathId, requireWellFormed } from '#platform/validation.ts';

const issuesOf = (f: () => unknown): readonly string[] => {
  try {
    f();
  } catch (err) {
    if (err instanceof ValidationError) return err.issues.map((i) => `${i.name}: ${i.detail}`);
    throw err;
  }
  throw new Error('expected a ValidationError');
};

describe('pathId', () => {
  it('gives back an id that can be a key, as it is', () => {
    for (const id of ['+919876543213', '100%25', '%E0%A4%A', 'a b', '😀', 'x'.repeat(MAX_ID_BYTES)]) expect(pathId(id, 'botUserId')).toBe(id);
  });

  it('refuses with a 400 naming the parameter: missing, empty, too long, control characters, lone surrogates', () => {
    expect(issuesOf(() => pathId(undefined, 'campaignId'))).toEqual(['campaignId: required']);
    expect(issuesOf(() => pathId('', 'campaignId'))).toEqual(['campaignId: must not be empty']);
    expect(issuesOf(() => pathId('x'.repeat(MAX_ID_BYTES + 1), 'botUserId'))).toEqual([`botUserId: must be at most ${MAX_ID_BYTES} bytes of UTF-8 (this one is ${MAX_ID_BYTES + 1})`]);
    // 100 emoji are 200 UTF-16 units but 400 bytes: the limit is DynamoDB's, in bytes.
    expect(issuesOf(() => pathId('😀'.repeat(100), 'id'))).toEqual(['id: must be at most 256 bytes of UTF-8 (this one is 400)']);
    expect(issuesOf(() => pathId('a\u0000b', 'id'))).toEqual(['id: must not contain control characters']);
    expect(issuesOf(() => pathId('a\u0085', 'id'))).toEqual(['id: must not contain control characters']);
    expect(issuesOf(() => pathId('a\ud800', 'id'))).toEqual(['id: must be well-formed Unicode (it holds a lone surrogate)']);
  });

  it("checks the id's own shape after, each issue naming the parameter", () => {
    const Kind = z.enum(['reply', 'close']);
    expect(pathId('reply', 'action', Kind)).toBe('reply');
    expect(issuesOf(() => pathId('nope', 'action', Kind))).toEqual([expect.stringMatching(/^action: /)]);
  });

  it('never lets a value through that DynamoDB could not take as a key (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }), (a, b) => {
        const value = a + b;
        let ok: string | undefined;
        try {
          ok = pathId(value, 'id');
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
        }
        if (ok !== undefined) {
          expect(Buffer.byteLength(ok, 'utf8')).toBeLessThanOrEqual(MAX_ID_BYTES);
          expect(ok).not.toMatch(/\p{Cs}/u);
          expect([...ok].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('key strings', () => {
  it('keyString refuses what pathId refuses; keyValue takes stored control characters but keeps the byte limit', () => {
    expect(keyString().safeParse('+61400000000').success).toBe(true);
    expect(keyString().safeParse('a\nb').success).toBe(false);
    expect(keyValue(KEY_LIMITS.sort).safeParse('a\nb').success).toBe(true);
    expect(keyValue(KEY_LIMITS.sort).safeParse('é'.repeat(513)).success).toBe(false);
    expect(keyValue(KEY_LIMITS.sort).safeParse('é'.repeat(512)).success).toBe(true);
    expect(keyProblem('é'.repeat(1024), KEY_LIMITS.partition)).toBeUndefined();
  });
});

describe('pageCursor against DynamoDB key limits', () => {
  const loose = pageCursor('list', z.record(z.string(), z.string()));
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

  it('refuses a position no key can be made of, whatever the list schema allows', () => {
    expect(loose.decode(loose.encode({ id: 'a'.repeat(KEY_LIMITS.partition) }))).toEqual({ id: 'a'.repeat(KEY_LIMITS.partition) });
    expect(() => loose.decode(b64(['list', { id: 'a'.repeat(KEY_LIMITS.partition + 1) }]))).toThrow(ValidationError);
    expect(() => loose.decode(b64(['list', { id: '\ud800' }]))).toThrow(ValidationError);
    expect(() => loose.decode(b64(['list', { ['\udc00']: 'x' }]))).toThrow(ValidationError);
    expect(() => loose.decode('A'.repeat(MAX_CURSOR_CHARS + 1))).toThrow(ValidationError);
  });
});

describe('requireWellFormed', () => {
  it('names where a parsed body holds a lone surrogate, in a value or a key, at any depth', () => {
    expect(() => requireWellFormed(JSON.parse('{"content":"thanks","user":"a@b.example"}'))).not.toThrow();
    expect(issuesOf(() => requireWellFormed(JSON.parse('{"content":"thanks \\udfff"}')))).toEqual(['body.content: must be well-formed Unicode (it holds a lone surrogate)']);
    expect(issuesOf(() => requireWellFormed(JSON.parse('{"a":[{"\\ud800":1}]}')))).toEqual(['body.a.0: must be well-formed Unicode (it holds a lone surrogate)']);
    expect(() => requireWellFormed(JSON.parse('{"ok":"😀"}'))).not.toThrow();
  });

  it('walks a body nested 20,000 deep without a stack overflow', () => {
    const deep: unknown = JSON.parse(`${'['.repeat(20_000)}"\\ud800"${']'.repeat(20_000)}`);
    expect(issuesOf(() => requireWellFormed(deep))).toHaveLength(1);
  });
});
