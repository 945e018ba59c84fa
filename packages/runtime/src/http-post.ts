/**
 * A POST over node:http(s) that reads the whole answer: what the AppSync notifier and the Step
 * Functions reporter send their signed requests with. Not the global `fetch`, whose first use in a
 * process loads undici lazily (about 30 ms of every cold start on Node 20).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Posts a body and reads the whole answer. */
export type HttpPost = (
  url: URL,
  headers: Record<string, string>,
  body: string,
) => Promise<{ status: number; text: string }>;

export const nodePost: HttpPost = (url, headers, body) =>
  new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
