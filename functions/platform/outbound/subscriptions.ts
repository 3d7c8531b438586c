import { BlockList, isIP } from 'node:net';
import * as z from 'zod';

/**
 * Subscriptions: who gets which events, as signed webhooks. Locally `HUB_SUBSCRIPTIONS` holds the
 * list as JSON with the secrets; on AWS the list is stack configuration (CDK context `subscriptions`,
 * without secrets: each subscription's secret is generated into Secrets Manager). The stack, the local
 * runtime and the functions read it with this one schema.
 */

/** Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes. */
export const WebhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be "whsec_" followed by base64')
  .refine((s) => {
    const bytes = Buffer.from(s.slice(6), 'base64').length;
    return bytes >= 24 && bytes <= 64;
  }, 'must hold 24 to 64 bytes after "whsec_"');

export const SubscriptionId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and "-", at most 40');

export const Subscription = z.object({
  id: SubscriptionId,
  url: z.url({ protocol: /^https?$/ }),
  /** Locally the signing secret; on AWS absent (it is in the subscription's secret). */
  secret: WebhookSecret.optional(),
  /** Event types, or `*` for all. */
  events: z.array(z.string().min(1)).min(1),
});
export type Subscription = z.infer<typeof Subscription>;

export const Subscriptions = z.array(Subscription).superRefine((subs, ctx) => {
  const seen = new Set<string>();
  subs.forEach((s, i) => {
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `subscription id ${s.id} is used twice` });
    seen.add(s.id);
  });
});

/** Where each subscription's queue is, as the stack or the local runtime made it (`HUB_SUBSCRIPTION_QUEUES`). */
export const SubscriptionQueue = z.object({
  id: SubscriptionId,
  queueArn: z.string().min(1),
  queueUrl: z.string().min(1),
  dlqUrl: z.string().min(1),
  /** On AWS: the secret holding `SIGNING_SECRET`. */
  secretArn: z.string().min(1).optional(),
});
export type SubscriptionQueue = z.infer<typeof SubscriptionQueue>;

export const SUBSCRIPTIONS_ENV = 'HUB_SUBSCRIPTIONS';
export const SUBSCRIPTION_QUEUES_ENV = 'HUB_SUBSCRIPTION_QUEUES';

/** Key of the JSON secret of a subscription on AWS. */
export const SIGNING_SECRET_KEY = 'SIGNING_SECRET';

/** Whether a subscription takes an event type. */
export function matches(sub: Pick<Subscription, 'events'>, type: string): boolean {
  return sub.events.includes('*') || sub.events.includes(type);
}

/**
 * Reads a subscription list: JSON, the schema, known event types, and each URL checked for where it
 * may point (see {@link urlProblem}). Throws one error naming every problem.
 */
export function parseSubscriptions(text: string | undefined, opts: { readonly knownTypes?: readonly string[]; readonly requireHttps: boolean; readonly requireSecret: boolean }): Subscription[] {
  if (text === undefined || text.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${SUBSCRIPTIONS_ENV} is not JSON`);
  }
  const parsed = Subscriptions.safeParse(json);
  if (!parsed.success) throw new Error(`${SUBSCRIPTIONS_ENV}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const problems: string[] = [];
  for (const s of parsed.data) {
    const known = opts.knownTypes;
    if (known) for (const t of s.events) if (t !== '*' && !known.includes(t)) problems.push(`${s.id}: unknown event type ${t} (known: ${known.join(', ')})`);
    const bad = urlProblem(s.url, { requireHttps: opts.requireHttps });
    if (bad) problems.push(`${s.id}: url ${bad}`);
    if (opts.requireSecret && !s.secret) problems.push(`${s.id}: secret is required here`);
  }
  if (problems.length) throw new Error(`${SUBSCRIPTIONS_ENV}: ${problems.join('; ')}`);
  return parsed.data;
}

/**
 * Addresses a subscriber URL may not reach (SSRF): loopback, link-local (the instance metadata
 * service among them), private and shared ranges, unspecified, multicast and the cloud metadata
 * addresses.
 */
export const BLOCKED_ADDRESSES = (() => {
  const b = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const)
    b.addSubnet(net, bits, 'ipv4');
  for (const [net, bits] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
    ['fd00:ec2::', 32],
  ] as const)
    b.addSubnet(net, bits, 'ipv6');
  return b;
})();

/** Whether an IP address is one a subscriber URL may not reach (IPv4-mapped IPv6 checked as IPv4). */
export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return BLOCKED_ADDRESSES.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 4) return BLOCKED_ADDRESSES.check(address, 'ipv4');
  if (family === 6) return BLOCKED_ADDRESSES.check(address, 'ipv6');
  return true;
}

const BLOCKED_HOSTS = /^(localhost|.*\.localhost|metadata\.google\.internal|metadata|instance-data(\.ec2\.internal)?)\.?$/i;

/**
 * Why a subscriber URL may not be used, or undefined. With `requireHttps` (AWS): HTTPS only, and no
 * host that is, or names, a blocked address (a name is checked again when each delivery resolves it,
 * so a name that later resolves to one is refused at connect time). No credentials in the URL.
 */
export function urlProblem(raw: string, opts: { readonly requireHttps: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol !== 'https:' && (opts.requireHttps || url.protocol !== 'http:')) return opts.requireHttps ? 'must be https' : 'must be http or https';
  if (!opts.requireHttps) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (BLOCKED_HOSTS.test(host)) return `host ${host} is not allowed (loopback or metadata)`;
  if (isIP(host) && isBlockedAddress(host)) return `address ${host} is not allowed (loopback, link-local, private or metadata)`;
  return undefined;
}
