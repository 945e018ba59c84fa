import { IgnoreFile, javascript, typescript, JsonFile } from 'projen';
import { nxJson } from './projenrc/nx';
import { PLAIN_NODE_PROJECT, V } from './projenrc/versions';
import { WorkspacePackage } from './projenrc/workspace-package';

const root = new javascript.NodeProject({
  name: 'cqrs-core',
  description: 'An event-sourced CQRS core on AWS serverless that also runs on one laptop.',
  packageManager: javascript.NodePackageManager.PNPM,
  pnpmVersion: V.pnpm,
  pnpmOptions: {
    workspaceYamlOptions: {
      packages: ['packages/*', 'apps/*'],
      // pnpm 12 runs no dependency's install script unless it is listed here.
      allowBuilds: {
        esbuild: true,
        '@swc/core': true,
        nx: true,
        pnpm: true,
        'classic-level': true,
        '@parcel/watcher': false,
      },
    },
  },
  ...PLAIN_NODE_PROJECT,
  devDeps: [
    `projen@${V.projen}`,
    `typescript@${V.typescript}`,
    `ts-node@${V.tsNode}`,
    `@types/node@${V.nodeTypes}`,
    `constructs@${V.constructs}`,
    `nx@${V.nx}`,
    `pnpm@${V.pnpm}`,
    `eslint@${V.eslint}`,
    `typescript-eslint@${V.typescriptEslint}`,
    `prettier@${V.prettier}`,
  ],
});
root.package.addField('private', true);
const projenrc = new typescript.ProjenrcTs(root, { projenCodeDir: 'projenrc' });
projenrc.tsconfig.file.addOverride('compilerOptions', {
  target: 'ES2022',
  module: 'commonjs',
  moduleResolution: 'node',
  strict: true,
  skipLibCheck: true,
  types: ['node'],
});
projenrc.tsconfig.file.addOverride('include', ['.projenrc.ts', 'projenrc/**/*.ts']);
root.gitignore.exclude('.nx/', '.local/', 'cdk.out/', '*.tsbuildinfo', '/lib/');
for (const task of root.tasks.all) root.removeScript(task.name);
root.addScripts({
  projen: 'projen',
  build: 'nx run-many -t build',
  test: 'nx run-many -t build lint test --output-style=stream-without-prefixes',
  start: 'nx run core:start --output-style=stream',
  demo: 'nx run core:demo --output-style=stream',
  'dead-letters': 'nx run core:dead-letters --output-style=stream',
  bench: 'nx run-many -t bench --parallel=1',
  codegen: 'nx run contracts:codegen',
  format: 'prettier --write .',
});

new JsonFile(root, 'nx.json', { obj: nxJson });
new JsonFile(root, '.prettierrc.json', { obj: { singleQuote: true, printWidth: 120 }, marker: false });
new IgnoreFile(root, '.prettierignore').exclude(
  '**/lib/',
  '**/cdk.out/',
  '**/node_modules/',
  '.local/',
  'packages/contracts/src/generated.ts',
);
new JsonFile(root, 'tsconfig.base.json', {
  obj: {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      noFallthroughCasesInSwitch: true,
      isolatedModules: true,
      esModuleInterop: true,
      skipLibCheck: true,
      declaration: true,
      sourceMap: true,
      resolveJsonModule: true,
      types: ['node'],
    },
  },
});

const dynaliteTransactions = new WorkspacePackage({
  parent: root,
  outdir: 'packages/dynalite-transactions',
  name: '@core/dynalite-transactions',
  nxName: 'dynalite-transactions',
  description: "An HTTP front for dynalite that adds TransactWriteItems and serializes each table's writes.",
  deps: [`dynalite@${V.dynalite}`],
  devDeps: [`@aws-sdk/client-dynamodb@${V.awsSdk}`],
});

const runtime = new WorkspacePackage({
  parent: root,
  outdir: 'packages/runtime',
  name: '@core/runtime',
  nxName: 'runtime',
  description: 'The aggregate toolkit: deciders, envelopes, event store, publisher, notifier, handler factories.',
  deps: [
    `@aws-sdk/client-dynamodb@${V.awsSdk}`,
    `@aws-sdk/client-eventbridge@${V.awsSdk}`,
    `@aws-sdk/credential-provider-env@${V.credentialProviderEnv}`,
    `@smithy/signature-v4@${V.signatureV4}`,
    `@smithy/protocol-http@${V.protocolHttp}`,
    `@smithy/node-http-handler@${V.nodeHttpHandler}`,
    `@smithy/types@${V.smithyTypes}`,
  ],
  devDeps: [
    `dynalite@${V.dynalite}`,
    `${dynaliteTransactions.package.packageName}@workspace:*`,
    `fast-check@${V.fastCheck}`,
    `@aws-crypto/sha256-js@${V.sha256}`,
  ],
  exports: subpaths([
    'index',
    'dynamodb',
    'eventbridge',
    'appsync',
    'stepfunctions',
    'handlers',
    'testing',
    'contract',
  ]),
});

const contracts = new WorkspacePackage({
  parent: root,
  outdir: 'packages/contracts',
  name: '@core/contracts',
  nxName: 'contracts',
  description: 'The merged GraphQL schema and the TypeScript types graphql-codegen generates from it.',
  devDeps: [
    `graphql@${V.graphql}`,
    `@graphql-tools/merge@${V.graphqlToolsMerge}`,
    `@graphql-codegen/cli@${V.codegenCli}`,
    `@graphql-codegen/core@${V.codegenCore}`,
    `@graphql-codegen/typescript@${V.codegenTypescript}`,
    `ts-node@${V.tsNode}`,
  ],
  exports: {
    '.': { types: './lib/index.d.ts', source: './src/index.ts', default: './lib/index.js' },
    './generate': { types: './lib/generate.d.ts', source: './src/generate.ts', default: './lib/generate.js' },
    './schema.graphql': './schema.graphql',
  },
  // Reads every aggregate's fragment by path: contracts has no Nx dependency on the aggregates,
  // so a change inside one aggregate affects that aggregate and apps/core only.
  targets: { codegen: 'ts-node --transpile-only scripts/codegen.ts' },
  esmOnlyDeps: ['auto-bind'],
  extraTestInputs: ['{workspaceRoot}/packages/*/schema.graphql'],
});

const infra = new WorkspacePackage({
  parent: root,
  outdir: 'packages/infra',
  name: '@core/infra',
  nxName: 'infra',
  description:
    "The CDK rules every aggregate's construct applies: handler functions and their bundling, cdk-nag acknowledgements.",
  // What the handler bundles have in place of the SDK's default credential chain (HANDLER_BUNDLING).
  deps: [`@aws-sdk/credential-provider-env@${V.credentialProviderEnv}`],
  peerDeps: [`aws-cdk-lib@${V.awsCdkLib}`, `constructs@${V.constructs}`],
  devDeps: [`aws-cdk-lib@${V.awsCdkLib}`, `constructs@${V.constructs}`, `cdk-nag@${V.cdkNag}`, `esbuild@${V.esbuild}`],
});

const reservation = new WorkspacePackage({
  parent: root,
  outdir: 'packages/reservation',
  name: '@core/reservation',
  nxName: 'reservation',
  description: 'The reservation aggregate: domain, Lambda handlers, CDK construct and GraphQL fragment.',
  workspaceDeps: [runtime.package.packageName, contracts.package.packageName, infra.package.packageName],
  // The read model's adapter and its rebuild tool.
  deps: [`@aws-sdk/client-dynamodb@${V.awsSdk}`],
  peerDeps: [`aws-cdk-lib@${V.awsCdkLib}`, `constructs@${V.constructs}`],
  devDeps: [
    `aws-cdk-lib@${V.awsCdkLib}`,
    `constructs@${V.constructs}`,
    `dynalite@${V.dynalite}`,
    `${dynaliteTransactions.package.packageName}@workspace:*`,
    `fast-check@${V.fastCheck}`,
    `ts-node@${V.tsNode}`,
  ],
  exports: {
    ...subpaths(['index', 'infra', 'read-model']),
    './schema.graphql': './schema.graphql',
  },
  targets: { 'rebuild-read-model': 'ts-node --transpile-only scripts/rebuild-read-model.ts' },
});

const customer = new WorkspacePackage({
  parent: root,
  outdir: 'packages/customer',
  name: '@core/customer',
  nxName: 'customer',
  description: "The customer aggregate: an entity's life cycle, an email that belongs to one customer at most.",
  workspaceDeps: [runtime.package.packageName, contracts.package.packageName, infra.package.packageName],
  peerDeps: [`aws-cdk-lib@${V.awsCdkLib}`, `constructs@${V.constructs}`],
  devDeps: [
    `aws-cdk-lib@${V.awsCdkLib}`,
    `constructs@${V.constructs}`,
    `dynalite@${V.dynalite}`,
    `${dynaliteTransactions.package.packageName}@workspace:*`,
    `fast-check@${V.fastCheck}`,
    `@aws-sdk/client-dynamodb@${V.awsSdk}`,
  ],
  exports: {
    ...subpaths(['index', 'infra']),
    './schema.graphql': './schema.graphql',
  },
});

const room = new WorkspacePackage({
  parent: root,
  outdir: 'packages/room',
  name: '@core/room',
  nxName: 'room',
  description: 'The room aggregate: a resource with capacity over time (nights held and booked).',
  workspaceDeps: [runtime.package.packageName, contracts.package.packageName, infra.package.packageName],
  peerDeps: [`aws-cdk-lib@${V.awsCdkLib}`, `constructs@${V.constructs}`],
  devDeps: [
    `aws-cdk-lib@${V.awsCdkLib}`,
    `constructs@${V.constructs}`,
    `dynalite@${V.dynalite}`,
    `${dynaliteTransactions.package.packageName}@workspace:*`,
    `fast-check@${V.fastCheck}`,
    `@aws-sdk/client-dynamodb@${V.awsSdk}`,
  ],
  exports: {
    ...subpaths(['index', 'infra']),
    './schema.graphql': './schema.graphql',
  },
});

const payment = new WorkspacePackage({
  parent: root,
  outdir: 'packages/payment',
  name: '@core/payment',
  nxName: 'payment',
  description: 'The payment aggregate: a ledger per customer (authorize, capture, refund, void).',
  workspaceDeps: [runtime.package.packageName, contracts.package.packageName, infra.package.packageName],
  peerDeps: [`aws-cdk-lib@${V.awsCdkLib}`, `constructs@${V.constructs}`],
  devDeps: [
    `aws-cdk-lib@${V.awsCdkLib}`,
    `constructs@${V.constructs}`,
    `dynalite@${V.dynalite}`,
    `${dynaliteTransactions.package.packageName}@workspace:*`,
    `fast-check@${V.fastCheck}`,
    `@aws-sdk/client-dynamodb@${V.awsSdk}`,
  ],
  exports: {
    ...subpaths(['index', 'infra']),
    './schema.graphql': './schema.graphql',
  },
});

const local = new WorkspacePackage({
  parent: root,
  outdir: 'packages/local',
  name: '@core/local',
  nxName: 'local',
  description: 'Runs the synthesized core on one machine: DynamoDB, Lambda, EventBridge, AppSync, Step Functions.',
  // The runtime's contract (`@core/runtime/contract`): how the handlers' log lines and payloads read.
  workspaceDeps: [runtime.package.packageName],
  deps: [
    // `aws-cdk-lib/cx-api` reads the cloud assembly.
    `aws-cdk-lib@${V.awsCdkLib}`,
    `constructs@${V.constructs}`,
    `dynalite@${V.dynalite}`,
    `${dynaliteTransactions.package.packageName}@workspace:*`,
    `aws-local-stepfunctions@${V.localStepFunctions}`,
    `graphql@${V.graphql}`,
    `ws@${V.ws}`,
    `@smithy/signature-v4@${V.signatureV4}`,
    `@aws-crypto/sha256-js@${V.sha256}`,
    `@smithy/protocol-http@${V.protocolHttp}`,
    `selfsigned@${V.selfsigned}`,
  ],
  devDeps: [
    `@types/ws@${V.wsTypes}`,
    `@aws-sdk/client-sfn@${V.awsSdkSfn}`,
    `@aws-sdk/client-dynamodb@${V.awsSdk}`,
    `@aws-sdk/client-eventbridge@${V.awsSdk}`,
    `@aws-sdk/client-sqs@${V.awsSdk}`,
    `@apollo/client@${V.apolloClient}`,
    `aws-appsync-subscription-link@${V.subscriptionLink}`,
    `aws-appsync-auth-link@${V.authLink}`,
    `rxjs@${V.rxjs}`,
    `uuid@${V.uuid}`,
  ],
  testTimeout: 120_000,
});

const client = new WorkspacePackage({
  parent: root,
  outdir: 'packages/client',
  name: '@core/client',
  nxName: 'client',
  description:
    "The typed client for front-end servers: every aggregate's commands, answered on one subscription per server, the lost-message gap closed by the outcome query.",
  // Types only: the client's inputs, states and notifications are the merged schema's.
  workspaceDeps: [contracts.package.packageName],
  deps: [
    `ws@${V.ws}`,
    `@smithy/signature-v4@${V.signatureV4}`,
    `@smithy/types@${V.smithyTypes}`,
    `@aws-crypto/sha256-js@${V.sha256}`,
    // The standard credential chain (environment, profiles, SSO, container and instance roles).
    `@aws-sdk/credential-providers@${V.credentialProviders}`,
  ],
  devDeps: [
    `@types/ws@${V.wsTypes}`,
    `${local.package.packageName}@workspace:*`,
    `graphql@${V.graphql}`,
    `ts-node@${V.tsNode}`,
  ],
  // The end-to-end tests boot the synthesized app.
  testDependsOn: ['^build', { projects: ['core'], target: 'synth' }],
  targets: { bench: 'ts-node --transpile-only bench/cost.ts' },
  testTimeout: 120_000,
});

const demoWeb = new WorkspacePackage({
  parent: root,
  outdir: 'apps/demo-web',
  name: '@core/demo-web',
  nxName: 'demo-web',
  description:
    'The hotel journey in a browser: a server-rendered reservation form on @core/client, the final state pushed by Server-Sent Events.',
  workspaceDeps: [client.package.packageName, contracts.package.packageName],
  devDeps: [`${local.package.packageName}@workspace:*`, `playwright-core@${V.playwrightCore}`, `ts-node@${V.tsNode}`],
  targets: { 'ensure-chromium': 'ts-node --transpile-only scripts/ensure-chromium.ts' },
  // The browser test boots the synthesized app and drives Debian's Chromium (installed when missing).
  testDependsOn: ['^build', 'ensure-chromium', { projects: ['core'], target: 'synth' }],
  gitignore: ['/test-artifacts/'],
  testTimeout: 120_000,
});

const core = new WorkspacePackage({
  parent: root,
  outdir: 'apps/core',
  name: '@core/app',
  nxName: 'core',
  description: 'The deployable CDK app: one event bus, one AppSync API, every aggregate.',
  workspaceDeps: [
    reservation.package.packageName,
    customer.package.packageName,
    room.package.packageName,
    payment.package.packageName,
    contracts.package.packageName,
  ],
  deps: [`aws-cdk-lib@${V.awsCdkLib}`, `constructs@${V.constructs}`, `cdk-nag@${V.cdkNag}`],
  devDeps: [
    `aws-cdk@${V.awsCdkCli}`,
    `esbuild@${V.esbuild}`,
    `ts-node@${V.tsNode}`,
    `graphql@${V.graphql}`,
    `@graphql-tools/merge@${V.graphqlToolsMerge}`,
    `${local.package.packageName}@workspace:*`,
    `${runtime.package.packageName}@workspace:*`,
    // `pnpm start` serves the demo web app beside the core.
    `${demoWeb.package.packageName}@workspace:*`,
    // The cost benchmark measures the one-subscription client.
    `${client.package.packageName}@workspace:*`,
    `${infra.package.packageName}@workspace:*`,
    `${dynaliteTransactions.package.packageName}@workspace:*`,
    `dynalite@${V.dynalite}`,
    `@aws-sdk/client-dynamodb@${V.awsSdk}`,
    `@aws-sdk/client-sqs@${V.awsSdk}`,
    `@apollo/client@${V.apolloClient}`,
    `aws-appsync-subscription-link@${V.subscriptionLink}`,
    `aws-appsync-auth-link@${V.authLink}`,
    `rxjs@${V.rxjs}`,
    `uuid@${V.uuid}`,
    `ws@${V.ws}`,
    `@types/ws@${V.wsTypes}`,
    // A front-end server signs the user it acts for with its request (scripts/front-end-client.ts).
    `@smithy/signature-v4@${V.signatureV4}`,
    `@smithy/protocol-http@${V.protocolHttp}`,
    `@aws-crypto/sha256-js@${V.sha256}`,
  ],
  targets: {
    synth: 'rm -rf cdk.out && cdk synth --quiet',
    deploy: 'cdk deploy Core --require-approval never',
    bench:
      'node bench/run.mjs bench/handlers.ts && node bench/run.mjs bench/command-path.ts && ts-node --transpile-only bench/local.ts && ts-node --transpile-only bench/saga.ts && ts-node --transpile-only bench/load.ts && ts-node --transpile-only bench/client-cost.ts && ts-node --transpile-only bench/command-cost.ts',
    start: 'ts-node --transpile-only scripts/start.ts',
    demo: 'ts-node --transpile-only scripts/demo.ts',
    'dead-letters': 'ts-node --transpile-only scripts/dead-letters.ts',
  },
  // The end-to-end tests boot the synthesized app.
  testDependsOn: ['^build', 'synth'],
  gitignore: ['/cdk.out/', '/.local/'],
  esmOnlyDeps: ['auto-bind'],
  testTimeout: 120_000,
});

root.synth();

function subpaths(names: string[]): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  for (const name of names) {
    const key = name === 'index' ? '.' : `./${name}`;
    exports[key] = { types: `./lib/${name}.d.ts`, source: `./src/${name}.ts`, default: `./lib/${name}.js` };
  }
  return exports;
}
