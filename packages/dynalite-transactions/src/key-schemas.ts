/** The key attribute names of each table, read once per table with DescribeTable. */
import type { Item } from './dynalite-internals';
import type { DynamoDbErrorAnswer } from './errors';
import type { Upstream } from './upstream';

export interface KeySchemas {
  /** The table's key attribute names, or dynalite's error answer (ResourceNotFoundException). */
  keyNames(table: string): Promise<readonly string[] | DynamoDbErrorAnswer>;
  /** The key part of an item. */
  keyOf(item: Item, names: readonly string[]): Item;
}

export function createKeySchemas(upstream: Upstream): KeySchemas {
  const cache = new Map<string, readonly string[]>();
  return {
    async keyNames(table) {
      const known = cache.get(table);
      if (known !== undefined) return known;
      const answer = await upstream.call('DescribeTable', { TableName: table });
      if (!answer.ok) return { status: answer.status, body: answer.json };
      const schema = (answer.json['Table'] as { KeySchema?: { AttributeName: string }[] } | undefined)?.KeySchema ?? [];
      const names = schema.map((element) => element.AttributeName);
      cache.set(table, names);
      return names;
    },
    keyOf(item, names) {
      const key: Item = {};
      for (const name of names) {
        const value = item[name];
        if (value !== undefined) key[name] = value;
      }
      return key;
    },
  };
}

export function isErrorAnswer(value: unknown): value is DynamoDbErrorAnswer {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}
