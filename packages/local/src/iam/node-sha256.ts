/**
 * SHA-256 and HMAC-SHA-256 for `@smithy/signature-v4` from Node's own crypto (native code), in the shape
 * of its `sha256` option: `new Sha256(secret?)`, `update`, `digest`. The pure-JavaScript hash was a tenth
 * of the local core's main thread under load: every request to a local service is verified by signing it again.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

type Bytes = string | ArrayBuffer | ArrayBufferView;

const toBuffer = (data: Bytes): Buffer | string =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

export class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: Bytes) {
    this.hash = this.start();
  }

  update(data: Bytes): void {
    this.hash.update(toBuffer(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.start();
  }

  private start(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
}
