/**
 * A local DynamoDB (dynalite) and the creation of a template's tables in it.
 */
export { startDynamoDb } from './server';
export type { LocalDynamoDb, StartDynamoDbOptions } from './server';
export { dynamoDbRequest, hasAwsErrorType } from './client';
export { IGNORED_TABLE_PROPERTIES, ensureTables, ignoredTableProperties, tablePropsToCreateTableInput } from './tables';
export type {
  AttributeDefinition,
  CreateTableInput,
  EnsureTablesOptions,
  EnsuredTable,
  GlobalSecondaryIndex,
  KeySchemaElement,
  KeyType,
  LocalSecondaryIndex,
  Projection,
  ProvisionedThroughput,
  ScalarAttributeType,
} from './tables';
