import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createStackContext, loadCloudAssembly } from '../src/cloudformation';
import { ignoredTableProperties, tablePropsToCreateTableInput } from '../src/dynamodb';

describe('tablePropsToCreateTableInput', () => {
  it('converts the table of a synthesized stack and leaves out what has no local effect', () => {
    const core = loadCloudAssembly(join(__dirname, 'fixtures/cloud-assembly')).stacks.find(
      (s) => s.stackName === 'Core',
    )!;
    const stack = createStackContext({
      template: core.template,
      stackName: 'Core',
      region: 'eu-west-1',
      accountId: '000000000000',
    });
    const props = stack.resolveProperties('EventsD32975C2');
    const input = tablePropsToCreateTableInput(props, stack.ref('EventsD32975C2'));
    expect(input).toEqual({
      TableName: stack.ref('EventsD32975C2'),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'type', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byType',
          KeySchema: [{ AttributeName: 'type', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
    expect(ignoredTableProperties(props)).toEqual(['PointInTimeRecoverySpecification', 'TimeToLiveSpecification']);
  });

  it('keeps provisioned throughput, local indexes and INCLUDE projections', () => {
    const input = tablePropsToCreateTableInput({
      TableName: 'orders',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'at', AttributeType: 'N' },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: '5', WriteCapacityUnits: 2 },
      LocalSecondaryIndexes: [
        {
          IndexName: 'byAt',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'at', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status'] },
        },
      ],
    });
    expect(input.TableName).toBe('orders');
    expect(input.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 5, WriteCapacityUnits: 2 });
    expect(input.LocalSecondaryIndexes?.[0]?.Projection).toEqual({
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: ['status'],
    });
    expect(input.BillingMode).toBeUndefined();
  });

  it('says which property to fix', () => {
    const base = {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    };
    expect(() => tablePropsToCreateTableInput(base)).toThrow(
      expect.objectContaining({
        name: 'LocalDynamoDbError',
        code: 'INVALID_TABLE_PROPERTIES',
        message: expect.stringContaining('TableName'),
      }),
    );
    expect(() =>
      tablePropsToCreateTableInput({ ...base, KeySchema: [{ AttributeName: 'pk', KeyType: 'PARTITION' }] }, 't1'),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_TABLE_PROPERTIES',
        message: expect.stringContaining('KeySchema[0].KeyType must be one of HASH, RANGE'),
      }),
    );
    expect(() => tablePropsToCreateTableInput({ ...base, AttributeDefinitions: [] }, 't1')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('AttributeDefinitions must be a non-empty list') }),
    );
  });
});
