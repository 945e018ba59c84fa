/** DynamoDB's item size limit: 400 KB, counted in binary kilobytes. */
export const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024;

/** An attribute value in DynamoDB's JSON shape (the subset this project writes). */
export type AttributeValueShape =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValueShape[] }
  | { M: Record<string, AttributeValueShape> };

/**
 * The size DynamoDB counts for an item: UTF-8 bytes of every attribute name plus its value; a number
 * counts about one byte per two significant digits plus one; lists and maps add 3 bytes plus 1 per
 * element. Used to refuse a commit before anything is published.
 *
 * @example
 * itemSizeBytes({ pk: { S: 'a' }, n: { N: '12' } }); // 2 + 1 + 1 + 2 = 6
 */
export function itemSizeBytes(item: Record<string, AttributeValueShape>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: AttributeValueShape): number {
  if ('S' in value) return Buffer.byteLength(value.S);
  if ('N' in value) return numberSize(value.N);
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('L' in value) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueSize(v), 0);
}

function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}
