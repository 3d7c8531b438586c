import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SwitchboardStack } from './stack.ts';

/**
 * CDK app. Context (`cdk deploy -c key=value`): `alarmEmail`, `throttleRateLimit`,
 * `throttleBurstLimit`. cdk-nag's AwsSolutions pack runs on every synth.
 */
const app = new App();
const ctx = (key: string): string | undefined => {
  const v: unknown = app.node.tryGetContext(key);
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
};
const num = (key: string): number | undefined => {
  const v = ctx(key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`Context ${key} must be a positive number, got ${v}`);
  return n;
};
const alarmEmail = ctx('alarmEmail');
const rate = num('throttleRateLimit');
const burst = num('throttleBurstLimit');
new SwitchboardStack(app, 'Switchboard', {
  projectRoot: resolve(import.meta.dirname, '..'),
  description: 'Switchboard integration hub (Rungopher, Goodays, Netcore)',
  ...(alarmEmail ? { alarmEmail } : {}),
  ...(rate ? { throttleRateLimit: rate } : {}),
  ...(burst ? { throttleBurstLimit: burst } : {}),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
