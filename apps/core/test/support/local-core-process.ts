/**
 * The local core in a process of its own, for the crash test: boots from cdk.out on the data folder
 * given as the first argument, prints one line `READY <endpoint JSON>`, and runs until it is killed.
 * Run with `node --conditions=source -r ts-node/register/transpile-only`.
 */
import { bootLocalCore } from '@core/local';
import { join } from 'node:path';
import { LOCAL_STACK } from '../../scripts/local-stack';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (dataDir === undefined) throw new Error('usage: local-core-process <dataDir>');
  const core = await bootLocalCore({
    stacks: [LOCAL_STACK],
    assemblyDir: join(__dirname, '..', '..', 'cdk.out'),
    dataDir,
    port: 0,
    log: () => undefined,
  });
  const { graphqlUrl, realtimeUrl, apiKey, region, frontEndCredentials } = core;
  process.stdout.write(`READY ${JSON.stringify({ graphqlUrl, realtimeUrl, apiKey, region, frontEndCredentials })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
