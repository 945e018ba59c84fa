/**
 * What the cost benchmarks share: the local core booted from apps/core/cdk.out (the development stage,
 * in memory) and a `@core/client` of it, signed with the front-end server's credentials (not connected).
 */
import { createCoreClient, type CoreClient } from '@core/client';
import { bootLocalCore, type LocalCore } from '@core/local';
import { join } from 'node:path';
import { LOCAL_STACK } from '../../scripts/local-stack';

export async function bootCoreAndClient(): Promise<{ core: LocalCore; client: CoreClient }> {
  const core = await bootLocalCore({
    assemblyDir: join(__dirname, '..', '..', 'cdk.out'),
    stacks: [LOCAL_STACK],
    port: 0,
    log: () => undefined,
  });
  const client = createCoreClient({
    graphqlUrl: core.graphqlUrl,
    region: core.region,
    auth: { type: 'AWS_IAM', credentials: core.frontEndCredentials },
  });
  return { core, client };
}
