/**
 * What every projen NodeProject here leaves out: the project is a private monorepo built by Nx, so
 * no release, no GitHub workflows, no per-package jest/prettier/license; projen only writes files.
 */
export const PLAIN_NODE_PROJECT = {
  defaultReleaseBranch: 'main',
  projenrcJson: false,
  projenrcJs: false,
  licensed: false,
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  jest: false,
  prettier: false,
  npmignoreEnabled: false,
  entrypoint: '',
  minNodeVersion: '20.19.0',
} as const;

/**
 * Exact versions for every third-party package. The registry serves only `latest`
 * tags, so nothing here is a range: an upgrade is a reviewed edit of this file.
 */
export const V = {
  typescript: '5.9.3',
  nodeTypes: '20.19.43',
  projen: '0.103.25',
  pnpm: '12.21.0',
  nx: '24.0.6',
  tsNode: '10.9.2',
  jest: '30.5.2',
  swcJest: '0.2.39',
  swcCore: '1.16.22',
  fastCheck: '4.11.0',
  awsCdkLib: '2.276.0',
  awsCdkCli: '2.1148.1',
  constructs: '10.8.1',
  cdkNag: '3.0.2',
  esbuild: '0.28.2',
  awsSdk: '3.1169.0',
  signatureV4: '5.7.5',
  smithyTypes: '4.20.0',
  sha256: '5.2.0',
  credentialProviderEnv: '3.972.86',
  protocolHttp: '5.6.2',
  nodeHttpHandler: '4.14.2',
  graphql: '16.15.0',
  graphqlToolsMerge: '10.0.6',
  codegenCli: '7.4.3',
  codegenTypescript: '6.1.0',
  codegenOperations: '6.1.9',
  codegenCore: '6.2.1',
  dynalite: '4.0.0',
  localStepFunctions: '3.0.0',
  ws: '8.23.0',
  wsTypes: '8.18.2',
  eslint: '10.15.0',
  typescriptEslint: '8.74.0',
  prettier: '3.10.1',
  apolloClient: '4.3.8',
  subscriptionLink: '4.0.3',
  authLink: '4.0.2',
  rxjs: '7.8.2',
  uuid: '10.0.0',
  selfsigned: '5.5.0',
  awsSdkSfn: '3.1164.0',
} as const;
