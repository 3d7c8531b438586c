import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, Metric, TextWidget, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { AlarmDecl } from '#infra/topology/index.ts';
import type { HubQueue } from './hub-queue.ts';

/** CloudWatch namespace of the hub's custom metrics (Powertools EMF). */
export const METRICS_NAMESPACE = 'Switchboard';

export interface MonitoredFunction {
  readonly name: string;
  readonly fn: NodejsFunction;
  readonly metrics: readonly string[];
  readonly alarms: readonly AlarmDecl[];
}

export interface HubMonitoringProps {
  readonly functions: readonly MonitoredFunction[];
  readonly queues: readonly { readonly name: string; readonly queue: HubQueue }[];
  /** E-mail subscribed to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
  /** Oldest-message age that raises an alarm. @default 15 minutes */
  readonly maxMessageAge?: Duration;
}

/**
 * The operators' view: one dashboard (custom metrics per function, queue depth, age and DLQs, Lambda
 * errors/throttles/duration) and alarms to an encrypted SNS topic: any DLQ not empty, oldest message
 * too old, function errors and throttles, and the custom alarms the topology declares.
 */
export class HubMonitoring extends Construct {
  public readonly topic: Topic;
  public readonly dashboard: Dashboard;
  public readonly alarms: Alarm[] = [];

  /**
   * A quiet-source alarm: the metric's sum stayed below the threshold in every period of the window
   * (no data is quiet too). Up to an hour the window is one period; longer, whole hours.
   */
  private quietAlarm(alarmId: string, fnName: string, a: AlarmDecl, minutes: number, action: SnsAction): void {
    const hours = minutes > 60 ? Math.ceil(minutes / 60) : 0;
    const metric = new Metric({ namespace: METRICS_NAMESPACE, metricName: a.metric, dimensionsMap: { service: fnName }, statistic: 'Sum', period: hours ? Duration.hours(1) : Duration.minutes(minutes) });
    const q = new Alarm(this, alarmId, {
      metric,
      threshold: a.threshold,
      evaluationPeriods: hours || 1,
      datapointsToAlarm: hours || 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
      alarmDescription: `${a.description} (window ${minutes} minutes)`,
    });
    q.addAlarmAction(action);
    q.addOkAction(action);
    this.alarms.push(q);
  }

  constructor(scope: Construct, id: string, props: HubMonitoringProps) {
    super(scope, id);
    const key = new Key(this, 'AlarmKey', { enableKeyRotation: true, description: 'Switchboard alarm topic' });
    // CloudWatch alarms publish to an encrypted topic only if they may use its key.
    key.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Alarms', { masterKey: key, enforceSSL: true, displayName: 'Switchboard alarms' });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string, missingIsBreaching = false): Alarm => {
      const a = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: missingIsBreaching ? TreatMissingData.BREACHING : TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };

    const period = Duration.minutes(5);
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `Switchboard-${this.node.addr.slice(0, 8)}` });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: '# Switchboard\nWebhooks in, results stored, queues and DLQs, function health. Alarms go to the SNS topic in the stack outputs. Runbook: README "Operating".',
        width: 24,
        height: 2,
      }),
    );

    const custom = props.functions.filter((f) => f.metrics.length);
    this.dashboard.addWidgets(
      ...custom.map(
        (f) =>
          new GraphWidget({
            title: `${f.name}`,
            width: 8,
            left: f.metrics.map((m) => new Metric({ namespace: METRICS_NAMESPACE, metricName: m, dimensionsMap: { service: f.name }, statistic: 'Sum', period })),
          }),
      ),
    );
    for (const f of props.functions) {
      for (const a of f.alarms) {
        if (a.quiet) {
          this.quietAlarm(`${f.name}-${a.metric}-quiet`, f.name, a, quietMinutes(this, a.quiet), action);
          continue;
        }
        const metric = new Metric({ namespace: METRICS_NAMESPACE, metricName: a.metric, dimensionsMap: { service: f.name }, statistic: a.statistic ?? 'Sum', period });
        alarm(`${f.name}-${a.metric}`, metric, a.threshold, a.description, a.missingIsBreaching);
      }
    }

    const maxAge = props.maxMessageAge ?? Duration.minutes(15);
    for (const { name, queue } of props.queues) {
      alarm(`${name}-dlq-not-empty`, queue.dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }), 1, `Messages in the ${name} DLQ: see README "Replaying a DLQ".`);
      alarm(`${name}-oldest-message`, queue.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }), maxAge.toSeconds(), `${name} is not being drained: its oldest message is older than ${maxAge.toMinutes()} minutes.`);
    }
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Queue depth', width: 8, left: props.queues.map((q) => q.queue.queue.metricApproximateNumberOfMessagesVisible({ label: q.name, period })) }),
      new GraphWidget({ title: 'Oldest message age (s)', width: 8, left: props.queues.map((q) => q.queue.queue.metricApproximateAgeOfOldestMessage({ label: q.name, period, statistic: 'Maximum' })) }),
      new GraphWidget({ title: 'DLQ depth', width: 8, left: props.queues.map((q) => q.queue.dlq.metricApproximateNumberOfMessagesVisible({ label: `${q.name} DLQ`, period, statistic: 'Maximum' })) }),
    );

    for (const { name, fn } of props.functions) {
      alarm(`${name}-errors`, fn.metricErrors({ period, statistic: 'Sum' }), 1, `${name} reported errors.`);
      alarm(`${name}-throttles`, fn.metricThrottles({ period, statistic: 'Sum' }), 1, `${name} was throttled.`);
    }
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Function errors', width: 8, left: props.functions.map((f) => f.fn.metricErrors({ label: f.name, period, statistic: 'Sum' })) }),
      new GraphWidget({ title: 'Function throttles', width: 8, left: props.functions.map((f) => f.fn.metricThrottles({ label: f.name, period, statistic: 'Sum' })) }),
      new GraphWidget({
        title: 'Duration p99 (ms)',
        width: 8,
        left: props.functions.map((f) => f.fn.metricDuration({ label: f.name, period, statistic: 'p99' })),
      }),
    );
  }
}

/** Most a quiet window may be: CloudWatch evaluates at most a day of hourly periods. */
export const MAX_QUIET_MINUTES = 1440;

/**
 * A quiet-source alarm's window in minutes: the CDK context value named by its setting
 * (`cdk deploy -c RUNGOPHER_QUIET_MINUTES=120`), else the environment variable of that name, else the
 * declared default. 5 to 1440 minutes; anything else fails the synth with the setting's name.
 */
export function quietMinutes(scope: Construct, quiet: NonNullable<AlarmDecl['quiet']>): number {
  const raw: unknown = scope.node.tryGetContext(quiet.minutesSetting) ?? process.env[quiet.minutesSetting];
  if (raw === undefined || raw === '') return quiet.defaultMinutes;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 5 || n > MAX_QUIET_MINUTES) throw new Error(`${quiet.minutesSetting} must be whole minutes from 5 to ${MAX_QUIET_MINUTES}, not ${String(raw)}`);
  return n;
}
