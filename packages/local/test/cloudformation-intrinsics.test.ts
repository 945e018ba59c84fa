import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  createStackContext,
  evaluateCondition,
  parseTemplate,
  resolveIntrinsics,
  type IntrinsicContext,
} from '../src/cloudformation';
import type { IntrinsicError } from '../src/errors';

const REFS: Record<string, string> = { Table: 'core-table', Bus: 'core-bus' };
const ATTRIBUTES: Record<string, string> = {
  'Table/Arn': 'arn:aws:dynamodb:eu-west-1:123456789012:table/core-table',
  'Fn/SnapStartResponse.ApplyOn': 'None',
};

const ctx: IntrinsicContext = {
  region: 'eu-west-1',
  accountId: '123456789012',
  stackName: 'Core',
  ref: (id) => REFS[id],
  getAtt: (id, attr) => ATTRIBUTES[`${id}/${attr}`],
  parameters: { Stage: 'dev', Count: 3 },
  conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    Loop: { Condition: 'Loop2' },
    Loop2: { Condition: 'Loop' },
  },
  mappings: { Config: { dev: { Level: 'DEBUG' } } },
};

function thrown(fn: () => unknown): IntrinsicError {
  try {
    fn();
  } catch (error) {
    return error as IntrinsicError;
  }
  throw new Error('expected an error');
}

describe('Ref and pseudo parameters', () => {
  it('answers every pseudo parameter', () => {
    const pseudo = ['AccountId', 'Region', 'Partition', 'URLSuffix', 'StackName', 'NotificationARNs'].map((name) =>
      resolveIntrinsics({ Ref: `AWS::${name}` }, ctx),
    );
    expect(pseudo).toEqual(['123456789012', 'eu-west-1', 'aws', 'amazonaws.com', 'Core', []]);
    expect(resolveIntrinsics({ Ref: 'AWS::StackId' }, ctx)).toMatch(
      /^arn:aws:cloudformation:eu-west-1:123456789012:stack\/Core\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(resolveIntrinsics({ Ref: 'AWS::StackId' }, ctx)).toBe(resolveIntrinsics({ Ref: 'AWS::StackId' }, ctx));
  });

  it('derives the partition from the region', () => {
    expect(resolveIntrinsics({ Ref: 'AWS::Partition' }, { ...ctx, region: 'cn-north-1' })).toBe('aws-cn');
    expect(resolveIntrinsics({ Ref: 'AWS::URLSuffix' }, { ...ctx, region: 'cn-north-1' })).toBe('amazonaws.com.cn');
    expect(resolveIntrinsics({ Ref: 'AWS::Partition' }, { ...ctx, region: 'us-gov-west-1' })).toBe('aws-us-gov');
  });

  it('looks up parameters before resources', () => {
    expect(resolveIntrinsics({ Ref: 'Stage' }, ctx)).toBe('dev');
    expect(resolveIntrinsics({ Ref: 'Table' }, ctx)).toBe('core-table');
  });

  it('names the logical id and the place of an unknown Ref', () => {
    const error = thrown(() => resolveIntrinsics({ A: [{ Ref: 'Nope' }] }, ctx, 'Resources.Fn.Properties'));
    expect(error.name).toBe('IntrinsicError');
    expect(error.code).toBe('UNKNOWN_REFERENCE');
    expect(error.logicalId).toBe('Nope');
    expect(error.where).toBe('Resources.Fn.Properties.A[0].Ref');
    expect(error.message).toContain('Nope');
  });
});

describe('Fn::GetAtt', () => {
  it('accepts the array and the dotted-string forms', () => {
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Table', 'Arn'] }, ctx)).toBe(
      'arn:aws:dynamodb:eu-west-1:123456789012:table/core-table',
    );
    expect(resolveIntrinsics({ 'Fn::GetAtt': 'Table.Arn' }, ctx)).toBe(
      'arn:aws:dynamodb:eu-west-1:123456789012:table/core-table',
    );
  });

  it('keeps the dot of nested attribute names', () => {
    expect(
      resolveIntrinsics(
        { 'Fn::GetAtt': 'Fn.SnapStartResponse.ApplyOn' },
        { ...ctx, ref: (id) => (id === 'Fn' ? 'fn' : undefined) },
      ),
    ).toBe('None');
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Fn', 'SnapStartResponse.ApplyOn'] }, ctx)).toBe('None');
  });

  it('tells an unknown resource from an unknown attribute, with logical id, attribute and place', () => {
    const noResource = thrown(() => resolveIntrinsics({ 'Fn::GetAtt': ['Ghost', 'Arn'] }, ctx, 'Outputs.X.Value'));
    expect([noResource.code, noResource.logicalId, noResource.attribute, noResource.where]).toEqual([
      'UNKNOWN_RESOURCE',
      'Ghost',
      'Arn',
      'Outputs.X.Value.Fn::GetAtt',
    ]);
    const noAttribute = thrown(() => resolveIntrinsics({ 'Fn::GetAtt': 'Table.StreamArn' }, ctx, 'Outputs.X.Value'));
    expect([noAttribute.code, noAttribute.logicalId, noAttribute.attribute]).toEqual([
      'UNKNOWN_ATTRIBUTE',
      'Table',
      'StreamArn',
    ]);
    expect(noAttribute.message).toContain('Table.StreamArn');
    expect(noAttribute.message).toContain('Outputs.X.Value');
  });
});

describe('string and list functions', () => {
  it('joins evaluated values', () => {
    expect(
      resolveIntrinsics({ 'Fn::Join': [':', ['a', { Ref: 'Stage' }, 3, { 'Fn::GetAtt': 'Table.Arn' }]] }, ctx),
    ).toBe('a:dev:3:arn:aws:dynamodb:eu-west-1:123456789012:table/core-table');
    expect(resolveIntrinsics({ 'Fn::Join': ['', []] }, ctx)).toBe('');
  });

  it('substitutes references, attributes, pseudo parameters and literals', () => {
    const value = resolveIntrinsics(
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${Table}/${Table.Arn}/${!Literal}/${Stage}',
      },
      ctx,
    );
    expect(value).toBe(
      'arn:aws:x:eu-west-1:123456789012:core-table/arn:aws:dynamodb:eu-west-1:123456789012:table/core-table/${Literal}/dev',
    );
  });

  it('substitutes variables given in the list form, which may be intrinsics themselves', () => {
    const value = resolveIntrinsics(
      { 'Fn::Sub': ['${Name}-${Stage}-${Bus}', { Name: { 'Fn::Join': ['-', ['x', 'y']] }, Bus: 'override' }] },
      ctx,
    );
    expect(value).toBe('x-y-dev-override');
  });

  it('selects and splits', () => {
    expect(resolveIntrinsics({ 'Fn::Select': ['1', { 'Fn::Split': ['/', 'a/b/c'] }] }, ctx)).toBe('b');
    expect(resolveIntrinsics({ 'Fn::Select': [0, ['x']] }, ctx)).toBe('x');
    expect(thrown(() => resolveIntrinsics({ 'Fn::Select': [5, ['x']] }, ctx)).code).toBe('INVALID_INTRINSIC');
  });

  it('finds values in mappings, with a default value', () => {
    expect(resolveIntrinsics({ 'Fn::FindInMap': ['Config', { Ref: 'Stage' }, 'Level'] }, ctx)).toBe('DEBUG');
    expect(resolveIntrinsics({ 'Fn::FindInMap': ['Config', 'prod', 'Level', { DefaultValue: 'INFO' }] }, ctx)).toBe(
      'INFO',
    );
    expect(thrown(() => resolveIntrinsics({ 'Fn::FindInMap': ['Config', 'prod', 'Level'] }, ctx)).code).toBe(
      'UNKNOWN_MAPPING_KEY',
    );
  });

  it('encodes Base64, lists zones, measures and serialises', () => {
    expect(resolveIntrinsics({ 'Fn::Base64': { 'Fn::Sub': 'hi ${Stage}' } }, ctx)).toBe(
      Buffer.from('hi dev').toString('base64'),
    );
    expect(resolveIntrinsics({ 'Fn::GetAZs': '' }, ctx)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(resolveIntrinsics({ 'Fn::Length': ['a', 'b'] }, ctx)).toBe(2);
    expect(resolveIntrinsics({ 'Fn::ToJsonString': { a: { Ref: 'Stage' } } }, ctx)).toBe('{"a":"dev"}');
  });

  it('refuses Fn::ImportValue and unsupported intrinsics with their own codes', () => {
    const imported = thrown(() => resolveIntrinsics({ 'Fn::ImportValue': 'Shared-TableName' }, ctx));
    expect(imported.code).toBe('IMPORT_VALUE_UNSUPPORTED');
    expect(imported.message).toContain('Shared-TableName');
    expect(thrown(() => resolveIntrinsics({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }, ctx)).code).toBe(
      'UNSUPPORTED_INTRINSIC',
    );
  });

  it('leaves objects that are not intrinsics alone', () => {
    expect(resolveIntrinsics({ Ref: 'Table', Other: 1 }, ctx)).toEqual({ Ref: 'Table', Other: 1 });
    expect(resolveIntrinsics({ Key: { 'Fn::Custom': 1 } }, ctx)).toEqual({ Key: { 'Fn::Custom': 1 } });
  });
});

describe('conditions and AWS::NoValue', () => {
  it('chooses a branch of Fn::If', () => {
    expect(resolveIntrinsics({ 'Fn::If': ['IsProd', 'big', 'small'] }, ctx)).toBe('small');
    expect(resolveIntrinsics({ 'Fn::If': ['IsProd', 'big', 'small'] }, { ...ctx, parameters: { Stage: 'prod' } })).toBe(
      'big',
    );
  });

  it('removes properties and list elements that evaluate to AWS::NoValue', () => {
    const value = resolveIntrinsics(
      {
        Keep: 1,
        Drop: { 'Fn::If': ['IsProd', 'x', { Ref: 'AWS::NoValue' }] },
        List: ['a', { Ref: 'AWS::NoValue' }, { 'Fn::If': ['IsProd', 'b', { Ref: 'AWS::NoValue' }] }, 'c'],
      },
      ctx,
    );
    expect(value).toEqual({ Keep: 1, List: ['a', 'c'] });
    expect(resolveIntrinsics({ Ref: 'AWS::NoValue' }, ctx)).toBeUndefined();
  });

  it('evaluates Equals, And, Or, Not and Condition', () => {
    const conditions = {
      IsDev: { 'Fn::Equals': ['dev', { Ref: 'Stage' }] },
      NotDev: { 'Fn::Not': [{ Condition: 'IsDev' }] },
      Both: { 'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Equals': [{ Ref: 'Count' }, '3'] }] },
      Either: { 'Fn::Or': [{ Condition: 'NotDev' }, { 'Fn::Equals': [['a'], ['a']] }] },
      Neither: { 'Fn::Or': [{ Condition: 'NotDev' }, false] },
    };
    const withConditions = { ...ctx, conditions };
    expect(Object.keys(conditions).map((name) => evaluateCondition(name, withConditions))).toEqual([
      true,
      false,
      true,
      true,
      false,
    ]);
  });

  it('reports unknown and circular conditions', () => {
    expect(thrown(() => resolveIntrinsics({ 'Fn::If': ['Nope', 1, 2] }, ctx)).code).toBe('UNKNOWN_CONDITION');
    expect(thrown(() => evaluateCondition('Loop', ctx)).code).toBe('CIRCULAR_REFERENCE');
  });
});

describe('a whole template through a stack context', () => {
  const template = parseTemplate(
    JSON.parse(readFileSync(join(__dirname, 'fixtures/templates/intrinsics.template.json'), 'utf8')),
    'intrinsics.template.json',
  );

  it('resolves a function environment with parameters, mappings, conditions and removed values', () => {
    const stack = createStackContext({ template, stackName: 'Core', region: 'eu-west-1', accountId: '000000000000' });
    const props = stack.resolveProperties('Fn');
    const tableName = stack.ref('Table');
    expect(tableName).toMatch(/^Core-Table-[A-Z0-9]{8}$/);
    expect(props['FunctionName']).toBe('Core-handler-dev');
    expect(props['Environment']).toEqual({
      Variables: {
        TABLE: tableName,
        TABLE_ARN: `arn:aws:dynamodb:eu-west-1:000000000000:table/${tableName}`,
        LOG_LEVEL: 'DEBUG',
        FIRST_ZONE: 'a',
        INDEX_ARN: `arn:aws:dynamodb:eu-west-1:000000000000:table/${tableName}/index/*`,
      },
    });
    expect(stack.isCreated('ProdOnlyQueue')).toBe(false);
    expect(stack.resourcesOfType('AWS::SQS::Queue')).toEqual([]);
    expect(['IsDev', 'IsDevInEu', 'IsProdOrUs'].map((name) => evaluateCondition(name, stack))).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('takes parameter overrides, which switch conditions and create resources', () => {
    const stack = createStackContext({
      template,
      stackName: 'Core',
      region: 'eu-west-1',
      accountId: '000000000000',
      parameters: { Stage: 'prod' },
    });
    const variables = (stack.resolveProperties('Fn')['Environment'] as { Variables: Record<string, string> }).Variables;
    expect(variables['LOG_LEVEL']).toBe('WARN');
    expect(variables['QUEUE']).toMatch(
      /^https:\/\/sqs\.eu-west-1\.amazonaws\.com\/000000000000\/Core-ProdOnlyQueue-[A-Z0-9]{12}$/,
    );
  });

  it('explains a Ref to a resource that is not created', () => {
    const stack = createStackContext({ template, stackName: 'Core', region: 'eu-west-1', accountId: '000000000000' });
    const error = thrown(() => stack.resolve({ Ref: 'ProdOnlyQueue' }, 'Outputs.Queue.Value'));
    expect(error.code).toBe('UNKNOWN_REFERENCE');
    expect(error.message).toContain('AWS::SQS::Queue');
  });
});
