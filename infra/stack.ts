import { CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Archive, EventBus, Match, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { FunctionName, QueueDecl, QueueName, SecretDecl, SecretName, TableDecl, TableName } from '#infra/topology/index.ts';
import { attentionIndexes, envForFunction, events, functionList, queues, retentionClasses, secrets, subscriptionConsumer, tables, visibilityTimeoutSeconds, type RetentionClassName } from '#infra/topology/index.ts';
import { SUBSCRIPTION_QUEUE } from '#infra/topology/platform.ts';
import {
  SIGNING_SECRET_KEY,
  SUBSCRIPTION_QUEUES_ENV,
  SUBSCRIPTIONS_ENV,
  parseSubscriptions,
  type Subscription,
} from '#platform/outbound/subscriptions.ts';
import { HubFunction } from '#infra/constructs/hub-function.ts';
import { HubQueue } from '#infra/constructs/hub-queue.ts';
import { HubMonitoring } from '#infra/constructs/monitoring.ts';
import { acknowledgeDataKeyFindings, acknowledgeFunctionFindings, acknowledgeNagFindings, acknowledgeTableIndexFindings } from './nag.ts';

export interface SwitchboardStackProps extends StackProps {
  /** Project root (package.json, lock file, functions/). */
  readonly projectRoot: string;
  /** Steady-state requests per second across the HTTP API. @default 50 */
  readonly throttleRateLimit?: number;
  /** Burst capacity of the HTTP API. @default 100 */
  readonly throttleBurstLimit?: number;
  /** E-mail subscribed to alarms. @default none */
  readonly alarmEmail?: string;
  /** Log retention for functions and access logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** What happens to tables when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly dataRemovalPolicy?: RemovalPolicy;
  /**
   * Encrypt every table and queue (DLQs too) with one customer-managed KMS key the stack creates
   * (rotated yearly, kept when the stack is deleted), instead of AWS-owned keys: the key's policy and
   * CloudTrail then say who can read the data, and disabling the key makes it unreadable. Each function
   * is granted the key for what it touches. @default false (AWS-managed keys)
   */
  readonly customerManagedKey?: boolean;
  /** Source-mapped stack traces in every function's logs, at a cold-start cost (HubFunction's `sourceMapTraces`). @default false */
  readonly sourceMapTraces?: boolean;
  /**
   * Days each retention class is kept (`RETENTION_<CLASS>_DAYS` of the functions that write its
   * tables; DynamoDB TTL deletes the items after). A class left out is kept for ever. @default {}
   */
  readonly retentionDays?: Readonly<Partial<Record<RetentionClassName, number>>>;
  /**
   * Subscriptions (`id`, `url`, `events`; never a secret: each gets one generated in Secrets Manager).
   * URLs must be HTTPS and not point at loopback, link-local, private or metadata addresses.
   * @default none
   */
  readonly subscriptions?: readonly Omit<Subscription, 'secret'>[];
  /** Days the event bus archive keeps every event, for replays; 0 keeps them forever. @default 30 */
  readonly eventArchiveDays?: number;
}

/** One subscription on AWS: its rule, its delivery queue with DLQ, and its signing secret. */
export interface SubscriptionResources {
  readonly subscription: Omit<Subscription, 'secret'>;
  readonly queue: HubQueue;
  readonly rule: Rule;
  readonly secret: Secret;
}

/** The whole hub on AWS, built from `topology/`: the same functions, tables and queues as `npm start`. */
export class SwitchboardStack extends Stack {
  public readonly api: HttpApi;
  public readonly tables: Record<TableName, TableV2>;
  public readonly queues: Record<QueueName, HubQueue>;
  public readonly secrets: Record<SecretName, Secret>;
  public readonly functions: Record<FunctionName, HubFunction>;
  public readonly monitoring: HubMonitoring;
  /** The hub's event bus: every stored change, `source` `switchboard.<vendor>`, `detail-type` the event type. */
  public readonly bus: EventBus;
  public readonly archive: Archive;
  public readonly subscriptions: readonly SubscriptionResources[];
  /** The customer-managed key of tables and queues, when {@link SwitchboardStackProps.customerManagedKey}. */
  public readonly dataKey?: Key;

  constructor(scope: Construct, id: string, props: SwitchboardStackProps) {
    super(scope, id, props);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    if (props.customerManagedKey) {
      // A global table names its replica's key per region, so the stack must know its region.
      if (Token.isUnresolved(this.region)) throw new Error('customerManagedKey needs the stack in a known region: set CDK_DEFAULT_REGION (or deploy with an AWS profile that names one)');
      this.dataKey = new Key(this, 'DataKey', {
        description: 'Switchboard: tables and queues (customer data)',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }

    this.tables = {} as Record<TableName, TableV2>;
    for (const [name, decl] of Object.entries(tables) as [TableName, TableDecl][]) {
      const attr = (n: string) => ({ name: n, type: decl.numberAttributes?.includes(n) ? AttributeType.NUMBER : AttributeType.STRING });
      this.tables[name] = new TableV2(this, `Table-${name}`, {
        partitionKey: attr(decl.partitionKey),
        ...(decl.sortKey ? { sortKey: attr(decl.sortKey) } : {}),
        billing: Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: this.dataKey ? TableEncryptionV2.customerManagedKey(this.dataKey) : TableEncryptionV2.awsManagedKey(),
        removalPolicy: props.dataRemovalPolicy ?? RemovalPolicy.RETAIN,
        ...(decl.ttlAttribute ? { timeToLiveAttribute: decl.ttlAttribute } : {}),
        globalSecondaryIndexes: (decl.indexes ?? []).map((ix) => ({
          indexName: ix.name,
          partitionKey: attr(ix.partitionKey),
          ...(ix.sortKey ? { sortKey: attr(ix.sortKey) } : {}),
          ...(ix.projection === 'keys' ? { projectionType: ProjectionType.KEYS_ONLY } : {}),
        })),
      });
    }

    this.queues = {} as Record<QueueName, HubQueue>;
    for (const [name, decl] of Object.entries(queues) as [QueueName, QueueDecl][]) {
      this.queues[name] = new HubQueue(this, `Queue-${name}`, {
        visibilityTimeoutSeconds: visibilityTimeoutSeconds(name),
        ...(this.dataKey ? { encryptionKey: this.dataKey } : {}),
        ...(decl.maxReceiveCount ? { maxReceiveCount: decl.maxReceiveCount } : {}),
        ...(decl.retentionDays ? { retentionDays: decl.retentionDays } : {}),
        ...(decl.dlqRetentionDays ? { dlqRetentionDays: decl.dlqRetentionDays } : {}),
      });
    }

    this.secrets = {} as Record<SecretName, Secret>;
    for (const [name, decl] of Object.entries(secrets) as [SecretName, SecretDecl][]) {
      if (decl.generatedKeys.length > 1) throw new Error(`Secret ${name}: Secrets Manager generates one key per secret`);
      // Operator keys start empty: vendors issue them, an operator puts them in after deploy (README).
      const template = Object.fromEntries(decl.operatorKeys.map((k) => [k, '']));
      this.secrets[name] = new Secret(this, `Secret-${name}`, {
        description: `Switchboard ${name}: ${decl.description}`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify(template),
          generateStringKey: decl.generatedKeys[0] ?? '_generated',
          excludePunctuation: true,
          passwordLength: 40,
        },
      });
    }

    // Outbound: the bus, its archive, and per subscription a queue (with DLQ), a rule and a secret.
    this.bus = new EventBus(this, 'Events', { description: 'Switchboard: one event per change the hub stores' });
    const archiveDays = props.eventArchiveDays ?? 30;
    this.archive = new Archive(this, 'EventArchive', {
      sourceEventBus: this.bus,
      description: 'Every Switchboard event, for replays of a window',
      eventPattern: { source: Match.prefix('switchboard.') },
      ...(archiveDays > 0 ? { retention: Duration.days(archiveDays) } : {}),
    });
    const declared = parseSubscriptions(JSON.stringify(props.subscriptions ?? []), { knownTypes: Object.keys(events), requireHttps: true, requireSecret: false });
    if (declared.some((d) => d.secret)) throw new Error('Subscriptions: a secret never goes in stack configuration; each subscription gets one generated in Secrets Manager');
    const deliveryDecl = subscriptionConsumer();
    this.subscriptions = declared.map((subscription) => {
      const queue = new HubQueue(this, `Subscription-${subscription.id}`, {
        visibilityTimeoutSeconds: 6 * (deliveryDecl.timeoutSeconds ?? 30),
        maxReceiveCount: SUBSCRIPTION_QUEUE.maxReceiveCount,
        retentionDays: SUBSCRIPTION_QUEUE.retentionDays,
        dlqRetentionDays: SUBSCRIPTION_QUEUE.dlqRetentionDays,
      });
      const secret = new Secret(this, `SubscriptionSecret-${subscription.id}`, {
        description: `Switchboard subscription ${subscription.id}: Standard Webhooks signing secret (whsec_ + this value; several space-separated while rotating)`,
        generateSecretString: { secretStringTemplate: '{}', generateStringKey: SIGNING_SECRET_KEY, excludePunctuation: true, includeSpace: false, passwordLength: 40 },
      });
      const all = subscription.events.includes('*');
      const rule = new Rule(this, `SubscriptionRule-${subscription.id}`, {
        eventBus: this.bus,
        description: `Events for subscription ${subscription.id}`,
        eventPattern: { source: Match.prefix('switchboard.'), ...(all ? {} : { detailType: [...subscription.events] }) },
        targets: [new SqsQueue(queue.queue)],
      });
      return { subscription, queue, rule, secret };
    });
    const subscriptionEnv = {
      [SUBSCRIPTIONS_ENV]: JSON.stringify(declared),
      [SUBSCRIPTION_QUEUES_ENV]: this.toJsonString(
        this.subscriptions.map((s) => ({ id: s.subscription.id, queueArn: s.queue.queue.queueArn, queueUrl: s.queue.queue.queueUrl, dlqUrl: s.queue.dlq.queueUrl, secretArn: s.secret.secretArn })),
      ),
    };

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new HttpApi(this, 'Api', { apiName: 'switchboard', description: 'Switchboard webhooks and operator API', createDefaultStage: false });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit ?? 50, burstLimit: props.throttleBurstLimit ?? 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The request path is not logged: webhook paths carry a secret token.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const retention = Object.entries(props.retentionDays ?? {}) as [RetentionClassName, number][];
    for (const [c, days] of retention) {
      if (!Object.hasOwn(retentionClasses, c)) throw new Error(`retentionDays.${c}: no table has this retention class (${Object.keys(retentionClasses).join(', ')})`);
      if (!Number.isInteger(days) || days < 1 || days > 3650) throw new Error(`retentionDays.${c} must be a whole number of days from 1 to 3650, got ${days}`);
    }
    /** The retention variables of the classes whose tables a function writes. */
    const retentionEnv = (writes: readonly string[]): Record<string, string> =>
      Object.fromEntries(retention.filter(([c]) => (retentionClasses[c] ?? []).some((t) => writes.includes(t))).map(([c, days]) => [`RETENTION_${c}_DAYS`, String(days)]));

    this.functions = {} as Record<FunctionName, HubFunction>;
    for (const decl of functionList()) {
      const hub = new HubFunction(this, `Fn-${decl.name}`, {
        projectRoot: props.projectRoot,
        entry: decl.entry,
        description: decl.description,
        logRetention,
        ...(decl.timeoutSeconds ? { timeoutSeconds: decl.timeoutSeconds } : {}),
        ...(decl.memoryMb ? { memoryMb: decl.memoryMb } : {}),
        ...(decl.staticAssets ? { staticAssets: true } : {}),
        ...(props.sourceMapTraces ? { sourceMapTraces: true } : {}),
        environment: {
          POWERTOOLS_SERVICE_NAME: decl.name,
          POWERTOOLS_METRICS_NAMESPACE: 'Switchboard',
          ...retentionEnv(decl.writes ?? []),
          ...envForFunction(decl, {
            table: (t) => this.tables[t].tableName,
            queueUrl: (q) => this.queues[q].queue.queueUrl,
            secretArn: (s) => this.secrets[s].secretArn,
            dlqUrl: (q) => this.queues[q].dlq.queueUrl,
            queueArn: (q) => this.queues[q].queue.queueArn,
            dlqArn: (q) => this.queues[q].dlq.queueArn,
            eventBus: this.bus.eventBusName,
            subscriptions: subscriptionEnv,
          }),
        },
      });
      this.functions[decl.name] = hub;
      acknowledgeFunctionFindings(hub);
      const fn = hub.fn;
      // Least privilege: each function gets exactly what the topology says it touches.
      for (const t of decl.reads ?? []) this.tables[t].grantReadData(fn);
      for (const t of decl.writes ?? []) this.tables[t].grantWriteData(fn);
      for (const q of decl.sends ?? []) this.queues[q].queue.grantSendMessages(fn);
      for (const s of decl.secrets ?? []) this.secrets[s].grantRead(fn);
      for (const q of decl.operatesQueues ?? []) {
        const { queue, dlq } = this.queues[q];
        // Depths of the queue and its DLQ; a redrive is a message move task from the DLQ back to the
        // queue, which needs (AWS's list) receive/delete/attributes on the DLQ and send on the queue.
        queue.grant(fn, 'sqs:GetQueueAttributes');
        dlq.grant(fn, 'sqs:GetQueueAttributes', 'sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks', 'sqs:ReceiveMessage', 'sqs:DeleteMessage');
        queue.grantSendMessages(fn);
      }
      if (decl.countsAttention) {
        // Counting what waits for a person: Query on each attention index, nothing else of its table.
        const indexArns = attentionIndexes().map((a) => `${this.tables[a.table].tableArn}/index/${a.index}`);
        if (indexArns.length) fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: indexArns }));
        if (this.dataKey && indexArns.length) this.dataKey.grantDecrypt(fn);
      }
      // A function whose events go through its queue (publishesThrough) puts none on the bus itself.
      if (decl.publishes?.length && !decl.publishesThrough) this.bus.grantPutEventsTo(fn);
      if (decl.operatesSubscriptions) {
        for (const s of this.subscriptions) {
          // Depths of both queues; the redrive reads and deletes from the DLQ and sends to the queue.
          s.queue.queue.grant(fn, 'sqs:GetQueueAttributes');
          s.queue.queue.grantSendMessages(fn);
          s.queue.dlq.grantConsumeMessages(fn);
        }
      }

      const trigger = decl.trigger;
      if (trigger.kind === 'http') {
        for (const route of trigger.routes) {
          this.api.addRoutes({
            path: route.path,
            methods: [HttpMethod[route.method]],
            integration: new HttpLambdaIntegration(`Int-${decl.name}-${route.method}-${route.path}`, fn),
          });
        }
        if (trigger.catchAll) {
          // Every request no route matches: a 404 problem document instead of API Gateway's own.
          new HttpRoute(this, `Route-${decl.name}-default`, { httpApi: this.api, routeKey: HttpRouteKey.DEFAULT, integration: new HttpLambdaIntegration(`Int-${decl.name}-default`, fn) });
        }
      } else if (trigger.kind === 'queue') {
        fn.addEventSource(
          new SqsEventSource(this.queues[trigger.queue].queue, {
            batchSize: trigger.batchSize,
            maxConcurrency: trigger.maxConcurrency,
            reportBatchItemFailures: true,
            ...(trigger.maxBatchingWindowSeconds ? { maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds) } : {}),
          }),
        );
      } else if (trigger.kind === 'subscriptions') {
        for (const s of this.subscriptions) {
          fn.addEventSource(
            new SqsEventSource(s.queue.queue, {
              batchSize: trigger.batchSize,
              maxConcurrency: trigger.maxConcurrency,
              reportBatchItemFailures: true,
              ...(trigger.maxBatchingWindowSeconds ? { maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds) } : {}),
            }),
          );
          // A refused or exhausted delivery is kept in the DLQ by the function itself.
          s.queue.dlq.grantSendMessages(fn);
          s.secret.grantRead(fn);
        }
      } else {
        new Rule(this, `Schedule-${decl.name}`, {
          description: `Runs ${decl.name} every ${trigger.rateMinutes} minutes`,
          schedule: Schedule.rate(Duration.minutes(trigger.rateMinutes)),
          targets: [new LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
        });
      }
    }

    this.monitoring = new HubMonitoring(this, 'Monitoring', {
      functions: functionList().map((d) => ({ name: d.name, fn: this.functions[d.name].fn, metrics: d.metrics ?? [], alarms: d.alarms ?? [] })),
      queues: [
        ...(Object.keys(this.queues) as QueueName[]).map((name) => ({ name, queue: this.queues[name] })),
        ...this.subscriptions.map((s) => ({ name: `subscription ${s.subscription.id}`, queue: s.queue })),
      ],
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the HTTP API (webhooks and operator API)' });
    for (const decl of functionList()) {
      if (decl.trigger.kind !== 'http') continue;
      for (const route of decl.trigger.routes) {
        if (!route.path.startsWith('/webhooks/')) continue;
        const vendor = route.path.split('/')[2] ?? decl.name;
        new CfnOutput(this, `WebhookUrl${vendor.replace(/[^A-Za-z0-9]/g, '')}`, {
          value: `${stage.url.replace(/\/$/, '')}${route.path}`,
          description: route.path.includes('{token}')
            ? `${vendor} webhook URL: replace {token} with the token in the secret's generated key (README "Registering webhooks")`
            : `${vendor} webhook URL`,
        });
      }
    }
    for (const [name, secret] of Object.entries(this.secrets)) {
      new CfnOutput(this, `Secret${name.replace(/[^A-Za-z0-9]/g, '')}`, { value: secret.secretName, description: `Secrets Manager secret for ${name}` });
    }
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${this.monitoring.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName, description: 'EventBridge bus with every event (rules of your own can read it)' });
    new CfnOutput(this, 'EventArchiveName', { value: this.archive.archiveName, description: 'Archive of the event bus (replay a window with aws events start-replay)' });
    for (const s of this.subscriptions) {
      new CfnOutput(this, `SubscriptionSecret${s.subscription.id.replace(/[^A-Za-z0-9]/g, '')}`, {
        value: s.secret.secretName,
        description: `Signing secret of subscription ${s.subscription.id}: give the subscriber whsec_ + its ${SIGNING_SECRET_KEY}`,
      });
    }

    acknowledgeNagFindings(this);
    if (this.dataKey) acknowledgeDataKeyFindings(this);
    for (const [name, table] of Object.entries(this.tables) as [TableName, TableV2][]) {
      if ((tables[name] as TableDecl).indexes?.length) acknowledgeTableIndexFindings(this, table);
    }
  }
}
