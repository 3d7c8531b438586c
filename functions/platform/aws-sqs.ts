import { SQSClient } from '@aws-sdk/client-sqs';
import { HUB_CLIENT_CONFIG, hubClient } from './aws-client.ts';

/**
 * The SQS client, created once per process (see `aws.ts`, which re-exports it beside the DynamoDB
 * client). Apart from `aws.ts` so that a module that only sends messages loads no DynamoDB client.
 */
// With a custom endpoint (fauxqs locally) the queue URL's host is not resolvable, so requests go to
// the endpoint; on AWS no endpoint is set and the queue URL host is the regional endpoint anyway.
export const sqs = hubClient(new SQSClient({ ...HUB_CLIENT_CONFIG, useQueueUrlAsEndpoint: !process.env.AWS_ENDPOINT_URL_SQS }));
