/**
 * The DynamoDB proxy's metering: the capacity units an answer reports, read without parsing it whole,
 * summed over a transaction's entries, and never fooled by an item that quotes the field's name.
 */
import { describe, expect, it } from '@jest/globals';
import { reportedUnits } from '../src/boot/dynamodb-proxy';

const answer = (body: unknown) => Buffer.from(JSON.stringify(body));

describe('reportedUnits', () => {
  it("reads a Query's units after its page of items", () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ streamId: { S: `s-${i}` }, text: { S: 'x'.repeat(200) } }));
    expect(
      reportedUnits(answer({ Items: items, Count: 50, ConsumedCapacity: { TableName: 'T', CapacityUnits: 2.5 } })),
    ).toBe(2.5);
  });

  it("sums a transaction's entries, one per table", () => {
    const consumed = [
      { TableName: 'Events', CapacityUnits: 4, WriteCapacityUnits: 4 },
      { TableName: 'Claims', CapacityUnits: 2, WriteCapacityUnits: 2 },
    ];
    expect(reportedUnits(answer({ ConsumedCapacity: consumed }))).toBe(6);
  });

  it('answers 0 when the answer reports no capacity, even if an item quotes the field', () => {
    const quoting = { Item: { note: { S: '{"ConsumedCapacity":{"CapacityUnits":99}}' } } };
    expect(reportedUnits(answer(quoting))).toBe(0);
    expect(reportedUnits(answer({}))).toBe(0);
  });
});
