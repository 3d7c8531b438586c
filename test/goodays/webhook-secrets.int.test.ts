import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness.ts';
import { httpEvent, lambdaContext, startHarness } from './harness.ts';
import { goodaysBody } from './fixtures.ts';

/**
 * Where the HMAC secrets come from: on AWS the `goodays` secret in Secrets Manager (a loopback server
 * speaking its JSON protocol stands in here). GOODAYS_ALLOW_UNSIGNED=true throughout, so a secret that
 * is configured but unreadable must not turn into "accept unsigned bodies".
 */

type Http = (event: ReturnType<typeof httpEvent>, context: ReturnType<typeof lambdaContext>) => Promise<{ statusCode?: number }>;

let harness: Harness;
let secretsManager: Server;
let webhook: Http;
/** SecretString by ARN. */
const secretStrings = new Map<string, string>();

beforeAll(async () => {
  harness = await startHarness(['quarantine'], ['goodays-events']);
  secretsManager = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId: string };
      const value = secretStrings.get(input.SecretId);
      if (value === undefined) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'no such secret' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ ARN: input.SecretId, Name: 'goodays', SecretString: value, VersionId: 'v1' }));
    });
  });
  await new Promise<void>((resolve) => secretsManager.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${(secretsManager.address() as AddressInfo).port}`;
  process.env.GOODAYS_ALLOW_UNSIGNED = 'true';
  delete process.env.GOODAYS_HMAC_SECRETS;
  delete process.env.SECRET_GOODAYS_ARN;
  webhook = (await import('#goodays/handlers/webhook.ts')).handler as unknown as Http;
});
afterAll(async () => {
  secretsManager?.closeAllConnections();
  await new Promise<void>((resolve) => (secretsManager ? secretsManager.close(() => resolve()) : resolve()));
  await harness?.stop();
});

const sig = (body: string, secret: string) => createHmac('sha256', secret).update(body).digest('hex');

async function post(body: string, headers: Record<string, string> = {}) {
  const res = await webhook(httpEvent({ method: 'POST', route: '/webhooks/goodays', headers, body }), lambdaContext(10_000));
  return res.statusCode;
}

/** Points the function at a fresh secret (a new ARN, so no cached read of an older one is used). */
function useSecret(secretString: string): void {
  const arn = `arn:aws:secretsmanager:us-east-1:000000000000:secret:goodays-${secretStrings.size}`;
  secretStrings.set(arn, secretString);
  process.env.SECRET_GOODAYS_ARN = arn;
}

describe('Goodays webhook secrets', () => {
  it('accepts an unsigned body only when no secret is configured at all (GOODAYS_ALLOW_UNSIGNED)', async () => {
    expect(await post(goodaysBody('response', { responseId: 'unsigned1' }))).toBe(200);
    expect((await harness.receive('goodays-events')).Records).toHaveLength(1);
  });

  it('answers 500 (Goodays resends), never "unsigned", when the secret lacks GOODAYS_HMAC_SECRETS', async () => {
    useSecret(JSON.stringify({ GOODAYS_API_TOKEN: 'token' }));
    const body = goodaysBody('response', { responseId: 'nokey01' });
    expect(await post(body)).toBe(500);
    expect(await post(body, { 'x-hmac-sha256': sig(body, 'some-secret') })).toBe(500);
  });

  it('answers 500 when the secret is not a JSON object', async () => {
    useSecret('not json');
    const body = goodaysBody('response', { responseId: 'notjson1' });
    expect(await post(body)).toBe(500);
    expect(await post(body, { 'x-hmac-sha256': sig(body, 'not json') })).toBe(500);
  });

  it('checks signatures against the secret once it holds the key', async () => {
    useSecret(JSON.stringify({ GOODAYS_HMAC_SECRETS: 'aws-secret', GOODAYS_API_TOKEN: 'token' }));
    const body = goodaysBody('response', { responseId: 'awsok001' });
    expect(await post(body)).toBe(401);
    expect(await post(body, { 'x-hmac-sha256': sig(body, 'aws-secret') })).toBe(200);
  });
});
