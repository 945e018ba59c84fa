/**
 * The physical names, ARNs and attribute values that CloudFormation would give each resource, computed
 * locally and deterministically (no randomness, so a restart finds the same tables again).
 *
 * ARNs use the formats AWS uses. Where CloudFormation would add a random suffix, the suffix is a hash of
 * the stack name and logical id. Where a value is a URL (SQS queues, AppSync endpoints), the local
 * endpoints are used when given, else the AWS-shaped URL.
 */
import { IntrinsicError } from '../errors';
import { partitionOf } from './intrinsics';
import { generatedName, hashChars, hashLowerChars, hashUuid } from './naming';

/** Local endpoints that show up in `Ref`/`Fn::GetAtt` values. */
export interface LocalEndpoints {
  /**
   * Base URL of the local SQS endpoint, e.g. `http://127.0.0.1:9324`; a queue's `Ref` is
   * `<base>/<account>/<queue name>`.
   * @default `https://sqs.<region>.amazonaws.com`
   */
  readonly sqs?: string;
  /**
   * Base URL of the local AppSync server, e.g. `http://127.0.0.1:4000`, or a function of the API id
   * when several APIs are served. `GraphQLUrl` is `<base>/graphql`, `RealtimeUrl` is the same URL with
   * `ws(s)://` and `/graphql/realtime` (what AWS clients derive for a custom domain).
   * @default the AWS-shaped `https://<apiId>.appsync-api.<region>.amazonaws.com/graphql`
   */
  readonly appSync?: string | ((apiId: string) => string);
  /**
   * API key values by the `AWS::AppSync::ApiKey` logical id.
   * @default a deterministic `da2-` followed by 26 lower-case letters and digits
   */
  readonly apiKeys?: Readonly<Record<string, string>>;
}

/** What a rule needs to know about the resource whose physical id it computes. */
export interface PhysicalIdInput {
  readonly logicalId: string;
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly endpoints: LocalEndpoints;
  /** The resource property `name`, with intrinsics resolved; `undefined` when absent. */
  prop(name: string): unknown;
}

/** A resource's `Ref` value and its `Fn::GetAtt` attributes. */
export interface PhysicalResource {
  readonly type: string;
  readonly ref: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

type PhysicalIdRule = (input: PhysicalIdInput) => Omit<PhysicalResource, 'type'>;

// ---- ARN formats --------------------------------------------------------------------------------

/**
 * `arn:<partition>:dynamodb:<region>:<account>:table/<name>`.
 *
 * @example
 * dynamoDbTableArn('eu-west-1', '000000000000', 'events'); // 'arn:aws:dynamodb:eu-west-1:000000000000:table/events'
 */
export function dynamoDbTableArn(region: string, accountId: string, tableName: string): string {
  return `arn:${partitionOf(region)}:dynamodb:${region}:${accountId}:table/${tableName}`;
}

/**
 * `arn:<partition>:lambda:<region>:<account>:function:<name>`.
 *
 * @example
 * lambdaFunctionArn('eu-west-1', '000000000000', 'fn'); // 'arn:aws:lambda:eu-west-1:000000000000:function:fn'
 */
export function lambdaFunctionArn(region: string, accountId: string, functionName: string): string {
  return `arn:${partitionOf(region)}:lambda:${region}:${accountId}:function:${functionName}`;
}

/**
 * `arn:<partition>:iam::<account>:role<path><name>` (IAM is global: no region in the ARN).
 *
 * @example
 * iamRoleArn('eu-west-1', '000000000000', 'app-role'); // 'arn:aws:iam::000000000000:role/app-role'
 */
export function iamRoleArn(region: string, accountId: string, roleName: string, path = '/'): string {
  return `arn:${partitionOf(region)}:iam::${accountId}:role${path}${roleName}`;
}

/**
 * `arn:<partition>:events:<region>:<account>:event-bus/<name>`.
 *
 * @example
 * eventBusArn('eu-west-1', '000000000000', 'core'); // 'arn:aws:events:eu-west-1:000000000000:event-bus/core'
 */
export function eventBusArn(region: string, accountId: string, busName: string): string {
  return `arn:${partitionOf(region)}:events:${region}:${accountId}:event-bus/${busName}`;
}

/**
 * A rule ARN: `…:rule/<name>` on the default bus, `…:rule/<bus>/<name>` on a custom bus.
 *
 * @example
 * eventRuleArn('eu-west-1', '000000000000', 'on-created', 'core'); // 'arn:aws:events:eu-west-1:000000000000:rule/core/on-created'
 */
export function eventRuleArn(region: string, accountId: string, ruleName: string, busName?: string): string {
  const bus = busName === undefined || busName === 'default' ? '' : `${busName}/`;
  return `arn:${partitionOf(region)}:events:${region}:${accountId}:rule/${bus}${ruleName}`;
}

/**
 * `arn:<partition>:sqs:<region>:<account>:<name>`.
 *
 * @example
 * sqsQueueArn('eu-west-1', '000000000000', 'dlq'); // 'arn:aws:sqs:eu-west-1:000000000000:dlq'
 */
export function sqsQueueArn(region: string, accountId: string, queueName: string): string {
  return `arn:${partitionOf(region)}:sqs:${region}:${accountId}:${queueName}`;
}

/**
 * A queue URL: `<endpoint>/<account>/<name>`.
 *
 * @example
 * sqsQueueUrl('http://127.0.0.1:9324', '000000000000', 'dlq'); // 'http://127.0.0.1:9324/000000000000/dlq'
 */
export function sqsQueueUrl(endpoint: string, accountId: string, queueName: string): string {
  return `${endpoint.replace(/\/+$/, '')}/${accountId}/${queueName}`;
}

/**
 * `arn:<partition>:appsync:<region>:<account>:apis/<apiId>`.
 *
 * @example
 * appSyncApiArn('eu-west-1', '000000000000', 'abc'); // 'arn:aws:appsync:eu-west-1:000000000000:apis/abc'
 */
export function appSyncApiArn(region: string, accountId: string, apiId: string): string {
  return `arn:${partitionOf(region)}:appsync:${region}:${accountId}:apis/${apiId}`;
}

/**
 * `arn:<partition>:states:<region>:<account>:stateMachine:<name>`.
 *
 * @example
 * stateMachineArn('eu-west-1', '000000000000', 'Flow'); // 'arn:aws:states:eu-west-1:000000000000:stateMachine:Flow'
 */
export function stateMachineArn(region: string, accountId: string, name: string): string {
  return `arn:${partitionOf(region)}:states:${region}:${accountId}:stateMachine:${name}`;
}

/**
 * The name in an event bus ARN (`…:event-bus/<name>`), or the value itself when it is already a name.
 *
 * @example
 * eventBusNameOf('arn:aws:events:eu-west-1:000000000000:event-bus/core'); // 'core'
 */
export function eventBusNameOf(nameOrArn: string): string {
  const marker = ':event-bus/';
  const at = nameOrArn.indexOf(marker);
  return nameOrArn.startsWith('arn:') && at >= 0 ? nameOrArn.slice(at + marker.length) : nameOrArn;
}

// ---- rules per resource type --------------------------------------------------------------------

function stringProp(input: PhysicalIdInput, name: string): string | undefined {
  const value = input.prop(name);
  if (value === undefined || typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new IntrinsicError(
    'INVALID_PROPERTY',
    `${input.logicalId}.${name} must be a string, got ${JSON.stringify(value)}`,
    { where: `Resources.${input.logicalId}.Properties.${name}`, logicalId: input.logicalId },
  );
}

function requiredStringProp(input: PhysicalIdInput, name: string): string {
  const value = stringProp(input, name);
  if (value !== undefined) return value;
  throw new IntrinsicError('INVALID_PROPERTY', `${input.logicalId}.${name} is required to compute its physical id`, {
    where: `Resources.${input.logicalId}.Properties.${name}`,
    logicalId: input.logicalId,
  });
}

function nameOrGenerated(input: PhysicalIdInput, property: string, maxLength: number, suffixLength = 12): string {
  return (
    stringProp(input, property) ??
    generatedName({ stackName: input.stackName, logicalId: input.logicalId, maxLength, suffixLength })
  );
}

/** A stable seed for ids that AWS draws at random. */
function seed(input: PhysicalIdInput, kind: string): string {
  return `${kind}:${input.region}:${input.accountId}:${input.stackName}/${input.logicalId}`;
}

function appSyncEndpoints(input: PhysicalIdInput, apiId: string): Record<string, string> {
  const configured = input.endpoints.appSync;
  const base = typeof configured === 'function' ? configured(apiId) : configured;
  if (base === undefined) {
    const graphQlDns = `${apiId}.appsync-api.${input.region}.amazonaws.com`;
    const realtimeDns = `${apiId}.appsync-realtime-api.${input.region}.amazonaws.com`;
    return {
      GraphQLUrl: `https://${graphQlDns}/graphql`,
      GraphQLDns: graphQlDns,
      RealtimeUrl: `wss://${realtimeDns}/graphql`,
      RealtimeDns: realtimeDns,
    };
  }
  const url = new URL(base);
  const root = base.replace(/\/+$/, '');
  const wsRoot = root.replace(/^http/, 'ws');
  return {
    GraphQLUrl: `${root}/graphql`,
    GraphQLDns: url.host,
    RealtimeUrl: `${wsRoot}/graphql/realtime`,
    RealtimeDns: url.host,
  };
}

const RULES: Readonly<Record<string, PhysicalIdRule>> = {
  'AWS::DynamoDB::Table': (input) => {
    const name = nameOrGenerated(input, 'TableName', 255, 8);
    const arn = dynamoDbTableArn(input.region, input.accountId, name);
    const attributes: Record<string, unknown> = { Arn: arn };
    // A stream exists only when StreamSpecification is set; its label is a creation timestamp on AWS.
    if (input.prop('StreamSpecification') !== undefined)
      attributes['StreamArn'] = `${arn}/stream/1970-01-01T00:00:00.000`;
    return { ref: name, attributes };
  },
  'AWS::Lambda::Function': (input) => {
    const name = nameOrGenerated(input, 'FunctionName', 64);
    return {
      ref: name,
      attributes: {
        Arn: lambdaFunctionArn(input.region, input.accountId, name),
        'SnapStartResponse.ApplyOn': 'None',
        'SnapStartResponse.OptimizationStatus': 'Off',
      },
    };
  },
  // The Ref format of an event-invoke config is not documented precisely; locally it is
  // `<function>|<qualifier>`, which nothing in a CDK template reads.
  'AWS::Lambda::EventInvokeConfig': (input) => {
    const fn = requiredStringProp(input, 'FunctionName');
    const functionName = fn.startsWith('arn:') ? (fn.split(':')[6] ?? fn) : fn;
    return { ref: `${functionName}|${stringProp(input, 'Qualifier') ?? '$LATEST'}`, attributes: {} };
  },
  'AWS::IAM::Role': (input) => {
    const name = nameOrGenerated(input, 'RoleName', 64);
    const path = stringProp(input, 'Path') ?? '/';
    return {
      ref: name,
      attributes: {
        Arn: iamRoleArn(input.region, input.accountId, name, path),
        RoleId: `AROA${hashChars(seed(input, 'role'), 17)}`,
      },
    };
  },
  'AWS::IAM::Policy': (input) => {
    const id = generatedName({
      stackName: input.stackName,
      logicalId: input.logicalId,
      maxLength: 128,
      suffixLength: 12,
    });
    return { ref: id, attributes: { Id: id } };
  },
  'AWS::IAM::ManagedPolicy': (input) => {
    const name = nameOrGenerated(input, 'ManagedPolicyName', 128);
    const arn = `arn:${partitionOf(input.region)}:iam::${input.accountId}:policy${stringProp(input, 'Path') ?? '/'}${name}`;
    return { ref: arn, attributes: { PolicyArn: arn, PolicyId: `ANPA${hashChars(seed(input, 'policy'), 17)}` } };
  },
  'AWS::Events::EventBus': (input) => {
    const name = nameOrGenerated(input, 'Name', 256);
    return { ref: name, attributes: { Arn: eventBusArn(input.region, input.accountId, name), Name: name } };
  },
  'AWS::Events::Rule': (input) => {
    const name = nameOrGenerated(input, 'Name', 64);
    const busProp = stringProp(input, 'EventBusName');
    const bus = busProp === undefined ? undefined : eventBusNameOf(busProp);
    const custom = bus !== undefined && bus !== 'default';
    // Ref of a rule on a custom bus is reported as `<bus>|<rule>` (unconfirmed in AWS docs).
    return {
      ref: custom ? `${bus}|${name}` : name,
      attributes: { Arn: eventRuleArn(input.region, input.accountId, name, bus) },
    };
  },
  'AWS::SQS::Queue': (input) => {
    const fifoProp = input.prop('FifoQueue');
    const fifo = fifoProp === true || fifoProp === 'true';
    const explicit = stringProp(input, 'QueueName');
    const name =
      explicit ??
      `${generatedName({ stackName: input.stackName, logicalId: input.logicalId, maxLength: fifo ? 75 : 80, suffixLength: 12 })}${fifo ? '.fifo' : ''}`;
    const url = sqsQueueUrl(input.endpoints.sqs ?? `https://sqs.${input.region}.amazonaws.com`, input.accountId, name);
    return {
      ref: url,
      attributes: { Arn: sqsQueueArn(input.region, input.accountId, name), QueueName: name, QueueUrl: url },
    };
  },
  'AWS::AppSync::GraphQLApi': (input) => {
    const apiId = hashLowerChars(seed(input, 'appsync'), 26);
    const arn = appSyncApiArn(input.region, input.accountId, apiId);
    return {
      ref: arn,
      attributes: {
        ApiId: apiId,
        Arn: arn,
        ...appSyncEndpoints(input, apiId),
        // Format not confirmed against a real account.
        GraphQLEndpointArn: `arn:${partitionOf(input.region)}:appsync:${input.region}:${input.accountId}:endpoints/graphql-api/${apiId}`,
      },
    };
  },
  'AWS::AppSync::ApiKey': (input) => {
    const apiId = requiredStringProp(input, 'ApiId');
    const key = input.endpoints.apiKeys?.[input.logicalId] ?? `da2-${hashLowerChars(seed(input, 'apikey'), 26)}`;
    const arn = `${appSyncApiArn(input.region, input.accountId, apiId)}/apikey/${key}`;
    return { ref: arn, attributes: { ApiKey: key, ApiKeyId: key, Arn: arn } };
  },
  'AWS::AppSync::DataSource': (input) => {
    const apiId = requiredStringProp(input, 'ApiId');
    const name = requiredStringProp(input, 'Name');
    const arn = `${appSyncApiArn(input.region, input.accountId, apiId)}/datasources/${name}`;
    return { ref: arn, attributes: { DataSourceArn: arn, Name: name } };
  },
  'AWS::AppSync::Resolver': (input) => {
    const apiId = requiredStringProp(input, 'ApiId');
    const typeName = requiredStringProp(input, 'TypeName');
    const fieldName = requiredStringProp(input, 'FieldName');
    const arn = `${appSyncApiArn(input.region, input.accountId, apiId)}/types/${typeName}/resolvers/${fieldName}`;
    return { ref: arn, attributes: { ResolverArn: arn, TypeName: typeName, FieldName: fieldName } };
  },
  'AWS::AppSync::FunctionConfiguration': (input) => {
    const apiId = requiredStringProp(input, 'ApiId');
    const functionId = hashLowerChars(seed(input, 'appsync-function'), 26);
    const arn = `${appSyncApiArn(input.region, input.accountId, apiId)}/functions/${functionId}`;
    return {
      ref: arn,
      attributes: {
        FunctionArn: arn,
        FunctionId: functionId,
        Name: stringProp(input, 'Name'),
        DataSourceName: stringProp(input, 'DataSourceName'),
      },
    };
  },
  'AWS::StepFunctions::StateMachine': (input) => {
    const name =
      stringProp(input, 'StateMachineName') ??
      generatedName({
        stackName: input.stackName,
        logicalId: input.logicalId,
        maxLength: 80,
        suffixLength: 12,
        withoutStackName: true,
      });
    const arn = stateMachineArn(input.region, input.accountId, name);
    return { ref: arn, attributes: { Arn: arn, Name: name } };
  },
  'AWS::Logs::LogGroup': (input) => {
    const name = nameOrGenerated(input, 'LogGroupName', 512);
    return {
      ref: name,
      attributes: {
        Arn: `arn:${partitionOf(input.region)}:logs:${input.region}:${input.accountId}:log-group:${name}:*`,
      },
    };
  },
  'AWS::DynamoDB::GlobalTable': (input) => {
    const name = nameOrGenerated(input, 'TableName', 255, 8);
    const arn = dynamoDbTableArn(input.region, input.accountId, name);
    const attributes: Record<string, unknown> = { Arn: arn, TableId: hashUuid(seed(input, 'table')) };
    if (input.prop('StreamSpecification') !== undefined)
      attributes['StreamArn'] = `${arn}/stream/1970-01-01T00:00:00.000`;
    return { ref: name, attributes };
  },
};

/** Resource types whose `Ref` and attributes the local runtime computes. */
export const MODELLED_RESOURCE_TYPES: readonly string[] = Object.keys(RULES);

/**
 * The `Ref` value and attributes of one resource, or `undefined` when the type is not modelled.
 *
 * @example
 * physicalResource('AWS::DynamoDB::Table', {
 *   logicalId: 'Events', stackName: 'Core', region: 'eu-west-1', accountId: '000000000000',
 *   endpoints: {}, prop: () => undefined,
 * });
 * // { type: 'AWS::DynamoDB::Table', ref: 'Core-Events-XXXXXXXX', attributes: { Arn: 'arn:aws:dynamodb:…:table/Core-Events-XXXXXXXX' } }
 */
export function physicalResource(type: string, input: PhysicalIdInput): PhysicalResource | undefined {
  const rule = RULES[type];
  return rule ? { type, ...rule(input) } : undefined;
}
