import type { VendorName } from '#infra/topology/index.ts';
import { goodaysSandbox } from './goodays.ts';
import { netcoreSandbox } from './netcore.ts';
import { rungopherSandbox } from './rungopher.ts';

/**
 * Vendor sandboxes for the local runtime. Each stands in for a vendor's real server when that
 * vendor's `*_BASE_URL` is not set, on loopback, on a port of its own.
 */

/** A running sandbox. */
export interface Sandbox {
  /** Base URL the hub's vendor client uses, as `*_BASE_URL` would be on AWS. */
  readonly url: string;
  stop(): Promise<void>;
}

/** What a sandbox gets when the hub starts it. */
export interface SandboxContext {
  /** 0 for a random port. */
  readonly port: number;
  /** The hub's own base URL (for sandboxes that deliver webhooks to it); known once the hub listens. */
  readonly hubUrl: () => string;
  /** The hub's environment after defaults and generated tokens (webhook tokens, HMAC secrets, ...). */
  readonly env: Readonly<Record<string, string>>;
  /** Where the sandbox keeps its state across restarts (`<data folder>/sandboxes/<vendor>.json`); undefined keeps it in memory. */
  readonly stateFile?: string;
}

export interface SandboxDecl {
  /** The topology vendor this sandbox stands in for. */
  readonly vendor: VendorName;
  /** The variable that, when set, points the hub at the real vendor instead of this sandbox. */
  readonly baseUrlEnv: string;
  /**
   * How `npm start` shows the webhook URL to register with this vendor (tokens filled in, how it is
   * signed). @default the vendor's `/webhooks/` route paths under the hub URL
   */
  webhookUrl?(hubUrl: string, env: Readonly<Record<string, string>>): string;
  start(ctx: SandboxContext): Promise<Sandbox>;
}

/** Every sandbox the local runtime knows, one line per vendor. */
export const sandboxes: SandboxDecl[] = [rungopherSandbox, goodaysSandbox, netcoreSandbox];
