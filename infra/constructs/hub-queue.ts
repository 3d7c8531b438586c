import { Duration, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface HubQueueProps {
  /** Visibility timeout; at least 6x the consumer's timeout. */
  readonly visibilityTimeoutSeconds: number;
  /** @default 5 */
  readonly maxReceiveCount?: number;
  /** @default 4 */
  readonly retentionDays?: number;
  /** Longer than the source's. @default 14 */
  readonly dlqRetentionDays?: number;
  /** A customer-managed KMS key for the queue and its DLQ. @default SQS-managed encryption */
  readonly encryptionKey?: IKey;
}

/** A queue with its DLQ: SSE (SQS-managed, or a customer-managed KMS key), TLS enforced, DLQ kept longer than the source. */
export class HubQueue extends Construct {
  public readonly queue: Queue;
  public readonly dlq: Queue;

  constructor(scope: Construct, id: string, props: HubQueueProps) {
    super(scope, id);
    const retention = props.retentionDays ?? 4;
    const dlqRetention = props.dlqRetentionDays ?? 14;
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    // Fewer receives than 5 sends messages to the DLQ on short, ordinary hiccups (throttling, a deploy).
    if (maxReceiveCount < 5) throw new Error(`${id}: maxReceiveCount must be at least 5, got ${maxReceiveCount}`);
    if (dlqRetention <= retention) throw new Error(`${id}: DLQ retention (${dlqRetention} d) must be longer than the queue's (${retention} d)`);
    const encryption = props.encryptionKey ? { encryption: QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey } : { encryption: QueueEncryption.SQS_MANAGED };
    this.dlq = new Queue(this, 'Dlq', {
      ...encryption,
      enforceSSL: true,
      retentionPeriod: Duration.days(dlqRetention),
    });
    Validations.of(this.dlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue.' });
    this.queue = new Queue(this, 'Queue', {
      ...encryption,
      enforceSSL: true,
      retentionPeriod: Duration.days(retention),
      visibilityTimeout: Duration.seconds(props.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount },
    });
  }
}
