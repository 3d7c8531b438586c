import { secretString } from './aws-secrets.ts';
import { ConfigError } from './errors.ts';
import { parseJson } from './json.ts';
import * as z from './zod.ts';

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

/** An optional environment variable parsed by a schema (classic zod or zod/mini), with a default. */
export function optionalEnv<T>(name: string, schema: z.core.$ZodType<T>, fallback: T): T {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const parsed = z.safeParse(schema, raw);
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
  const raw = await secretString(arn, SECRET_MAX_AGE_SECONDS);
  const json = raw === undefined ? undefined : parseJson(raw);
  const parsed = SecretObject.safeParse(json?.ok ? json.value : undefined);
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

/** One value of a function's configuration: how to read it, failing with a {@link ConfigError} naming its variable. */
export interface Setting<T> {
  readonly read: () => T;
}

/** The settings the kit knows how to read. */
export const setting = {
  /** A required variable; never defaults to ''. */
  required: (name: string): Setting<string> => ({ read: () => requireEnv(name) }),
  /** A required variable parsed by a schema (classic zod or zod/mini). */
  requiredAs: <T>(name: string, schema: z.core.$ZodType<T>): Setting<T> => ({
    read: () => {
      const raw = requireEnv(name);
      const parsed = z.safeParse(schema, raw);
      if (!parsed.success) throw new ConfigError(`Invalid configuration ${name}=${JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return parsed.data;
    },
  }),
  /** An optional variable parsed by a schema (classic zod or zod/mini), with a documented default. */
  optional: <T>(name: string, schema: z.core.$ZodType<T>, fallback: T): Setting<T> => ({ read: () => optionalEnv(name, schema, fallback) }),
  /** A declared table's physical name (`TABLE_<NAME>`). */
  table: (name: string): Setting<string> => ({ read: () => tableName(name) }),
  /** A declared queue's URL (`QUEUE_<NAME>_URL`). */
  queue: (name: string): Setting<string> => ({ read: () => queueUrl(name) }),
};

/** The typed object a set of settings reads into. */
export type ConfigOf<S extends Record<string, Setting<unknown>>> = { readonly [K in keyof S]: S[K] extends Setting<infer V> ? V : never };

/**
 * One typed configuration object per function. Every setting is read on the first call (so tests can
 * set the environment first) and kept for the life of the process; when any is missing or malformed,
 * the call fails with one {@link ConfigError} naming every such variable.
 */
export function functionConfig<S extends Record<string, Setting<unknown>>>(settings: S): () => ConfigOf<S> {
  let value: ConfigOf<S> | undefined;
  return () => {
    if (value) return value;
    const out: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [key, s] of Object.entries(settings)) {
      try {
        out[key] = s.read();
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(err.message);
      }
    }
    if (problems.length) throw new ConfigError(problems.join('; '));
    value = Object.freeze(out) as ConfigOf<S>;
    return value;
  };
}
