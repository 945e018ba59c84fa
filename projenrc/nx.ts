/**
 * nx.json. Every package has the same target names; `production` leaves tests out, so a
 * test-only change rebuilds nothing downstream. No cloud, no daemon.
 */
export const nxJson = {
  $schema: './node_modules/nx/schemas/nx-schema.json',
  neverConnectToCloud: true,
  useDaemonProcess: false,
  tui: { enabled: false },
  // Inside the workspace, so a fresh clone (CI) starts cold instead of sharing this machine's cache.
  cacheDirectory: '.nx/cache',
  defaultBase: 'main',
  namedInputs: {
    sharedGlobals: ['{workspaceRoot}/tsconfig.base.json', '{workspaceRoot}/pnpm-lock.yaml'],
    default: ['{projectRoot}/**/*', 'sharedGlobals'],
    production: [
      'default',
      '!{projectRoot}/test/**/*',
      '!{projectRoot}/**/*.test.ts',
      '!{projectRoot}/jest.config.json',
      '!{projectRoot}/tsconfig.dev.json',
      '!{projectRoot}/README.md',
      '!{projectRoot}/cdk.out/**/*',
      '!{projectRoot}/.local/**/*',
    ],
  },
  targetDefaults: {
    build: {
      dependsOn: ['^build'],
      inputs: ['production', '^production'],
      outputs: ['{projectRoot}/lib'],
      cache: true,
    },
    lint: {
      dependsOn: ['^build'],
      inputs: ['default', '^production', '{workspaceRoot}/eslint.config.mjs'],
      cache: true,
    },
    test: { dependsOn: ['^build'], inputs: ['default', '^production'], cache: true },
    synth: {
      dependsOn: ['^build'],
      inputs: ['production', '^production'],
      outputs: ['{projectRoot}/cdk.out'],
      cache: true,
    },
    deploy: { dependsOn: ['synth'], cache: false },
    bench: { dependsOn: ['^build', 'synth'], cache: false },
    codegen: { cache: false },
    start: { dependsOn: ['^build', 'synth'], cache: false },
    demo: { cache: false },
    'ensure-chromium': { cache: false },
    'dead-letters': { cache: false },
  },
};
