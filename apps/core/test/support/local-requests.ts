/**
 * Raw requests to the local core, as an attacker (or a careless client) would send them: AWS JSON
 * requests signed as anyone or no one, GraphQL requests signed at any date or tampered with, HTTP
 * requests with any Host header or body size, and the names the stack's resources have locally.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { createStackContext, loadCloudAssembly, type LocalCore } from '@core/local';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { request as httpRequest } from 'node:http';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> & { __type?: string; message?: string };
}

/** How to sign: as whom (none: unsigned), when, with which extra headers, and a change made after signing. */
export interface SigningOptions {
  readonly signingDate?: Date;
  readonly headers?: Record<string, string>;
  readonly afterSigning?: (headers: Record<string, string>) => void;
  /** A body sent instead of the one signed. */
  readonly sendBody?: string;
}

const AWS_JSON = {
  dynamodb: { target: 'DynamoDB_20120810', contentType: 'application/x-amz-json-1.0' },
  events: { target: 'AWSEvents', contentType: 'application/x-amz-json-1.1' },
  states: { target: 'AWSStepFunctions', contentType: 'application/x-amz-json-1.0' },
} as const;

async function signed(
  url: URL,
  service: string,
  region: string,
  body: string,
  headers: Record<string, string>,
  credentials: Credentials | undefined,
  options: SigningOptions,
): Promise<Record<string, string>> {
  let all: Record<string, string> = { host: url.host, ...headers, ...options.headers };
  if (credentials !== undefined) {
    const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      headers: all,
      body,
    });
    all = (await signer.sign(request, { signingDate: options.signingDate })).headers;
  }
  options.afterSigning?.(all);
  const { host: _host, ...sent } = all;
  return sent;
}

async function post(url: URL, body: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Answer['body']) };
}

/** An AWS JSON request (`DynamoDB_20120810.Scan`, `AWSEvents.PutEvents`, …) to the core's endpoint. */
export async function awsRequest(
  core: LocalCore,
  service: keyof typeof AWS_JSON,
  operation: string,
  input: object,
  credentials: Credentials | undefined,
  options: SigningOptions = {},
): Promise<Answer> {
  const url = new URL(core.endpoint);
  const body = JSON.stringify(input);
  const { target, contentType } = AWS_JSON[service];
  const headers = { 'content-type': contentType, 'x-amz-target': `${target}.${operation}` };
  return post(url, body, await signed(url, service, core.region, body, headers, credentials, options));
}

/** A GraphQL request to the core's API, signed for AppSync as `credentials`, or with the given headers. */
export async function graphqlRequest(
  core: LocalCore,
  request: { query: string; variables?: object },
  credentials: Credentials | undefined,
  options: SigningOptions = {},
): Promise<Answer> {
  const url = new URL(core.graphqlUrl);
  const body = JSON.stringify(request);
  const headers = { 'content-type': 'application/json' };
  const sent = await signed(url, 'appsync', core.region, body, headers, credentials, options);
  return post(url, options.sendBody ?? body, sent);
}

/** A raw HTTP POST to the core's server with exactly these headers; `send` writes (or not) the body. */
export function rawPost(
  core: LocalCore,
  path: string,
  headers: Record<string, string>,
  send: (write: (chunk: Buffer) => boolean) => void = () => undefined,
): Promise<{ status: number; body: string }> {
  const url = new URL(core.endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.flushHeaders();
    send((chunk) => req.write(chunk));
  });
}

/** A resource's local name and ARN in a stack of the assembly (its `Ref` and `Fn::GetAtt Arn`). */
export function localResource(
  assemblyDir: string,
  stackName: string,
  core: LocalCore,
  constructPath: string,
): { name: string; arn: string } {
  const stack = loadCloudAssembly(assemblyDir).stacks.find((s) => s.stackName === stackName);
  if (stack === undefined) throw new Error(`${assemblyDir} has no stack ${stackName}`);
  const ctx = createStackContext({
    template: stack.template,
    stackName,
    region: core.region,
    accountId: '000000000000',
  });
  const [logicalId] = Object.entries(stack.template.Resources ?? {}).find(
    ([, resource]) => resource.Metadata?.['aws:cdk:path'] === `${stackName}/${constructPath}/Resource`,
  ) ?? [undefined];
  if (logicalId === undefined) throw new Error(`${stackName} has no ${constructPath}`);
  return { name: String(ctx.ref(logicalId)), arn: String(ctx.getAtt(logicalId, 'Arn')) };
}
