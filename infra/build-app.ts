import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { vendors } from '#infra/topology/index.ts';
import type { SwitchboardStackProps } from './stack.ts';
import { SwitchboardStack } from './stack.ts';

/** Project root: where package.json and functions/ are. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '..');

/**
 * The CDK app with the hub's stack and cdk-nag's AwsSolutions checks attached, so every synth (the
 * CLI's and the tests') is checked.
 */
export function buildApp(appProps: AppProps = {}, stackProps: Partial<SwitchboardStackProps> = {}): { app: App; stack: SwitchboardStack } {
  const app = new App(appProps);
  const stack = new SwitchboardStack(app, 'Switchboard', {
    projectRoot: PROJECT_ROOT,
    description: `Switchboard integration hub (${vendors.map((v) => v.title).join(', ')})`,
    ...stackProps,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
