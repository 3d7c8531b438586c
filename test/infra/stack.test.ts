import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/build-app.ts';
import { attentionIndexes, functionList, queues, retentionClasses, secrets, tables } from '#infra/topology/index.ts';

// Bundling is skipped here (the bundle smoke test covers it); everything else is the real stack.
const NO_BUNDLING = { context: { 'aws:cdk:bundling-stacks': [] } };
const { app, stack } = buildApp(NO_BUNDLING);
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

describe('stack', () => {
  it('runs every function on the latest Node runtime, arm64, traced, with its own log group', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns).toHaveLength(functionList().length);
    for (const [, fn] of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', LogGroup: expect.anything() });
    }
    for (const [, lg] of ofType('AWS::Logs::LogGroup')) expect(lg.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('gives every queue an encrypted, TLS-only DLQ kept longer, maxReceiveCount >= 5, visibility >= 6x its consumer timeout', () => {
    for (const name of Object.keys(queues) as (keyof typeof queues)[]) {
      const q = stack.queues[name];
      const props = resources[logicalId(q.queue)]?.Properties ?? {};
      const dlqProps = resources[logicalId(q.dlq)]?.Properties ?? {};
      expect(props.SqsManagedSseEnabled).toBe(true);
      expect(dlqProps.SqsManagedSseEnabled).toBe(true);
      expect(props.RedrivePolicy).toMatchObject({ maxReceiveCount: expect.any(Number) });
      expect((props.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount).toBeGreaterThanOrEqual(5);
      expect(Number(dlqProps.MessageRetentionPeriod)).toBeGreaterThan(Number(props.MessageRetentionPeriod));
      const consumer = functionList().find((f) => f.trigger.kind === 'queue' && f.trigger.queue === name);
      expect(Number(props.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * (consumer?.timeoutSeconds ?? 30));
    }
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, p]) => JSON.stringify(p.Properties));
    expect(policies.length).toBe(2 * Object.keys(queues).length);
    for (const p of policies) expect(p).toContain('"aws:SecureTransport":"false"');
  });

  it('consumes queues with partial batch responses and a concurrency cap', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    const consumers = functionList().filter((f) => f.trigger.kind === 'queue');
    expect(mappings).toHaveLength(consumers.length);
    for (const [, m] of mappings) {
      expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(m.Properties.ScalingConfig).toMatchObject({ MaximumConcurrency: expect.any(Number) });
    }
  });

  it('keeps tables on demand with point-in-time recovery', () => {
    const t = ofType('AWS::DynamoDB::GlobalTable');
    expect(t).toHaveLength(Object.keys(tables).length);
    for (const [, table] of t) {
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(JSON.stringify(table.Properties.Replicas)).toContain('"PointInTimeRecoveryEnabled":true');
    }
  });

  it('throttles the HTTP API stage and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
  });

  it('grants each function exactly what the topology declares', () => {
    const arnOf = (id: string) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });
    // CDK moves what does not fit a role's inline policy into managed overflow policies: both count.
    const policies = [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::ManagedPolicy')];
    for (const fn of functionList()) {
      const roleId = stack.getLogicalId(stack.functions[fn.name].fn.role?.node.defaultChild as never);
      type Statement = { Action: string | string[]; Resource: unknown };
      const statements = policies.filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId)).flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
      // Counting attention indexes (Query on those indexes only) is checked on its own below.
      const isAttentionQuery = (st: Statement) => st.Action === 'dynamodb:Query' && attentionIndexes().some((a) => JSON.stringify(st.Resource).includes(`/index/${a.index}`));
      const doc = JSON.stringify(statements.filter((st) => !isAttentionQuery(st)));
      expect(statements.some(isAttentionQuery), `${fn.name} queries attention indexes`).toBe(fn.countsAttention === true);
      for (const [t, table] of Object.entries(stack.tables)) {
        const id = logicalId(table);
        const touches = doc.includes(arnOf(id));
        expect(touches, `${fn.name} on table ${t}`).toBe([...(fn.reads ?? []), ...(fn.writes ?? [])].includes(t as never));
      }
      const writes = /dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)/.test(doc);
      expect(writes, `${fn.name} writes`).toBe((fn.writes ?? []).length > 0);
      for (const [q, hq] of Object.entries(stack.queues)) {
        const sends = doc.includes('sqs:SendMessage') && doc.includes(arnOf(logicalId(hq.queue)));
        expect(sends, `${fn.name} sends to ${q}`).toBe((fn.sends ?? []).includes(q as never));
      }
      for (const s of Object.keys(secrets) as (keyof typeof secrets)[]) {
        const reads = doc.includes(JSON.stringify({ Ref: stack.getLogicalId(stack.secrets[s].node.defaultChild as never) }));
        expect(reads, `${fn.name} reads secret ${s}`).toBe((fn.secrets ?? []).includes(s as never));
      }
    }
  });

  it('lets the functions that count attention Query those indexes and nothing else of their tables', () => {
    const counting = functionList().filter((f) => f.countsAttention);
    expect(counting.map((f) => f.name)).toEqual(['operator']);
    const roleId = stack.getLogicalId(stack.functions.operator.fn.role?.node.defaultChild as never);
    type Statement = { Action: string | string[]; Resource: unknown };
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const wanted = attentionIndexes();
    expect(wanted.length).toBeGreaterThan(0);
    for (const a of wanted) {
      const arn = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.tables[a.table]), 'Arn'] });
      const naming = statements.filter((st) => JSON.stringify(st.Resource).includes(arn));
      // One statement names the table: Query on `<table>/index/<attention index>`, no other action or resource.
      expect(naming).toHaveLength(1);
      expect(naming[0]?.Action).toBe('dynamodb:Query');
      expect(naming[0]?.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack.tables[a.table]), 'Arn'] }, `/index/${a.index}`]] });
      expect(JSON.stringify(naming[0]?.Resource)).not.toContain('/index/*');
    }
    // The index holds the keys only (what a count and the oldest need).
    const table = ofType('AWS::DynamoDB::GlobalTable').find(([id]) => id === logicalId(stack.tables['goodays-actions']))?.[1];
    expect(JSON.stringify(table?.Properties.GlobalSecondaryIndexes)).toContain('"IndexName":"byAttention","KeySchema":[{"AttributeName":"attention","KeyType":"HASH"},{"AttributeName":"attentionSince","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}');
  });

  it('keeps the Rungopher path least-privileged as designed', () => {
    const doc = (name: keyof typeof stack.functions) => {
      const roleId = stack.getLogicalId(stack.functions[name].fn.role?.node.defaultChild as never);
      return JSON.stringify(ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId)));
    };
    const webhook = doc('rungopher-webhook');
    expect(webhook).toContain('sqs:SendMessage');
    expect(webhook).not.toMatch(/dynamodb:(GetItem|Query|Scan)/);
    const api = doc('rungopher-api');
    expect(api).toMatch(/dynamodb:Query/);
    expect(api).not.toMatch(/sqs:SendMessage/);
    // The API may fold results into the views again (replay), never write a result.
    type Statement = { Action: string | string[]; Resource: unknown };
    const apiStatements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(stack.getLogicalId(stack.functions['rungopher-api'].fn.role?.node.defaultChild as never)))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const writing = apiStatements.filter((st) => [st.Action].flat().some((a) => /dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)/.test(a)));
    expect(writing.length).toBeGreaterThan(0);
    for (const st of writing) expect(JSON.stringify(st.Resource)).not.toContain(logicalId(stack.tables['rungopher-results']));
    // The processor holds no vendor credential and cannot enqueue; the one secret it reads is the
    // customers hash key (suppression is checked by keyed hash at store time).
    const processor = doc('rungopher-processor');
    expect(processor).not.toMatch(/sqs:SendMessage/);
    for (const s of Object.keys(stack.secrets).filter((n) => n !== 'customers')) expect(processor).not.toContain(stack.getLogicalId(stack.secrets[s as keyof typeof stack.secrets].node.defaultChild as never));
    expect(doc('health')).not.toMatch(/dynamodb:|sqs:SendMessage|secretsmanager:/);
  });

  it('alarms on DLQs, message age, errors and throttles, to the alarm topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topic = logicalId(stack.monitoring.topic);
    for (const a of alarms) expect(JSON.stringify(a.AlarmActions)).toContain(topic);
    const metricNames = alarms.map((a) => a.MetricName);
    const nQueues = Object.keys(queues).length;
    const nFns = functionList().length;
    expect(metricNames.filter((m) => m === 'ApproximateNumberOfMessagesVisible')).toHaveLength(nQueues);
    expect(metricNames.filter((m) => m === 'ApproximateAgeOfOldestMessage')).toHaveLength(nQueues);
    expect(metricNames.filter((m) => m === 'Errors')).toHaveLength(nFns);
    expect(metricNames.filter((m) => m === 'Throttles')).toHaveLength(nFns);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    // A gauge published by a schedule alarms on its level, and on silence.
    const unprocessed = alarms.find((a) => a.MetricName === 'GoodaysUnprocessedResponses');
    expect(unprocessed).toMatchObject({ Statistic: 'Maximum', TreatMissingData: 'breaching' });
    expect(alarms.find((a) => a.MetricName === 'WebhooksQuarantined')).toMatchObject({ Statistic: 'Sum', TreatMissingData: 'notBreaching' });
  });

  it('lets only the operator function read queue depths and start DLQ move tasks, on exactly those queues', () => {
    type Statement = { Action: string | string[]; Resource: unknown };
    const statementsOf = (name: keyof typeof stack.functions): Statement[] => {
      const roleId = stack.getLogicalId(stack.functions[name].fn.role?.node.defaultChild as never);
      return ofType('AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    };
    const arnOf = (id: string) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });
    const moving = statementsOf('operator').filter((st) => [st.Action].flat().includes('sqs:StartMessageMoveTask'));
    // One statement per queue, whose resource is that queue's DLQ alone: no queue that is not a DLQ.
    expect(moving).toHaveLength(Object.keys(stack.queues).length);
    const resources = JSON.stringify(moving.map((st) => st.Resource));
    for (const hq of Object.values(stack.queues)) {
      expect(resources).toContain(arnOf(logicalId(hq.dlq)));
      expect(resources).not.toContain(arnOf(logicalId(hq.queue)));
    }
    for (const st of moving) expect([st.Action].flat().sort()).toEqual(['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ListMessageMoveTasks', 'sqs:ReceiveMessage', 'sqs:StartMessageMoveTask']);
    for (const fn of functionList().filter((f) => f.name !== 'operator')) {
      expect(JSON.stringify(statementsOf(fn.name)), fn.name).not.toMatch(/sqs:StartMessageMoveTask|sqs:ListMessageMoveTasks/);
    }
  });

  it('raises a quiet-source alarm when Rungopher or Goodays send no webhook, or the Netcore poller finds nothing, for the configured time', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const quiet = (metric: string) => alarms.find((a) => a.MetricName === metric && a.ComparisonOperator === 'LessThanThreshold');
    // Defaults: 6 h, 12 h and 24 h, in hourly periods that must all be quiet; no data is quiet.
    expect(quiet('WebhooksAccepted')).toMatchObject({ Threshold: 1, Period: 3600, EvaluationPeriods: 6, DatapointsToAlarm: 6, TreatMissingData: 'breaching', Statistic: 'Sum' });
    expect(quiet('GoodaysWebhookQueued')).toMatchObject({ EvaluationPeriods: 12, TreatMissingData: 'breaching' });
    expect(quiet('NetcoreUsersStored')).toMatchObject({ EvaluationPeriods: 24, TreatMissingData: 'breaching' });
    // Configurable by CDK context.
    const other = buildApp({ context: { 'aws:cdk:bundling-stacks': [], RUNGOPHER_QUIET_MINUTES: '30' } });
    const otherAlarms = Object.values(Template.fromStack(other.stack).toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => r.Properties);
    expect(otherAlarms.find((a) => a.MetricName === 'WebhooksAccepted' && a.ComparisonOperator === 'LessThanThreshold')).toMatchObject({ Period: 1800, EvaluationPeriods: 1 });
    expect(() => buildApp({ context: { 'aws:cdk:bundling-stacks': [], NETCORE_QUIET_MINUTES: '2' } })).toThrow(/NETCORE_QUIET_MINUTES must be whole minutes from 5 to 1440/);
  });

  it('outputs the API, webhook and dashboard URLs and no secret value', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'WebhookUrlrungopher', 'DashboardUrl']));
    expect(JSON.stringify(outputs)).not.toMatch(/SecretString|secretsmanager:.*SecretString/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding, and every acknowledgement has a reason', () => {
    expect(() => app.synth()).not.toThrow();
    const metadata = JSON.stringify(app.synth().getStackByName('Switchboard').manifest.metadata ?? {});
    expect(metadata).not.toMatch(/AwsSolutions-[A-Z]+\d+.*"type":"aws:cdk:error"/);
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const { app: other, stack: s } = buildApp(NO_BUNDLING);
    new Bucket(s, 'Unchecked'); // no access logs, no TLS enforcement: AwsSolutions-S1, S10
    expect(() => other.synth()).toThrow();
  });
});

describe('source-mapped stack traces (sourceMapTraces)', () => {
  const variablesOf = (t: Template) => Object.values(t.toJSON().Resources as Record<string, { Type: string; Properties: { Environment?: { Variables?: Record<string, string> } } }>).filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => r.Properties.Environment?.Variables ?? {});
  it('are off by default (no source map read on a cold start), on for every function when asked', () => {
    const off = variablesOf(template);
    expect(off).toHaveLength(functionList().length);
    for (const v of off) expect(v.NODE_OPTIONS).toBeUndefined();
    const on = variablesOf(Template.fromStack(buildApp(NO_BUNDLING, { sourceMapTraces: true }).stack));
    expect(on).toHaveLength(functionList().length);
    for (const v of on) expect(v.NODE_OPTIONS).toBe('--enable-source-maps');
  });
});

describe('customer-managed KMS key (customerManagedKey)', () => {
  const { app: kmsApp, stack: kmsStack } = buildApp(NO_BUNDLING, { customerManagedKey: true, retentionDays: { QUARANTINE: 30, RAW_BODIES: 90 }, env: { account: '123456789012', region: 'ap-southeast-2' } });
  const kmsResources = Template.fromStack(kmsStack).toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const kmsOf = (type: string) => Object.entries(kmsResources).filter(([, r]) => r.Type === type);
  const keyId = kmsStack.getLogicalId(kmsStack.dataKey?.node.defaultChild as never);

  it('is off by default: no data key, AWS-managed table and SQS-managed queue encryption', () => {
    expect(stack.dataKey).toBeUndefined();
    expect(ofType('AWS::KMS::Key').map(([, k]) => k.Properties.Description)).not.toContain('Switchboard: tables and queues (customer data)');
    for (const [, t] of ofType('AWS::DynamoDB::GlobalTable')) expect(JSON.stringify(t.Properties)).not.toContain('KMSMasterKeyId');
  });

  it('encrypts every table and every queue and DLQ with the one rotated key', () => {
    // Besides the alarm topic's own key.
    const keys = kmsOf('AWS::KMS::Key').filter(([id]) => id === keyId);
    expect(keys).toHaveLength(1);
    expect(keys[0]?.[1].Properties.EnableKeyRotation).toBe(true);
    expect(kmsOf('AWS::KMS::Key')).toHaveLength(ofType('AWS::KMS::Key').length + 1);
    const tablesOut = kmsOf('AWS::DynamoDB::GlobalTable');
    expect(tablesOut).toHaveLength(Object.keys(tables).length);
    for (const [, t] of tablesOut) {
      expect(t.Properties.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
      expect(JSON.stringify(t.Properties.Replicas)).toContain(keyId);
    }
    const queuesOut = kmsOf('AWS::SQS::Queue');
    expect(queuesOut).toHaveLength(2 * Object.keys(queues).length);
    for (const [, q] of queuesOut) {
      expect(JSON.stringify(q.Properties.KmsMasterKeyId)).toContain(keyId);
      expect(q.Properties.SqsManagedSseEnabled).toBeUndefined();
    }
  });

  it('grants the key to each function that touches a table or a queue, and to no other', () => {
    const policies = [...kmsOf('AWS::IAM::Policy'), ...kmsOf('AWS::IAM::ManagedPolicy')];
    const roleOf = (fn: string) => kmsStack.getLogicalId(kmsStack.functions[fn as keyof typeof kmsStack.functions].fn.role?.node.defaultChild as never);
    for (const decl of functionList()) {
      const doc = JSON.stringify(policies.filter(([, p]) => JSON.stringify(p.Properties.Roles ?? []).includes(roleOf(decl.name))).map(([, p]) => p.Properties.PolicyDocument));
      const touches = (decl.reads?.length ?? 0) + (decl.writes?.length ?? 0) + (decl.sends?.length ?? 0) > 0 || decl.trigger.kind === 'queue';
      expect(doc.includes('kms:Decrypt') && doc.includes(keyId), decl.name).toBe(touches);
    }
  });

  it('synthesizes cdk-nag clean', () => {
    expect(() => kmsApp.synth()).not.toThrow();
  });

  it('gives retention days to the functions that write each class, and TTL to its tables', () => {
    const envOf = (fn: string) => (kmsResources[kmsStack.getLogicalId(kmsStack.functions[fn as keyof typeof kmsStack.functions].fn.node.defaultChild as never)]?.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(envOf('rungopher-webhook')).toMatchObject({ RETENTION_QUARANTINE_DAYS: '30' });
    expect(envOf('rungopher-webhook').RETENTION_RAW_BODIES_DAYS).toBeUndefined();
    expect(envOf('rungopher-processor')).toMatchObject({ RETENTION_QUARANTINE_DAYS: '30', RETENTION_RAW_BODIES_DAYS: '90' });
    expect(Object.keys(envOf('health')).filter((k) => k.startsWith('RETENTION_'))).toEqual([]);
    // Off by default.
    const defaultEnv = JSON.stringify(ofType('AWS::Lambda::Function').map(([, f]) => f.Properties.Environment));
    expect(defaultEnv).not.toContain('RETENTION_');
    for (const t of Object.values(retentionClasses).flat()) {
      expect(resources[logicalId(stack.tables[t])]?.Properties.TimeToLiveSpecification, t).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    }
  });

  it('refuses a stack whose region is not known (a global table names its key per region)', () => {
    expect(() => buildApp(NO_BUNDLING, { customerManagedKey: true })).toThrow(/CDK_DEFAULT_REGION/);
  });
});
