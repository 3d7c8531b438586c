import { Validations } from 'aws-cdk-lib';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';

const ack = (scope: Construct, id: string, reason: string): void => Validations.of(scope).acknowledge({ id: `AwsSolutions::${id}`, reason });

/** Findings every hub function carries, acknowledged on the function's construct. */
export function acknowledgeFunctionFindings(fn: Construct): void {
  ack(
    fn,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    "AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs; it is AWS's maintained minimum for Lambda.",
  );
  ack(fn, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions.');
}

/** A grant on a table with indexes covers `<table>/index/*`: queries need every index of the one table. */
export function acknowledgeTableIndexFindings(stack: Stack, table: TableV2): void {
  const logicalId = stack.getLogicalId(table.node.defaultChild as CfnElement);
  ack(stack, `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`, `Queries use the indexes of this one table only (CDK grant scoped to ${table.node.id}).`);
}

/**
 * Stack-wide findings the hub accepts, each with its reason. Anything not acknowledged fails the synth.
 */
export function acknowledgeNagFindings(stack: Stack): void {
  ack(
    stack,
    'AwsSolutions-APIG4',
    'Vendors cannot send IAM or JWT credentials. Webhooks are authenticated in the function (a secret path token or an HMAC signature, as each vendor supports); the operator API checks a bearer token from Secrets Manager in the function.',
  );
  ack(stack, 'AwsSolutions-COG4', 'No Cognito: callers are vendor webhooks and operator tools with a bearer token (see APIG4).');
  ack(
    stack,
    'AwsSolutions-SMG4',
    'Vendor credentials are issued by the vendors and webhook tokens are registered with them by e-mail, so rotation is an operator procedure (README "Rotating secrets"), not a rotation Lambda.',
  );
}

/** The KMS grants CDK writes for a table or a queue encrypted with the customer-managed key (one key ARN, never `*`). */
export function acknowledgeDataKeyFindings(stack: Stack): void {
  for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
    ack(stack, `AwsSolutions-IAM5[Action::${action}]`, `CDK's grant for the hub's one data key (tables and queues): ${action} names the ReEncryptFrom/To or GenerateDataKey(WithoutPlaintext) variants on that key's ARN only.`);
  }
}
