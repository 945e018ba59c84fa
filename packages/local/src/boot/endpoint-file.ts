/**
 * `<dataDir>/endpoint.json`: where clients find the running core (the GraphQL and real-time URLs, the
 * base URL of the AWS APIs it serves, the API key, the region and the front-end servers' credentials),
 * written once the core serves.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCredentials } from './principals';

export interface EndpointFile {
  /** The base URL AWS SDK clients use as their endpoint (SQS for the dead-letter tool). */
  readonly endpoint: string;
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly apiKey: string;
  readonly region: string;
  readonly frontEndCredentials: LocalCredentials;
}

export function writeEndpointFile(dataDir: string | undefined, endpoint: EndpointFile): void {
  if (dataDir === undefined) return;
  mkdirSync(dataDir, { recursive: true });
  const { graphqlUrl, realtimeUrl, apiKey, region, frontEndCredentials } = endpoint;
  writeFileSync(
    join(dataDir, 'endpoint.json'),
    `${JSON.stringify({ endpoint: endpoint.endpoint, graphqlUrl, realtimeUrl, apiKey, region, frontEndCredentials }, null, 2)}\n`,
  );
}
