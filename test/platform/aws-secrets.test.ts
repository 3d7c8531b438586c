import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SDK_LOGGER_MIDDLEWARE } from '#platform/aws-client.ts';

/**
 * Secrets Manager has no emulator here: a loopback server answering its JSON protocol
 * (`X-Amz-Target: secretsmanager.GetSecretValue`) stands in, found through the SDK's own
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 */
const calls: { target: string | undefined; secretId: unknown }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const input = JSON.parse(body || '{}') as { SecretId?: string };
    calls.push({ target: req.headers['x-amz-target'] as string | undefined, secretId: input.SecretId });
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ ARN: input.SecretId, Name: 'hub', SecretString: JSON.stringify({ HUB_KEY: `value of ${input.SecretId}` }), VersionId: 'v1' }));
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise((r) => server.close(r));
});

describe('secretString', () => {
  it("reads a secret through the hub's client and keeps it for its max age", async () => {
    const { secretString } = await import('#platform/aws-secrets.ts');
    const arn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:hub-a';
    expect(JSON.parse((await secretString(arn, 300)) ?? '')).toEqual({ HUB_KEY: `value of ${arn}` });
    expect(JSON.parse((await secretString(arn, 300)) ?? '')).toEqual({ HUB_KEY: `value of ${arn}` });
    expect(calls).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: arn }]);
  });

  it('is what secretValue reads when a secret ARN is configured', async () => {
    const { secretValue } = await import('#platform/config.ts');
    vi.stubEnv('SECRET_HUBTEST_ARN', 'arn:aws:secretsmanager:us-east-1:000000000000:secret:hub-b');
    await expect(secretValue('hubtest', 'HUB_KEY')).resolves.toBe('value of arn:aws:secretsmanager:us-east-1:000000000000:secret:hub-b');
    expect(calls.at(-1)).toEqual({ target: 'secretsmanager.GetSecretValue', secretId: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:hub-b' });
  });
});

describe("the hub's clients", () => {
  /** The options a client's HTTP handler resolved (`NodeHttpHandler`'s own config). */
  const handlerConfig = async (c: { config: { requestHandler: unknown } }) => (await (c.config.requestHandler as { configProvider: Promise<Record<string, unknown>> }).configProvider) ?? {};

  it('every one carries the timeouts and no SDK logger middleware', async () => {
    const { dynamo } = await import('#platform/aws.ts');
    const { sqs } = await import('#platform/aws-sqs.ts');
    const { secretsClient } = await import('#platform/aws-secrets.ts');
    for (const c of [dynamo, sqs, secretsClient()]) {
      expect(await handlerConfig(c)).toMatchObject({ connectionTimeout: 3_000, requestTimeout: 6_000, throwOnRequestTimeout: true });
      expect(c.middlewareStack.identify().map((m) => m.split(' - ')[0])).not.toContain(SDK_LOGGER_MIDDLEWARE);
    }
  });
});
