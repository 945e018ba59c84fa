/**
 * The environment variables of a local execution environment: a minimal base, the function's own
 * variables, the variables the Lambda runtime sets, and the credentials and endpoints the caller injects.
 */
import { tmpdir } from 'node:os';
import { LambdaRunnerError } from '../errors';

/** Variables that Lambda sets itself and refuses in a function's configuration. */
export const RESERVED_ENVIRONMENT_VARIABLES: readonly string[] = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
];

/** What {@link executionEnvironmentVariables} needs. */
export interface EnvironmentInput {
  readonly functionName: string;
  readonly region: string;
  readonly runtime: string;
  readonly handler: string;
  readonly memoryMb: number;
  readonly taskRoot: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly runtimeNodePath: readonly string[];
  /** The function's configured variables (intrinsics already resolved). */
  readonly environment: Readonly<Record<string, string>>;
  /** Credentials and endpoints injected by the caller; they win over everything else. */
  readonly runtimeEnvironment: Readonly<Record<string, string>>;
}

/**
 * Fails when the function's own variables use a name Lambda reserves, as Lambda refuses to deploy it.
 *
 * @throws LambdaRunnerError `RESERVED_ENVIRONMENT_VARIABLE`
 */
export function checkFunctionEnvironment(functionName: string, environment: Readonly<Record<string, string>>): void {
  const reserved = Object.keys(environment).filter((key) => RESERVED_ENVIRONMENT_VARIABLES.includes(key));
  if (reserved.length > 0) {
    throw new LambdaRunnerError(
      'RESERVED_ENVIRONMENT_VARIABLE',
      `function ${functionName} sets reserved environment variables: ${reserved.join(', ')}; Lambda refuses them`,
    );
  }
}

/**
 * The full environment of one execution environment. Nothing is inherited from this process except
 * `PATH` and `HOME`; in particular `NODE_OPTIONS` and the caller's AWS variables are not passed on.
 *
 * Note: worker threads share the process clock, so `TZ` is visible in `process.env` but does not change
 * the time zone the function's `Date` uses.
 */
export function executionEnvironmentVariables(input: EnvironmentInput): Record<string, string> {
  const base: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env['HOME'] ?? tmpdir(),
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
  };
  if (input.runtimeNodePath.length > 0) base['NODE_PATH'] = input.runtimeNodePath.join(':');
  const runtime: Record<string, string> = {
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    AWS_LAMBDA_FUNCTION_NAME: input.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(input.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: input.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: input.logStreamName,
    AWS_EXECUTION_ENV: `AWS_Lambda_${input.runtime}`,
    LAMBDA_TASK_ROOT: input.taskRoot,
    _HANDLER: input.handler,
  };
  return { ...base, ...input.environment, ...runtime, ...input.runtimeEnvironment };
}
