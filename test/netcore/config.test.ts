import { afterEach, describe, expect, it } from 'vitest';
import { netcoreSettingsFromEnv, usersPollerConfig } from '#netcore/adapters/config.ts';
import { DEFAULT_NETCORE_PATHS, netcorePathsFromEnv } from '#netcore/adapters/client.ts';
import { ConfigError } from '#platform/errors.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('NETCORE_') && !(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe('Netcore configuration', () => {
  it('defaults to the largest pages, the four user channels and the assumed paths', () => {
    for (const k of Object.keys(process.env)) if (k.startsWith('NETCORE_')) delete process.env[k];
    expect(netcoreSettingsFromEnv()).toMatchObject({ usersLimit: 1000, transcriptsLimit: 1000, userChannels: [1010, 1014, 1016, 1017], fetchUserDetails: true });
    expect(netcorePathsFromEnv()).toEqual(DEFAULT_NETCORE_PATHS);
  });

  it('reads overrides and rejects values outside the documented limits, naming the variable', () => {
    process.env.NETCORE_USER_CHANNELS = '1014, 1016';
    process.env.NETCORE_USAGE_CHANNELS = '1021,1010';
    process.env.NETCORE_FETCH_USER_DETAILS = 'false';
    process.env.NETCORE_TRANSCRIPTS_PATH = '/v2/transcripts';
    expect(netcoreSettingsFromEnv()).toMatchObject({ userChannels: [1014, 1016], usageChannels: [1021, 1010], fetchUserDetails: false });
    expect(netcorePathsFromEnv().transcripts).toBe('/v2/transcripts');

    process.env.NETCORE_TRANSCRIPTS_LIMIT = '1001';
    expect(() => netcoreSettingsFromEnv()).toThrow(/NETCORE_TRANSCRIPTS_LIMIT/);
    delete process.env.NETCORE_TRANSCRIPTS_LIMIT;
    process.env.NETCORE_USER_CHANNELS = '1010,1011';
    expect(() => netcoreSettingsFromEnv()).toThrow(ConfigError);
    process.env.NETCORE_USER_CHANNELS = '1010';
    process.env.NETCORE_USER_PATH = '/users/details';
    expect(() => netcorePathsFromEnv()).toThrow(/NETCORE_USER_PATH.*\{botUserId\}/);
  });

  it("fails a function's configuration once, naming every variable it lacks or holds wrong", () => {
    for (const k of ['TABLE_NETCORE_USERS', 'TABLE_CURSORS', 'QUEUE_NETCORE_TRANSCRIPTS_URL']) delete process.env[k];
    process.env.NETCORE_USERS_LIMIT = '5';
    let thrown: unknown;
    try {
      usersPollerConfig();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    for (const name of ['NETCORE_USERS_LIMIT', 'TABLE_NETCORE_USERS', 'TABLE_CURSORS', 'QUEUE_NETCORE_TRANSCRIPTS_URL']) expect(String(thrown)).toContain(name);
  });
});
