/**
 * What one command costs on AWS with the typed client, and the paths to a lower cost: 200 `registerRoom`
 * commands (one aggregate, no saga) sent by `@core/client` (one connection, one subscription per
 * aggregate) to the local core, each settled by its notification; the local runtime's counters per
 * command, priced at us-east-1 list prices. The paths are the same measured counts priced under other
 * settings or with one design change each, cumulatively. Writes docs/bench/command-cost.md.
 * Run: `cd apps/core && ts-node --transpile-only bench/command-cost.ts` (part of `pnpm nx run core:bench`).
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { LocalCore } from '@core/local';
import { itemSizeBytes, RECENT_COMMITS, type AttributeValueShape } from '@core/runtime';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { bootCoreAndClient } from './support/core-and-client';
import { costPerMillion, perCommand, PRICE, type PerCommand } from './support/cost';

const COMMANDS = 200;
const WARM_UP = 5;
const coreDir = join(__dirname, '..');

/** DynamoDB provisioned capacity, us-east-1: $0.00065 per WCU-hour, $0.00013 per RCU-hour. */
const PROVISIONED = { wcuHour: 0.00065, rcuHour: 0.00013, utilization: 0.7 };
/** A unit per second for an hour serves 3,600 units; at 70 % utilization, each unit served costs 1/0.7 of that. */
const provisionedPerUnit = (unitHour: number) => unitHour / 3600 / PROVISIONED.utilization;
/** AppSync Events: $1.00 per million operations (a publish, and each message delivered). */
const APPSYNC_EVENTS_OPERATION = 1.0 / 1e6;

/** The newest commit item of a stream: its DynamoDB size, and how much of it its recent commits, state and events take. */
interface CommitItemSize {
  readonly bytes: number;
  readonly recentCommitsBytes: number;
  readonly stateAndEventsBytes: number;
}

async function newestCommitItemSize(core: LocalCore, streamId: string): Promise<CommitItemSize> {
  const client = new DynamoDBClient({
    endpoint: core.dynamoDbEndpoint,
    region: core.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const TableName = core.tables.get('Customer/Events') ?? '';
    const page = await client.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': { S: streamId } },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = (page.Items?.[0] ?? {}) as Record<string, AttributeValueShape>;
    const sizeOf = (...names: string[]) =>
      itemSizeBytes(
        Object.fromEntries(names.flatMap((name) => (item[name] === undefined ? [] : [[name, item[name]]]))),
      );
    return {
      bytes: itemSizeBytes(item),
      recentCommitsBytes: sizeOf('recentCommits'),
      stateAndEventsBytes: sizeOf('state', 'events'),
    };
  } finally {
    client.destroy();
  }
}

async function measure(): Promise<{ each: PerCommand; item: CommitItemSize }> {
  const { core, client } = await bootCoreAndClient();
  try {
    await client.connect();
    const customer = await (
      await client.customer.registerCustomer({ email: 'cost@bench.example', name: 'Cost' })
    ).settled;
    const rename = async (n: number) =>
      (await client.customer.changeCustomerDetails({ id: customer.id, name: `Guest ${n}` })).settled;
    for (let n = 0; n < WARM_UP; n++) await rename(n);
    await core.idle();
    const before = core.metrics();
    for (let n = 0; n < COMMANDS; n++) await rename(WARM_UP + n);
    await core.idle();
    return { each: perCommand(core.metrics(), before, COMMANDS), item: await newestCommitItemSize(core, customer.id) };
  } finally {
    await client.close();
    await core.stop();
  }
}

interface CostPath {
  readonly change: string;
  readonly lines: ReadonlyMap<string, number>;
}

/** Write units of a one-item write (no transaction): one per started KB. */
const putItemUnits = (bytes: number) => Math.ceil(bytes / 1024);

/** The measured cost, then each change applied on top of the ones before it. */
function paths(each: PerCommand, item: CommitItemSize): CostPath[] {
  const measured = new Map(costPerMillion(each).lines);
  const million = (usd: number) => usd * 1e6;
  const WRITES = 'DynamoDB writes (on-demand WRU)';
  const provisionedWrites = (units: number) => million(units * provisionedPerUnit(PROVISIONED.wcuHour));
  const warnLogs = new Map(measured).set(
    'CloudWatch Logs ingestion',
    million((each.warnLogBytes / 1024 ** 3) * PRICE.logsIngestedGb),
  );
  const provisioned = new Map(warnLogs)
    .set('DynamoDB reads (on-demand RRU)', million(each.dynamoReadUnits * provisionedPerUnit(PROVISIONED.rcuHour)))
    .set(WRITES, provisionedWrites(each.dynamoWriteUnits));
  const oneItem = new Map(provisioned).set(
    WRITES,
    provisionedWrites(each.dynamoWriteRequests * putItemUnits(item.bytes)),
  );
  return [
    { change: 'measured: as `Core` deploys (on-demand tables, INFO logs)', lines: measured },
    { change: "Lambda's application and system log level at WARN", lines: warnLogs },
    { change: 'provisioned table capacity, auto scaling at 70 % utilization', lines: provisioned },
    { change: 'one conditional PutItem per commit instead of the two-item transaction (not built)', lines: oneItem },
  ];
}

/** Outside the seed's contract (outcomes not over GraphQL): the notification as an AppSync Events publish. */
function eventsApiTotal(each: PerCommand, base: CostPath): number {
  const notifyMutations = each.appSyncRequests - 1;
  const lines = new Map(base.lines)
    .set(
      'AppSync operations (queries and mutations)',
      (each.appSyncRequests - notifyMutations) * PRICE.appSyncOperation * 1e6,
    )
    .set(
      'AppSync real-time messages to clients',
      (notifyMutations + each.realtimeMessagesOut) * APPSYNC_EVENTS_OPERATION * 1e6,
    );
  return [...lines.values()].reduce((sum, usd) => sum + usd, 0);
}

function writeReport({ each, item }: { each: PerCommand; item: CommitItemSize }): void {
  const all = paths(each, item);
  const items = [...(all[0]?.lines.keys() ?? [])];
  const total = (path: CostPath) => [...path.lines.values()].reduce((sum, usd) => sum + usd, 0);
  const row = (label: string, ...values: number[]) => `| ${label} | ${values.map((v) => v.toFixed(2)).join(' / ')} |`;
  const report = `# What a command costs, and the way toward $12 per million

Measured by \`cd apps/core && ts-node --transpile-only bench/command-cost.ts\` (part of \`pnpm nx run core:bench\`) on
${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}.
${COMMANDS} \`changeCustomerDetails\` commands on one customer (a new name each: one aggregate, no saga), each sent by \`@core/client\` (one connection, one
subscription per aggregate) to the local core (\`CoreDev\` from \`apps/core/cdk.out\`) and settled by its
notification, after ${WARM_UP} warm-up commands. Counted by the local runtime, per command:

| per command | |
|---|---:|
${row('AppSync requests (the command, the notification)', each.appSyncRequests)}
${row('AppSync real-time messages to clients', each.realtimeMessagesOut)}
${row('EventBridge events (64 KB chunks)', each.busBilledEvents)}
${row('Lambda invocations', each.lambdaInvocations)}
${row('Lambda billed ms', each.lambdaBilledMs)}
${row('DynamoDB read requests / read units', each.dynamoReadRequests, each.dynamoReadUnits)}
${row('DynamoDB write requests / write units', each.dynamoWriteRequests, each.dynamoWriteUnits)}
${row('log bytes (all / at WARN and above)', each.logBytes, each.warnLogBytes)}

## USD per million commands: measured, then each change on top of the ones before

| item | ${all.map((_, i) => (i === 0 ? 'measured' : `+ change ${i}`)).join(' | ')} |
|---|${all.map(() => '---:').join('|')}|
${items.map((item) => `| ${item} | ${all.map((path) => (path.lines.get(item) ?? 0).toFixed(2)).join(' | ')} |`).join('\n')}
| **total** | ${all.map((path) => `**${total(path).toFixed(2)}**`).join(' | ')} |

${all.map((path, i) => (i === 0 ? `- ${path.change}.` : `- change ${i}: ${path.change}.`)).join('\n')}

What each change is, and what it gives up:
1. **Log level WARN** (a setting: \`loggingFormat: JSON\`, \`applicationLogLevel\` and \`systemLogLevel\` \`WARN\` on the
   functions): CloudWatch ingests only the lines at WARN and above, counted above; the INFO lines (accepted, stored,
   notified) and Lambda's START/END/REPORT lines are not kept, so the journey view of a deployed core needs DEBUG on.
2. **Provisioned capacity** (a setting): DynamoDB bills capacity per hour, not per request; at a steady load with auto
   scaling holding 70 % utilization, a unit served costs $${PROVISIONED.wcuHour} / 3,600 / 0.7 per write and
   $${PROVISIONED.rcuHour} / 3,600 / 0.7 per read (aws.amazon.com/dynamodb/pricing/provisioned). Bursts above the
   capacity are throttled (the runtime retries them within the command's deadline); on-demand stays right for
   spiky or small loads.
3. **One item per commit** (a design change, not built): today a commit is a transaction of two items (the commit and
   the command's record, by command id), which DynamoDB bills at two units per started KB of each: ${each.dynamoWriteUnits.toFixed(0)}
   units per command, measured above. The newest commit item measured here is ${item.bytes} bytes (${item.stateAndEventsBytes} of them
   its state and events, ${item.recentCommitsBytes} its \`recentCommits\`: the last ${RECENT_COMMITS} commands, a hash of each id and
   the start of its fingerprint); written alone as a conditional \`PutItem\` it is ${putItemUnits(item.bytes)} unit(s). The command's
   record would then be written only when a command is rejected, and the outcome query and the cross-stream reuse
   check would read the stream instead. One winner per version (the condition on the version) and all or none (one
   item) hold. A commit stays within one unit while its state and events (type and data: the item keeps nothing
   else of an event) take at most ${1024 - (item.bytes - item.stateAndEventsBytes)} bytes; a larger one pays a unit per started KB.

The path keeps the seed's contract: commands and outcomes over GraphQL, one subscription per front-end server and
aggregate. Its floor is AppSync's: two operations and one real-time update per command are $10.00 of it; EventBridge
and two Lambda requests another $1.40; DynamoDB, Lambda's duration and the logs take the rest, which with the
measured item in ${putItemUnits(item.bytes)} unit(s) makes $${total(all[all.length - 1] as CostPath).toFixed(2)}.

Outside that contract, notifying through an AppSync Events channel (a publish and a delivery at $1.00 per million
operations each, aws.amazon.com/appsync/pricing) instead of a mutation would make the last column
$${eventsApiTotal(each, all[all.length - 1] as CostPath).toFixed(2)}.

Prices and their sources are those of [local.md](local.md). Not included: storage, data transfer, free tiers.
Lambda durations are this machine's (x86-64, Node 20) and stand in for arm64 on Node 24.
`;
  writeFileSync(join(coreDir, '..', '..', 'docs', 'bench', 'command-cost.md'), report);
  console.log(report);
}

measure()
  .then(writeReport)
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
