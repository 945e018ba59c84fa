/**
 * What a handler bundle has in place of `@aws-sdk/credential-provider-node`, the SDK's default
 * credential chain (environment, SSO, `~/.aws` files, process, web identity, ECS, instance metadata,
 * with the STS and SSO clients they call: about 130 KB minified). A Lambda function's credentials are
 * in its environment, which is where the chain looks first, so in a bundle the default chain is the
 * environment's provider alone. esbuild substitutes this module (see `HANDLER_BUNDLING`).
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
