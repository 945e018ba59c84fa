/**
 * The Step Functions task reporter: SendTaskSuccess and SendTaskFailure as signed AWS JSON 1.0 calls
 * over node:https, with the function's own credentials. No Step Functions SDK client: the event
 * handler's bundle stays as small as the AppSync notifier keeps it.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { DependencyError } from './errors';
import { nodePost, type HttpPost } from './http-post';
import type { TaskReporter } from './ports';
import { NodeSha256 } from './sha256';

export interface StepFunctionsReporterOptions {
  readonly region: string;
  /** @default `AWS_ENDPOINT_URL_SFN`, else `https://states.<region>.amazonaws.com` */
  readonly endpoint?: string;
  /** @default the function's credentials from its environment */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** @default node:http(s) */
  readonly post?: HttpPost;
}

export interface ReporterMetrics {
  requests: number;
  /** Reports to a task that no longer waits (timed out, or reported before). */
  gone: number;
}

/** Answers that mean the task no longer waits: nothing is left to report to, so nothing is retried. */
const TASK_GONE = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);
/** Step Functions' limits: an error name of 256 characters, a cause of 32,768. */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

/**
 * @example
 * const tasks = createStepFunctionsReporter({ region: config.required('AWS_REGION') });
 * await tasks.fail(commit.taskToken, 'NIGHTS_UNAVAILABLE', 'room 7 is held on 2026-12-02');
 */
export function createStepFunctionsReporter(
  options: StepFunctionsReporterOptions,
): TaskReporter & { readonly metrics: ReporterMetrics } {
  const url = new URL(
    options.endpoint ?? process.env['AWS_ENDPOINT_URL_SFN'] ?? `https://states.${options.region}.amazonaws.com`,
  );
  const signer = new SignatureV4({
    service: 'states',
    region: options.region,
    credentials: options.credentials ?? fromEnv(),
    sha256: NodeSha256,
  });
  const send = options.post ?? nodePost;
  const metrics: ReporterMetrics = { requests: 0, gone: 0 };

  async function call(operation: string, payload: Record<string, string>): Promise<void> {
    const body = JSON.stringify(payload);
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: url.pathname,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AWSStepFunctions.${operation}`,
        host: url.host,
      },
      body,
    });
    const signed = await signer.sign(request);
    metrics.requests += 1;
    let answer: { status: number; text: string };
    try {
      answer = await send(url, signed.headers, body);
    } catch (error) {
      throw new DependencyError('REPORT_FAILED', `could not reach Step Functions at ${url.host}`, { cause: error });
    }
    if (answer.status >= 200 && answer.status < 300) return;
    const type = errorTypeOf(answer.text);
    if (TASK_GONE.has(type)) {
      metrics.gone += 1;
      return;
    }
    throw new DependencyError(
      'REPORT_FAILED',
      `Step Functions answered ${operation} with HTTP ${answer.status} ${type}: ${answer.text.slice(0, 300)}`,
    );
  }

  return {
    metrics,
    succeed: (taskToken, output) => call('SendTaskSuccess', { taskToken, output: JSON.stringify(output) }),
    fail: (taskToken, error, cause) =>
      call('SendTaskFailure', { taskToken, error: error.slice(0, MAX_ERROR), cause: cause.slice(0, MAX_CAUSE) }),
  };
}

/** The error type of an AWS JSON error answer (`__type`, possibly prefixed with a namespace). */
function errorTypeOf(text: string): string {
  try {
    const type = (JSON.parse(text) as { __type?: unknown }).__type;
    return typeof type === 'string' ? (type.split('#').at(-1) ?? type) : '';
  } catch {
    return '';
  }
}
