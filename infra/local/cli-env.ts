import type { SecretDecl } from '#infra/topology/index.ts';
import { vendors } from '#infra/topology/index.ts';
import { sandboxes } from './sandboxes/index.ts';

/**
 * The `export` lines that point the CLI at a local hub and its sandboxes: `HUB_URL` and the operator
 * token, then each running sandbox's base URL variable and the vendor secret keys the hub holds.
 * `npm start` prints them; `switchboard local info` prints them again from the data folder.
 */
export function exportLines(hubUrl: string, env: Readonly<Record<string, string | undefined>>, sandboxUrls: Readonly<Record<string, string>>): string[] {
  const pairs: [string, string][] = [];
  for (const v of vendors) {
    const sb = sandboxes.find((s) => s.vendor === v.name);
    const url = sandboxUrls[v.name];
    if (sb && url) pairs.push([sb.baseUrlEnv, url]);
    if (!url) continue;
    for (const s of Object.values<SecretDecl>(v.secrets)) for (const k of [...s.generatedKeys, ...s.operatorKeys]) if (env[k]) pairs.push([k, env[k] ?? '']);
  }
  return [`export HUB_URL=${hubUrl} HUB_OPERATOR_TOKEN=${env.HUB_OPERATOR_TOKEN ?? ''}`, ...(pairs.length ? [`export ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`] : [])];
}
