import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { HUB_CLIENT_CONFIG, hubClient } from './aws-client.ts';

/**
 * Secrets Manager through Powertools' parameters cache, on a client made as the hub's others are
 * (`aws-client.ts`: its timeouts, no SDK logger middleware) instead of Powertools' default client,
 * which has neither. Created on first use: a function whose secrets come from its environment (the
 * local runtime, tests) never makes one.
 */
let client: SecretsManagerClient | undefined;
let provider: SecretsProvider | undefined;

/** The hub's Secrets Manager client. */
export function secretsClient(): SecretsManagerClient {
  return (client ??= hubClient(new SecretsManagerClient({ ...HUB_CLIENT_CONFIG })));
}

/** The secret's string (`SecretString`), cached for `maxAgeSeconds`; undefined for a binary secret. */
export async function secretString(arn: string, maxAgeSeconds: number): Promise<string | undefined> {
  provider ??= new SecretsProvider({ awsSdkV3Client: secretsClient() });
  const value = await provider.get(arn, { maxAge: maxAgeSeconds });
  return typeof value === 'string' ? value : undefined;
}
