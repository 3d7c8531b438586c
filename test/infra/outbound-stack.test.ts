import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/build-app.ts';
import { functionList } from '#infra/topology/index.ts';

/** The outbound part of the stack, with two subscriptions: bus, archive, and per subscription rule, queue, DLQ, secret, alarms. */
const NO_BUNDLING = { context: { 'aws:cdk:bundling-stacks': [] } };
const subscriptions = [
  { id: 'crm', url: 'https://crm.example.com/hooks/switchboard', events: ['rungopher.result.stored', 'goodays.action.settled'] },
  { id: 'lake', url: 'https://lake.example.com/in', events: ['*'] },
];
const { app, stack } = buildApp(NO_BUNDLING, { subscriptions, eventArchiveDays: 90 });
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
const policyOf = (name: keyof typeof stack.functions) => {
  const roleId = stack.getLogicalId(stack.functions[name].fn.role?.node.defaultChild as never);
  return JSON.stringify(ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId)).map(([, p]) => p.Properties.PolicyDocument));
};

describe('outbound on AWS', () => {
  it('has one custom bus and an archive of every event with the configured retention', () => {
    expect(ofType('AWS::Events::EventBus')).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 90, EventPattern: { source: [{ prefix: 'switchboard.' }] }, SourceArn: { 'Fn::GetAtt': [id(stack.bus), 'Arn'] } });
  });

  it('gives each subscription a rule on the bus (its types, or all), a queue with a DLQ, a generated secret and alarms', () => {
    const [crm, lake] = stack.subscriptions;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: id(stack.bus) },
      EventPattern: { source: [{ prefix: 'switchboard.' }], 'detail-type': ['rungopher.result.stored', 'goodays.action.settled'] },
      Targets: [{ Arn: { 'Fn::GetAtt': [id(crm?.queue.queue as never), 'Arn'] } }],
    });
    template.hasResourceProperties('AWS::Events::Rule', { EventBusName: { Ref: id(stack.bus) }, EventPattern: { source: [{ prefix: 'switchboard.' }] }, Targets: [{ Arn: { 'Fn::GetAtt': [id(lake?.queue.queue as never), 'Arn'] } }] });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [id(crm?.queue.dlq as never), 'Arn'] }, maxReceiveCount: 18 }, VisibilityTimeout: 270 });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { GenerateStringKey: 'SIGNING_SECRET', ExcludePunctuation: true, PasswordLength: 40 } });
    const alarms = JSON.stringify(ofType('AWS::CloudWatch::Alarm'));
    for (const s of stack.subscriptions) expect(alarms).toContain(id(s.queue.dlq));
    // The delivery function reads each subscription queue (event source), with partial batch responses.
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties.FunctionName).includes(id(stack.functions['outbound-delivery'].fn)));
    expect(mappings).toHaveLength(2);
    for (const [, m] of mappings) expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    // Batches as the topology declares them (the local runtime reads the same declaration).
    const trigger = functionList().find((f) => f.name === 'outbound-delivery')?.trigger;
    for (const [, m] of mappings) expect({ size: m.Properties.BatchSize, window: m.Properties.MaximumBatchingWindowInSeconds }).toEqual({ size: trigger?.kind === 'subscriptions' ? trigger.batchSize : -1, window: trigger?.kind === 'subscriptions' ? trigger.maxBatchingWindowSeconds : -1 });
    // No secret value in the template.
    expect(JSON.stringify(template.toJSON())).not.toMatch(/whsec_[A-Za-z0-9+/]{20,}/);
  });

  it('is least-privileged: publishers put events only on the bus, only the delivery function reads subscription secrets and writes DLQs', () => {
    for (const fn of functionList()) {
      const doc = policyOf(fn.name);
      expect({ fn: fn.name, puts: doc.includes('events:PutEvents') }).toEqual({ fn: fn.name, puts: (fn.publishes ?? []).length > 0 && !fn.publishesThrough });
      for (const s of stack.subscriptions) {
        expect({ fn: fn.name, readsSecret: doc.includes(id(s.secret)) }).toEqual({ fn: fn.name, readsSecret: fn.name === 'outbound-delivery' });
        expect({ fn: fn.name, touchesQueue: doc.includes(id(s.queue.queue)) }).toEqual({ fn: fn.name, touchesQueue: fn.name === 'outbound-delivery' || fn.name === 'outbound-api' });
      }
    }
    expect(policyOf('rungopher-processor')).toContain(JSON.stringify({ 'Fn::GetAtt': [id(stack.bus), 'Arn'] }));
  });

  it('refuses subscriptions that could reach internal addresses, use http, name unknown events or carry a secret', () => {
    const build = (sub: Record<string, unknown>) => () => buildApp(NO_BUNDLING, { subscriptions: [sub as never] });
    expect(build({ id: 'a', url: 'https://169.254.169.254/latest/meta-data', events: ['*'] })).toThrow(/not allowed/);
    expect(build({ id: 'a', url: 'http://hooks.example.com/', events: ['*'] })).toThrow(/must be https/);
    expect(build({ id: 'a', url: 'https://hooks.example.com/', events: ['rungopher.result.deleted'] })).toThrow(/unknown event type/);
    expect(build({ id: 'a', url: 'https://hooks.example.com/', events: ['*'], secret: `whsec_${Buffer.alloc(32).toString('base64')}` })).toThrow(/never goes in stack configuration/);
  });

  it('stays cdk-nag clean with subscriptions', () => {
    expect(() => app.synth()).not.toThrow();
  });
});
