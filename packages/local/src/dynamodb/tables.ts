/**
 * Creating the tables of a template in the local DynamoDB: `AWS::DynamoDB::Table` properties become
 * CreateTable requests, and existing tables are kept (with their data) across restarts.
 */
import { dynamoDbRequest } from './client';
import { LocalDynamoDbError } from '../errors';
import { hasAwsErrorType } from './client';

export type KeyType = 'HASH' | 'RANGE';
export type ScalarAttributeType = 'S' | 'N' | 'B';

export interface KeySchemaElement {
  readonly AttributeName: string;
  readonly KeyType: KeyType;
}

export interface AttributeDefinition {
  readonly AttributeName: string;
  readonly AttributeType: ScalarAttributeType;
}

export interface Projection {
  readonly ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  readonly NonKeyAttributes?: readonly string[];
}

export interface ProvisionedThroughput {
  readonly ReadCapacityUnits: number;
  readonly WriteCapacityUnits: number;
}

export interface GlobalSecondaryIndex {
  readonly IndexName: string;
  readonly KeySchema: readonly KeySchemaElement[];
  readonly Projection: Projection;
  readonly ProvisionedThroughput?: ProvisionedThroughput;
}

export interface LocalSecondaryIndex {
  readonly IndexName: string;
  readonly KeySchema: readonly KeySchemaElement[];
  readonly Projection: Projection;
}

/** A CreateTable request, shaped like the SDK's `CreateTableInput` (the parts the local runtime sets). */
export interface CreateTableInput {
  readonly TableName: string;
  readonly KeySchema: readonly KeySchemaElement[];
  readonly AttributeDefinitions: readonly AttributeDefinition[];
  readonly BillingMode?: 'PAY_PER_REQUEST' | 'PROVISIONED';
  readonly ProvisionedThroughput?: ProvisionedThroughput;
  readonly GlobalSecondaryIndexes?: readonly GlobalSecondaryIndex[];
  readonly LocalSecondaryIndexes?: readonly LocalSecondaryIndex[];
}

/**
 * Table properties with no local effect, left out of the CreateTable request: dynalite has no point-in-time
 * recovery, encryption, tags, TTL expiry, streams, contributor insights, deletion protection, Kinesis
 * export, table classes, imports, resource policies or throughput modes beyond the billing mode.
 */
export const IGNORED_TABLE_PROPERTIES: readonly string[] = [
  'PointInTimeRecoverySpecification',
  'SSESpecification',
  'Tags',
  'TimeToLiveSpecification',
  'StreamSpecification',
  'ContributorInsightsSpecification',
  'DeletionProtectionEnabled',
  'KinesisStreamSpecification',
  'TableClass',
  'ImportSourceSpecification',
  'ResourcePolicy',
  'WarmThroughput',
  'OnDemandThroughput',
];

/**
 * The properties of `properties` that {@link tablePropsToCreateTableInput} leaves out, for a log line.
 *
 * @example
 * ignoredTableProperties({ TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } }); // ['TimeToLiveSpecification']
 */
export function ignoredTableProperties(properties: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(properties).filter((key) => IGNORED_TABLE_PROPERTIES.includes(key));
}

type JsonObject = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a resolved template value with the path it came from, failing with a message that says what to fix. */
class PropertyReader {
  constructor(private readonly table: string) {}

  fail(path: string, expected: string, value: unknown): never {
    throw new LocalDynamoDbError(
      'INVALID_TABLE_PROPERTIES',
      `table ${this.table}: ${path} must be ${expected}, got ${JSON.stringify(value)}`,
    );
  }

  string(value: unknown, path: string): string {
    return typeof value === 'string' && value !== '' ? value : this.fail(path, 'a non-empty string', value);
  }

  number(value: unknown, path: string): number {
    const parsed = typeof value === 'string' ? Number(value) : value;
    return typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : this.fail(path, 'a number', value);
  }

  list(value: unknown, path: string): readonly unknown[] {
    return Array.isArray(value) && value.length > 0 ? value : this.fail(path, 'a non-empty list', value);
  }

  record(value: unknown, path: string): JsonObject {
    return isRecord(value) ? value : this.fail(path, 'an object', value);
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
    return allowed.find((option) => option === value) ?? this.fail(path, `one of ${allowed.join(', ')}`, value);
  }

  keySchema(value: unknown, path: string): KeySchemaElement[] {
    return this.list(value, path).map((element, i) => {
      const item = this.record(element, `${path}[${i}]`);
      return {
        AttributeName: this.string(item['AttributeName'], `${path}[${i}].AttributeName`),
        KeyType: this.oneOf(item['KeyType'], ['HASH', 'RANGE'] as const, `${path}[${i}].KeyType`),
      };
    });
  }

  projection(value: unknown, path: string): Projection {
    const item = this.record(value ?? {}, path);
    const type =
      item['ProjectionType'] === undefined
        ? undefined
        : this.oneOf(item['ProjectionType'], ['ALL', 'KEYS_ONLY', 'INCLUDE'] as const, `${path}.ProjectionType`);
    const nonKey =
      item['NonKeyAttributes'] === undefined
        ? undefined
        : this.list(item['NonKeyAttributes'], `${path}.NonKeyAttributes`).map((name, i) =>
            this.string(name, `${path}.NonKeyAttributes[${i}]`),
          );
    return {
      ...(type === undefined ? {} : { ProjectionType: type }),
      ...(nonKey === undefined ? {} : { NonKeyAttributes: nonKey }),
    };
  }

  throughput(value: unknown, path: string): ProvisionedThroughput {
    const item = this.record(value, path);
    return {
      ReadCapacityUnits: this.number(item['ReadCapacityUnits'], `${path}.ReadCapacityUnits`),
      WriteCapacityUnits: this.number(item['WriteCapacityUnits'], `${path}.WriteCapacityUnits`),
    };
  }
}

/**
 * Turns the (resolved) `Properties` of an `AWS::DynamoDB::Table` into a CreateTable request. `tableName`
 * is the physical name (needed when the template has no `TableName`). Properties in
 * {@link IGNORED_TABLE_PROPERTIES} are left out; so is `ProvisionedThroughput` in `PAY_PER_REQUEST` mode.
 *
 * @throws LocalDynamoDbError `INVALID_TABLE_PROPERTIES`, naming the property to fix.
 *
 * @example
 * tablePropsToCreateTableInput({
 *   KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
 *   AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
 *   BillingMode: 'PAY_PER_REQUEST',
 *   TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
 * }, 'Core-Events-1A2B3C4D');
 * // { TableName: 'Core-Events-1A2B3C4D', KeySchema: [...], AttributeDefinitions: [...], BillingMode: 'PAY_PER_REQUEST' }
 */
export function tablePropsToCreateTableInput(
  properties: Readonly<Record<string, unknown>>,
  tableName?: string,
): CreateTableInput {
  const name = tableName ?? properties['TableName'];
  const read = new PropertyReader(typeof name === 'string' ? name : '(unnamed)');
  const TableName = read.string(name, 'TableName (or the tableName argument)');
  const onDemand = properties['BillingMode'] === 'PAY_PER_REQUEST';
  const billingMode =
    properties['BillingMode'] === undefined
      ? undefined
      : read.oneOf(properties['BillingMode'], ['PAY_PER_REQUEST', 'PROVISIONED'] as const, 'BillingMode');
  const attributes = read.list(properties['AttributeDefinitions'], 'AttributeDefinitions').map((element, i) => {
    const item = read.record(element, `AttributeDefinitions[${i}]`);
    return {
      AttributeName: read.string(item['AttributeName'], `AttributeDefinitions[${i}].AttributeName`),
      AttributeType: read.oneOf(
        item['AttributeType'],
        ['S', 'N', 'B'] as const,
        `AttributeDefinitions[${i}].AttributeType`,
      ),
    };
  });
  const globalIndexes =
    properties['GlobalSecondaryIndexes'] === undefined
      ? undefined
      : read
          .list(properties['GlobalSecondaryIndexes'], 'GlobalSecondaryIndexes')
          .map((element, i): GlobalSecondaryIndex => {
            const path = `GlobalSecondaryIndexes[${i}]`;
            const item = read.record(element, path);
            const throughput =
              !onDemand && item['ProvisionedThroughput'] !== undefined
                ? read.throughput(item['ProvisionedThroughput'], `${path}.ProvisionedThroughput`)
                : undefined;
            return {
              IndexName: read.string(item['IndexName'], `${path}.IndexName`),
              KeySchema: read.keySchema(item['KeySchema'], `${path}.KeySchema`),
              Projection: read.projection(item['Projection'], `${path}.Projection`),
              ...(throughput === undefined ? {} : { ProvisionedThroughput: throughput }),
            };
          });
  const localIndexes =
    properties['LocalSecondaryIndexes'] === undefined
      ? undefined
      : read
          .list(properties['LocalSecondaryIndexes'], 'LocalSecondaryIndexes')
          .map((element, i): LocalSecondaryIndex => {
            const path = `LocalSecondaryIndexes[${i}]`;
            const item = read.record(element, path);
            return {
              IndexName: read.string(item['IndexName'], `${path}.IndexName`),
              KeySchema: read.keySchema(item['KeySchema'], `${path}.KeySchema`),
              Projection: read.projection(item['Projection'], `${path}.Projection`),
            };
          });
  const throughput =
    !onDemand && properties['ProvisionedThroughput'] !== undefined
      ? read.throughput(properties['ProvisionedThroughput'], 'ProvisionedThroughput')
      : undefined;
  return {
    TableName,
    KeySchema: read.keySchema(properties['KeySchema'], 'KeySchema'),
    AttributeDefinitions: attributes,
    ...(billingMode === undefined ? {} : { BillingMode: billingMode }),
    ...(throughput === undefined ? {} : { ProvisionedThroughput: throughput }),
    ...(globalIndexes === undefined ? {} : { GlobalSecondaryIndexes: globalIndexes }),
    ...(localIndexes === undefined ? {} : { LocalSecondaryIndexes: localIndexes }),
  };
}

/** What {@link ensureTables} did for one table. */
export interface EnsuredTable {
  readonly tableName: string;
  /** True when the table was created now; false when it already existed (its data is kept). */
  readonly created: boolean;
  /** Differences between an existing table and the request that do not stop it from being used (indexes). */
  readonly notes: readonly string[];
}

export interface EnsureTablesOptions {
  /** How long to wait for a table to become ACTIVE. @default 10000 */
  readonly activeTimeoutMs?: number;
}

type TableDescription = JsonObject;

async function describeTable(endpoint: string, tableName: string): Promise<TableDescription | undefined> {
  try {
    const answer = await dynamoDbRequest(endpoint, 'DescribeTable', { TableName: tableName });
    return isRecord(answer['Table']) ? answer['Table'] : undefined;
  } catch (error) {
    if (hasAwsErrorType(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

function isActive(table: TableDescription): boolean {
  const indexes = Array.isArray(table['GlobalSecondaryIndexes']) ? table['GlobalSecondaryIndexes'] : [];
  return (
    table['TableStatus'] === 'ACTIVE' &&
    indexes.every(
      (index) => !isRecord(index) || index['IndexStatus'] === undefined || index['IndexStatus'] === 'ACTIVE',
    )
  );
}

async function waitUntilActive(endpoint: string, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = await describeTable(endpoint, tableName);
    if (table !== undefined && isActive(table)) return;
    if (Date.now() > deadline) {
      throw new LocalDynamoDbError(
        'TABLE_NOT_ACTIVE',
        `table ${tableName} is not ACTIVE after ${timeoutMs} ms (status ${String(table?.['TableStatus'])})`,
      );
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 20));
  }
}

function keyDescription(table: TableDescription | CreateTableInput): string {
  const schema = Array.isArray(table['KeySchema']) ? (table['KeySchema'] as readonly unknown[]) : [];
  const definitions = Array.isArray(table['AttributeDefinitions'])
    ? (table['AttributeDefinitions'] as readonly unknown[])
    : [];
  return schema
    .filter(isRecord)
    .map((key) => {
      const definition = definitions.filter(isRecord).find((d) => d['AttributeName'] === key['AttributeName']);
      return `${String(key['AttributeName'])}:${String(definition?.['AttributeType'])}:${String(key['KeyType'])}`;
    })
    .join(',');
}

function indexNames(value: unknown): string[] {
  return (Array.isArray(value) ? value : [])
    .filter(isRecord)
    .map((index) => String(index['IndexName']))
    .sort();
}

function compare(existing: TableDescription, wanted: CreateTableInput): string[] {
  if (keyDescription(existing) !== keyDescription(wanted)) {
    throw new LocalDynamoDbError(
      'TABLE_SCHEMA_MISMATCH',
      `table ${wanted.TableName} exists with key schema ${keyDescription(existing)} but the template asks for ${keyDescription(wanted)}; ` +
        'CloudFormation would replace it: delete the table (or the local data directory) to recreate it',
    );
  }
  const notes: string[] = [];
  for (const [kind, present, requested] of [
    ['global', indexNames(existing['GlobalSecondaryIndexes']), indexNames(wanted.GlobalSecondaryIndexes)],
    ['local', indexNames(existing['LocalSecondaryIndexes']), indexNames(wanted.LocalSecondaryIndexes)],
  ] as const) {
    const missing = requested.filter((name) => !present.includes(name));
    const extra = present.filter((name) => !requested.includes(name));
    if (missing.length > 0)
      notes.push(`${kind} secondary indexes missing from the existing table: ${missing.join(', ')}`);
    if (extra.length > 0) notes.push(`${kind} secondary indexes no longer in the template: ${extra.join(', ')}`);
  }
  return notes;
}

/**
 * Creates each table unless a table of that name exists, then waits until all are ACTIVE. Existing
 * tables keep their data; one with another key schema is an error (CloudFormation would replace it),
 * differing indexes are reported in `notes`.
 *
 * @throws LocalDynamoDbError `TABLE_SCHEMA_MISMATCH`, `TABLE_NOT_ACTIVE` or `REQUEST_FAILED`.
 *
 * @example
 * const db = await startDynamoDb({ dataDir: '.local/dynamodb' });
 * await ensureTables(db.endpoint, [tablePropsToCreateTableInput(stack.resolveProperties('Events'), stack.ref('Events'))]);
 */
export async function ensureTables(
  endpoint: string,
  tables: readonly CreateTableInput[],
  options: EnsureTablesOptions = {},
): Promise<EnsuredTable[]> {
  const results: EnsuredTable[] = [];
  for (const table of tables) {
    const existing = await describeTable(endpoint, table.TableName);
    if (existing !== undefined) {
      results.push({ tableName: table.TableName, created: false, notes: compare(existing, table) });
    } else {
      try {
        await dynamoDbRequest(endpoint, 'CreateTable', { ...table });
        results.push({ tableName: table.TableName, created: true, notes: [] });
      } catch (error) {
        // Someone else created it in between: same as existing.
        if (!hasAwsErrorType(error, 'ResourceInUseException')) throw error;
        results.push({ tableName: table.TableName, created: false, notes: [] });
      }
    }
  }
  for (const table of tables) await waitUntilActive(endpoint, table.TableName, options.activeTimeoutMs ?? 10_000);
  return results;
}
