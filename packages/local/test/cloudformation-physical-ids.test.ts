import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createStackContext, generatedName, parseTemplate, type StackContextOptions } from '../src/cloudformation';
import type { IntrinsicError } from '../src/errors';

const template = parseTemplate(
  JSON.parse(readFileSync(join(__dirname, 'fixtures/templates/physical-ids.template.json'), 'utf8')),
  'physical-ids.template.json',
);
const base: StackContextOptions = { template, stackName: 'Core', region: 'eu-west-1', accountId: '000000000000' };
const local = createStackContext({
  ...base,
  endpoints: { sqs: 'http://127.0.0.1:9324', appSync: 'http://127.0.0.1:4000/', apiKeys: { ApiKey: 'da2-localkey' } },
});
const aws = createStackContext(base);
const r = (id: string) => local.resolve({ Ref: id });
const att = (id: string, attribute: string) => local.resolve({ 'Fn::GetAtt': [id, attribute] });

describe('generated names', () => {
  it('are <stack>-<logical>-<suffix>, the same on every run, and shortened to the limit', () => {
    const name = generatedName({ stackName: 'Core', logicalId: 'Events', maxLength: 255, suffixLength: 8 });
    expect(name).toMatch(/^Core-Events-[A-Z0-9]{8}$/);
    expect(generatedName({ stackName: 'Core', logicalId: 'Events', maxLength: 255, suffixLength: 8 })).toBe(name);
    expect(generatedName({ stackName: 'Core', logicalId: 'Other', maxLength: 255, suffixLength: 8 })).not.toBe(name);
    const long = generatedName({
      stackName: 'S'.repeat(60),
      logicalId: 'L'.repeat(60),
      maxLength: 64,
      suffixLength: 12,
    });
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^S{25}-L{25}-[A-Z0-9]{12}$/);
    expect(generatedName({ stackName: 'Core', logicalId: 'L'.repeat(60), maxLength: 64, suffixLength: 12 })).toMatch(
      /^Core-L{46}-[A-Z0-9]{12}$/,
    );
  });

  it('do not change between two contexts (a restart keeps the same table names)', () => {
    const again = createStackContext(base);
    expect(again.resolve({ Ref: 'UnnamedTable' })).toBe(aws.resolve({ Ref: 'UnnamedTable' }));
    expect(again.resolve({ Ref: 'Fn' })).toBe(aws.resolve({ Ref: 'Fn' }));
  });
});

describe('DynamoDB tables', () => {
  it('use TableName or a generated name with an 8-character suffix, and table ARNs', () => {
    expect(r('NamedTable')).toBe('events');
    expect(att('NamedTable', 'Arn')).toBe('arn:aws:dynamodb:eu-west-1:000000000000:table/events');
    expect(att('NamedTable', 'StreamArn')).toMatch(/^arn:aws:dynamodb:eu-west-1:000000000000:table\/events\/stream\//);
    expect(r('UnnamedTable')).toMatch(/^Core-UnnamedTable-[A-Z0-9]{8}$/);
  });

  it('have no StreamArn without a stream', () => {
    expect(() => att('UnnamedTable', 'StreamArn')).toThrow(expect.objectContaining({ code: 'UNKNOWN_ATTRIBUTE' }));
  });
});

describe('Lambda and IAM', () => {
  it('names functions and formats their ARNs', () => {
    expect(r('NamedFn')).toBe('named-fn');
    expect(att('NamedFn', 'Arn')).toBe('arn:aws:lambda:eu-west-1:000000000000:function:named-fn');
    expect(r('Fn')).toMatch(/^Core-Fn-[A-Z0-9]{12}$/);
    expect(local.resolve({ 'Fn::GetAtt': 'Fn.SnapStartResponse.ApplyOn' })).toBe('None');
  });

  it('formats role ARNs with their path and a role id', () => {
    expect(att('PathRole', 'Arn')).toBe('arn:aws:iam::000000000000:role/service/app');
    expect(att('FnRole', 'Arn')).toMatch(/^arn:aws:iam::000000000000:role\/Core-FnRole-[A-Z0-9]{12}$/);
    expect(att('FnRole', 'RoleId')).toMatch(/^AROA[A-Z0-9]{17}$/);
  });

  it('gives event-invoke configs an id made of the function and qualifier', () => {
    expect(r('InvokeConfig')).toBe(`${String(r('Fn'))}|$LATEST`);
  });

  it('reports types it does not model by their type', () => {
    const error = (() => {
      try {
        return r('Permission');
      } catch (e) {
        return e as IntrinsicError;
      }
    })() as IntrinsicError;
    expect(error.code).toBe('UNKNOWN_REFERENCE');
    expect(error.message).toContain('AWS::Lambda::Permission');
  });
});

describe('EventBridge', () => {
  it('names buses and formats bus ARNs', () => {
    expect(r('Bus')).toBe('core-bus');
    expect(att('Bus', 'Arn')).toBe('arn:aws:events:eu-west-1:000000000000:event-bus/core-bus');
    expect(att('Bus', 'Name')).toBe('core-bus');
  });

  it('uses <bus>|<rule> as the Ref of a rule on a custom bus, and puts the bus in its ARN', () => {
    expect(r('RuleOnBus')).toBe('core-bus|on-created');
    expect(att('RuleOnBus', 'Arn')).toBe('arn:aws:events:eu-west-1:000000000000:rule/core-bus/on-created');
    expect(r('RuleOnBusArn')).toMatch(/^core-bus\|Core-RuleOnBusArn-[A-Z0-9]{12}$/);
  });

  it('uses the plain rule name on the default bus', () => {
    expect(r('RuleOnDefault')).toBe('nightly');
    expect(att('RuleOnDefault', 'Arn')).toBe('arn:aws:events:eu-west-1:000000000000:rule/nightly');
  });
});

describe('SQS', () => {
  it('answers Ref with the local queue URL', () => {
    const name = String(att('Queue', 'QueueName'));
    expect(name).toMatch(/^Core-Queue-[A-Z0-9]{12}$/);
    expect(r('Queue')).toBe(`http://127.0.0.1:9324/000000000000/${name}`);
    expect(att('Queue', 'QueueUrl')).toBe(r('Queue'));
    expect(att('Queue', 'Arn')).toBe(`arn:aws:sqs:eu-west-1:000000000000:${name}`);
    expect(att('FifoQueue', 'QueueName')).toMatch(/^Core-FifoQueue-[A-Z0-9]{12}\.fifo$/);
  });

  it('answers the AWS-shaped URL without a local endpoint', () => {
    expect(aws.resolve({ Ref: 'Queue' })).toMatch(
      /^https:\/\/sqs\.eu-west-1\.amazonaws\.com\/000000000000\/Core-Queue-/,
    );
  });
});

describe('AppSync', () => {
  it('answers Ref with the API ARN and gives local URLs', () => {
    const apiId = String(att('Api', 'ApiId'));
    expect(apiId).toMatch(/^[a-z0-9]{26}$/);
    expect(r('Api')).toBe(`arn:aws:appsync:eu-west-1:000000000000:apis/${apiId}`);
    expect(att('Api', 'Arn')).toBe(r('Api'));
    expect(att('Api', 'GraphQLUrl')).toBe('http://127.0.0.1:4000/graphql');
    expect(att('Api', 'RealtimeUrl')).toBe('ws://127.0.0.1:4000/graphql/realtime');
    expect(att('Api', 'GraphQLDns')).toBe('127.0.0.1:4000');
    expect(att('Api', 'RealtimeDns')).toBe('127.0.0.1:4000');
  });

  it('gives AWS-shaped URLs without a local endpoint', () => {
    const apiId = String(aws.resolve({ 'Fn::GetAtt': ['Api', 'ApiId'] }));
    expect(aws.resolve({ 'Fn::GetAtt': ['Api', 'GraphQLUrl'] })).toBe(
      `https://${apiId}.appsync-api.eu-west-1.amazonaws.com/graphql`,
    );
    expect(aws.resolve({ 'Fn::GetAtt': ['Api', 'RealtimeDns'] })).toBe(
      `${apiId}.appsync-realtime-api.eu-west-1.amazonaws.com`,
    );
  });

  it('uses the API key given, else a deterministic da2- key', () => {
    expect(att('ApiKey', 'ApiKey')).toBe('da2-localkey');
    expect(r('ApiKey')).toBe(
      `arn:aws:appsync:eu-west-1:000000000000:apis/${String(att('Api', 'ApiId'))}/apikey/da2-localkey`,
    );
    expect(aws.resolve({ 'Fn::GetAtt': ['ApiKey', 'ApiKey'] })).toMatch(/^da2-[a-z0-9]{26}$/);
  });

  it('formats data source ARNs under the API', () => {
    expect(att('DataSource', 'DataSourceArn')).toBe(`${String(r('Api'))}/datasources/fnDs`);
  });
});

describe('Step Functions', () => {
  it('answers Ref with the state machine ARN', () => {
    expect(r('NamedFlow')).toBe('arn:aws:states:eu-west-1:000000000000:stateMachine:checkout');
    expect(att('NamedFlow', 'Name')).toBe('checkout');
    expect(att('Flow', 'Name')).toMatch(/^Flow-[A-Z0-9]{12}$/);
  });
});

describe('dependencies between physical ids', () => {
  it('reports a circular reference with the chain', () => {
    expect(() => r('LoopA')).toThrow(
      expect.objectContaining({
        code: 'CIRCULAR_REFERENCE',
        message: expect.stringContaining('LoopA → LoopB → LoopA'),
      }),
    );
  });
});
