/**
 * SHA-256 from `node:crypto` in the `Checksum` shape that `SignatureV4` takes: a plain hash, or an
 * HMAC when constructed with a secret. It stands in for `@aws-crypto/sha256-js`, a JavaScript
 * implementation that brings its own older copies of `@smithy/util-utf8` and `tslib` into a bundle.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { Checksum, SourceData } from '@smithy/types';

export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.start();
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.start();
  }

  /** An HMAC for any secret but none or `''`, as `@aws-crypto/sha256-js` decides; a string secret is UTF-8. */
  private start(): Hash | Hmac {
    return this.secret === undefined || this.secret === ''
      ? createHash('sha256')
      : createHmac('sha256', toBytes(this.secret));
  }
}

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
