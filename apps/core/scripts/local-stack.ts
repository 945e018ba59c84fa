/**
 * The stacks of apps/core/cdk.out: `Core` is what deploys (IAM only, no introspection, protected
 * event stores); `CoreDev` is the development stage, which the local core boots (`pnpm start`, the
 * end-to-end tests, the benchmark). See src/main.ts.
 */
export const PRODUCTION_STACK = 'Core';
export const LOCAL_STACK = 'CoreDev';
