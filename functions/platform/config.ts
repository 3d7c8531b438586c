import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { ConfigError } from './errors.ts';

/**
 * Configuration. Locally everything is an environment variable; on AWS, resource names come from
 * environment variables set by the stack and secrets from Secrets Manager (a JSON object per secret,
 * whose keys are the same names as the local variables). Each value is read once and validated; a
 * missing one fails naming the variable.
 */

const envKey = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/** A required environment variable; never defaults to ''. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new ConfigError(`Missing configuration: set ${name}`);
  return value;
}

/** An optional environment variable parsed by a schema, with a default. */
export function optionalEnv<T>(name: string, schema: z.ZodType<T>, fallback: T): T {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`Invalid configuration ${name}=${JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}

/** Physical name of a declared table, from `TABLE_<NAME>`. */
export const tableName = (name: string): string => requireEnv(`TABLE_${envKey(name)}`);
/** URL of a declared queue, from `QUEUE_<NAME>_URL`. */
export const queueUrl = (name: string): string => requireEnv(`QUEUE_${envKey(name)}_URL`);

/** How long a secret read from Secrets Manager is cached, so a rotation reaches warm functions. */
const SECRET_MAX_AGE_SECONDS = 300;

const SecretObject = z.record(z.string(), z.string());

/**
 * A secret value: the environment variable `key` when set (local runtime, tests), else key `key` of
 * the JSON secret whose ARN is in `SECRET_<NAME>_ARN`. Cached for five minutes.
 */
export async function secretValue(secretName: string, key: string): Promise<string> {
  const local = process.env[key];
  if (local !== undefined && local !== '') return local;
  const arnVar = `SECRET_${envKey(secretName)}_ARN`;
  const arn = process.env[arnVar];
  if (!arn) throw new ConfigError(`Missing configuration: set ${key} (or ${arnVar} on AWS)`);
  const raw = await getSecret(arn, { maxAge: SECRET_MAX_AGE_SECONDS });
  const parsed = SecretObject.safeParse(typeof raw === 'string' ? safeJson(raw) : undefined);
  if (!parsed.success) throw new ConfigError(`Secret ${arnVar} is not a JSON object of strings`);
  const value = parsed.data[key];
  if (!value) throw new ConfigError(`Secret ${arnVar} has no value for ${key}`);
  return value;
}

/** Like {@link secretValue} but undefined when neither the variable nor the secret key is set. */
export async function optionalSecretValue(secretName: string, key: string): Promise<string | undefined> {
  try {
    return await secretValue(secretName, key);
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
