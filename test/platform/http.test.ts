import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { constantTimeEqual, rawBody, requireBearer } from '#platform/http.ts';
import { UnauthorizedError } from '#platform/errors.ts';

const event = (headers: Record<string, string>, body?: string, isBase64Encoded = false) =>
  ({ headers, body, isBase64Encoded, requestContext: { requestId: 'r' } }) as unknown as APIGatewayProxyEventV2;

describe('token checks', () => {
  it('matches equal tokens only', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('', 'abc')).toBe(false);
    expect(constantTimeEqual('abcd', 'abc')).toBe(false);
  });

  it('never matches a different string and never throws', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => constantTimeEqual(a, b) === (a === b)));
  });

  it('requires "Bearer <operator token>"', () => {
    expect(() => requireBearer(event({ authorization: 'Bearer s3cret' }), 's3cret')).not.toThrow();
    expect(() => requireBearer(event({ authorization: 'bearer s3cret' }), 's3cret')).not.toThrow();
    for (const h of ['', 'Bearer', 'Bearer wrong', 's3cret', 'Basic s3cret', 'Bearer s3cret extra']) {
      expect(() => requireBearer(event({ authorization: h }), 's3cret')).toThrow(UnauthorizedError);
    }
    expect(() => requireBearer(event({}), 's3cret')).toThrow(UnauthorizedError);
  });
});

describe('raw body', () => {
  it('decodes base64 bodies to the exact bytes', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x7b, 0x22]);
    expect(rawBody(event({}, bytes.toString('base64'), true)).equals(bytes)).toBe(true);
    expect(rawBody(event({}, '{"a":1}')).toString()).toBe('{"a":1}');
    expect(rawBody(event({})).length).toBe(0);
  });
});
