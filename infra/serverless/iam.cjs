// IAM statements shared by serverless.yml's per-function roles (one role per function, least
// privilege). Pulled in with `${file(./infra/serverless/iam.cjs):<path>}`; CloudFormation
// intrinsics only, so nothing here needs credentials to render.

const sub = (s) => ({ 'Fn::Sub': s });
const arn = (service, resource) =>
  sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);

/** Writes to the function's own log group only (what AWSLambdaBasicExecutionRole grants on `*`). */
const logsOf = (fn) => ({
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: arn('logs', `log-group:/aws/lambda/\${AWS::StackName}-${fn}:*`),
});

/** What a Lambda SQS event source mapping needs on its queue. */
const consumeOf = (queue) => ({
  Effect: 'Allow',
  Action: [
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:ChangeMessageVisibility',
    // the retry backoff (functions/queue/sqs-retry-delay.ts) finds the queue's URL by name
    'sqs:GetQueueUrl',
  ],
  Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
});

/** The snapshot table and its indexes (Query on `byKind`). */
const TABLE = [
  { 'Fn::GetAtt': ['SnapshotTable', 'Arn'] },
  { 'Fn::Sub': '$' + '{SnapshotTable.Arn}/index/*' },
];

/**
 * The ELBv2 actions adapters/aws-elbv2 sends (observe.ts and apply.ts, one per SDK command).
 * Describe* calls take no resource-level permissions, so AWS requires `*` for them.
 */
const ELBV2_DESCRIBE = [
  'DescribeListenerCertificates',
  'DescribeListeners',
  'DescribeLoadBalancerAttributes',
  'DescribeLoadBalancers',
  'DescribeRules',
  'DescribeTags',
  'DescribeTargetGroups',
  'DescribeTargetHealth',
  'DescribeTrustStores',
];
const ELBV2_MUTATE = [
  'AddListenerCertificates',
  'AddTags',
  'CreateListener',
  'CreateLoadBalancer',
  'CreateRule',
  'CreateTargetGroup',
  'CreateTrustStore',
  'DeleteListener',
  'DeleteLoadBalancer',
  'DeleteRule',
  'DeleteTargetGroup',
  'DeleteTrustStore',
  'DeregisterTargets',
  'ModifyListener',
  'ModifyLoadBalancerAttributes',
  'ModifyTargetGroup',
  'ModifyTrustStore',
  'RegisterTargets',
  'RemoveListenerCertificates',
  'RemoveTags',
  'SetIpAddressType',
  'SetRulePriorities',
  'SetSecurityGroups',
  'SetSubnets',
];

module.exports = {
  lambdaTrust: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  },
  logs: Object.fromEntries(
    ['ingest', 'record', 'reconcile', 'resync', 'status'].map((fn) => [fn, logsOf(fn)]),
  ),
  consume: { EventsQueue: consumeOf('EventsQueue'), ReconcileQueue: consumeOf('ReconcileQueue') },
  table: {
    readWrite: {
      Effect: 'Allow',
      Action: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
      ],
      Resource: TABLE,
    },
    read: {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
      Resource: TABLE,
    },
  },
  elbv2: {
    describe: {
      Effect: 'Allow',
      Action: ELBV2_DESCRIBE.map((a) => `elasticloadbalancing:${a}`),
      Resource: '*',
    },
    /** What resync's listOwnedKeys sends (adapters/aws-elbv2/list-owned.ts): reads, no mutation. */
    listOwned: {
      Effect: 'Allow',
      Action: ['DescribeLoadBalancers', 'DescribeTags', 'DescribeTargetGroups'].map(
        (a) => `elasticloadbalancing:${a}`,
      ),
      Resource: '*',
    },
    mutate: {
      Effect: 'Allow',
      Action: ELBV2_MUTATE.map((a) => `elasticloadbalancing:${a}`),
      Resource: ['loadbalancer/*', 'targetgroup/*', 'listener/*', 'listener-rule/*', 'truststore/*'].map(
        (r) => arn('elasticloadbalancing', r),
      ),
    },
  },
};
