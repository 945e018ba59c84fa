import { Sha256 } from '@aws-crypto/sha256-js';
import { describe, expect, it } from '@jest/globals';
import type { SourceData } from '@smithy/types';
import fc from 'fast-check';
import { NodeSha256 } from '../src/sha256';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

async function digestOf(
  Hash: new (secret?: SourceData) => { update(chunk: Uint8Array): void; digest(): Promise<Uint8Array> },
  secret: SourceData | undefined,
  chunks: Uint8Array[],
) {
  const hash = new Hash(secret);
  for (const chunk of chunks) hash.update(chunk);
  return hex(await hash.digest());
}

describe('NodeSha256', () => {
  it('hashes as SHA-256 without a secret', async () => {
    expect(await digestOf(NodeSha256, undefined, [Buffer.from('abc')])).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('computes HMAC-SHA-256 with a secret (RFC 4231, test case 2)', async () => {
    expect(await digestOf(NodeSha256, 'Jefe', [Buffer.from('what do ya want for nothing?')])).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('starts over on reset', async () => {
    const hash = new NodeSha256('key');
    hash.update(Buffer.from('discarded'));
    hash.reset();
    hash.update(Buffer.from('kept'));
    expect(hex(await hash.digest())).toBe(await digestOf(NodeSha256, 'key', [Buffer.from('kept')]));
  });

  it('agrees with @aws-crypto/sha256-js for any secret shape and chunking', async () => {
    const bytes = fc.uint8Array({ maxLength: 100 });
    const secret = fc.oneof(
      fc.constant(undefined),
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      bytes,
      bytes.map((array) => array.slice().buffer),
      bytes.map((array) => new DataView(array.buffer)),
    );
    await fc.assert(
      fc.asyncProperty(secret, fc.array(bytes, { maxLength: 5 }), async (key, chunks) => {
        expect(await digestOf(NodeSha256, key, chunks)).toBe(await digestOf(Sha256, key, chunks));
      }),
    );
  });
});
