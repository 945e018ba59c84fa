/**
 * Reads a whole event table (commit items and command records; unique claims are left out) into the
 * plain data the answer contract's checker takes. A test and benchmark helper: it scans the table, which no handler does.
 */
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CLAIM_PREFIX, COMMAND_RECORD_PREFIX, fromCommitItem, fromRecordItem } from '../dynamodb';
import { lastVersion } from '../envelope';
import type { CommandRecord } from '../ports';
import type { StoreContents, StoredCommitItem } from './answer-contract';

/**
 * @example
 * const store = await readEventTable(new DynamoDBClient({ endpoint, region, credentials }), tableName);
 */
export async function readEventTable(client: DynamoDBClient, tableName: string): Promise<StoreContents> {
  const commits: StoredCommitItem[] = [];
  const records: CommandRecord[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey, ConsistentRead: true }));
    for (const item of page.Items ?? []) {
      if (item['streamId']?.S?.startsWith(CLAIM_PREFIX) === true) continue;
      if (item['streamId']?.S?.startsWith(COMMAND_RECORD_PREFIX) === true) {
        records.push(fromRecordItem(item));
        continue;
      }
      const { commit, storedAt } = fromCommitItem(item);
      commits.push({
        streamId: commit.streamId,
        firstVersion: commit.expectedVersion + 1,
        lastVersion: lastVersion(commit),
        commitId: commit.commitId,
        fingerprint: commit.fingerprint,
        deadline: commit.deadline,
        storedAt,
        events: commit.events.map(({ type, data, version }) => ({ type, data, version })),
        state: commit.state,
        reducerVersion: commit.reducerVersion,
      });
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return { commits, records };
}
