/**
 * The AWS JSON routes' authentication and authorization, as the services do it: SigV4 for the
 * route's service (the verifier AppSync uses too), then IAM on each request the operation is made of
 * (`../iam/actions`), with the principal's policies from the template and the resource's policy.
 * A refusal answers as the AWS JSON APIs do (HTTP 400, `__type`), names the action and the resource
 * when a grant is missing, and is printed, so a missing grant fails here before it fails in AWS.
 */
import type { AwsJsonContentType } from '../eventbridge/aws-json';
import { sendAwsJsonError } from '../eventbridge/aws-json';
import {
  authorize,
  verifySigV4,
  type IamEvaluation,
  type IamPrincipal,
  type IamRequest,
  type PolicyStatement,
  type SigV4Refusal,
} from '../iam';
import { normalizeHeaders } from '../appsync/auth';
import { collectResourcePolicies } from '../cloudformation';
import type { LocalRequest } from './router';
import type { LocalStack } from './stacks';

/** What the routes authenticate and authorize against. */
export interface AwsAuth {
  readonly region: string;
  readonly accountId: string;
  readonly principals: ReadonlyMap<string, IamPrincipal>;
  /** The resource policy that guards an ARN (a table's guards its indexes too); none: `[]`. */
  policyOf(resourceArn: string): readonly PolicyStatement[];
  /** Prints one refusal line. */
  readonly write: (line: string) => void;
}

/** AWS refuses a signature more than 5 minutes off its clock. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** The `__type` AWS answers for each refused signature. */
const REFUSAL_TYPES: Readonly<Record<SigV4Refusal | 'missing', string>> = {
  missing: 'MissingAuthenticationTokenException',
  incomplete: 'IncompleteSignatureException',
  unrecognized: 'UnrecognizedClientException',
  expired: 'InvalidSignatureException',
  mismatch: 'InvalidSignatureException',
};

/**
 * The principal that signed the request for `service` (`dynamodb`, `events`, `states`), or
 * undefined once the refusal is answered.
 *
 * @example
 * const principal = await authenticateAws(request, 'dynamodb', auth, 'application/x-amz-json-1.0');
 * if (principal === undefined) return true;
 */
export async function authenticateAws(
  { req, res, body, path }: LocalRequest,
  service: string,
  auth: AwsAuth,
  contentType: AwsJsonContentType,
): Promise<IamPrincipal | undefined> {
  const headers = normalizeHeaders(req.headers);
  if (headers.authorization === undefined) {
    refuse(res, contentType, auth, 'missing', 'Request is missing Authentication Token', service);
    return undefined;
  }
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams);
  const outcome = await verifySigV4(
    { method: req.method ?? 'POST', path, query, headers, body },
    { region: auth.region, service, principals: auth.principals, now: new Date(), maxSkewMs: MAX_CLOCK_SKEW_MS },
  );
  if (!outcome.ok) {
    refuse(res, contentType, auth, outcome.refusal, outcome.message, service);
    return undefined;
  }
  return outcome.principal;
}

/** A request IAM refused, with why. */
export interface AwsDenial {
  readonly request: IamRequest;
  readonly evaluation: IamEvaluation;
}

/** The first of `requests` the principal may not make, or undefined when it may make them all. */
export function firstDenial(
  principal: IamPrincipal,
  requests: readonly IamRequest[],
  auth: AwsAuth,
): AwsDenial | undefined {
  for (const request of requests) {
    const evaluation = authorize(principal, request, auth.policyOf(request.resource));
    if (evaluation.decision !== 'allow') return { request, evaluation };
  }
  return undefined;
}

/**
 * AWS's AccessDenied message: who, which action on which resource, and why.
 *
 * @example
 * accessDeniedMessage(principal, denial);
 * // 'User: arn:aws:sts::…:assumed-role/…/local is not authorized to perform: dynamodb:Scan on resource: arn:aws:dynamodb:…:table/… because no identity-based policy allows the dynamodb:Scan action'
 */
export function accessDeniedMessage(principal: IamPrincipal, { request, evaluation }: AwsDenial): string {
  const reason =
    evaluation.deniedBy === undefined
      ? `because no identity-based policy allows the ${request.action} action`
      : `with an explicit deny in a ${evaluation.deniedBy}`;
  const conditions = Object.entries(request.context ?? {})
    .filter(([key, value]) => value !== undefined && !key.startsWith('aws:'))
    .map(([key, value]) => `${key}=${String(value)}`);
  const context = conditions.length === 0 ? '' : ` (${conditions.join(', ')})`;
  return `User: ${principal.userArn} is not authorized to perform: ${request.action} on resource: ${request.resource}${context} ${reason}`;
}

/** Answers `AccessDeniedException` for a denial, and prints it. */
export function sendAccessDenied(
  res: LocalRequest['res'],
  contentType: AwsJsonContentType,
  auth: AwsAuth,
  principal: IamPrincipal,
  denial: AwsDenial,
): void {
  const message = accessDeniedMessage(principal, denial);
  auth.write(`!! access denied: ${message}`);
  sendAwsJsonError(res, contentType, 400, 'AccessDeniedException', message);
}

function refuse(
  res: LocalRequest['res'],
  contentType: AwsJsonContentType,
  auth: AwsAuth,
  refusal: SigV4Refusal | 'missing',
  message: string,
  service: string,
): void {
  auth.write(`!! ${service} request refused: ${message}`);
  sendAwsJsonError(res, contentType, 400, REFUSAL_TYPES[refusal], message);
}

/**
 * The resource policies of the stacks, as `AwsAuth.policyOf`: by the ARN they guard; a table's
 * policy also guards the table's indexes (`…:table/<name>/index/<index>`).
 */
export function resourcePolicyLookup(
  stacks: readonly LocalStack[],
): (resourceArn: string) => readonly PolicyStatement[] {
  const policies = new Map<string, PolicyStatement[]>();
  for (const { ctx } of stacks) {
    for (const [arn, statements] of collectResourcePolicies(ctx))
      policies.set(arn, [...(policies.get(arn) ?? []), ...statements]);
  }
  return (resourceArn) => policies.get(resourceArn.replace(/(:table\/[^/]+)\/index\/.*$/, '$1')) ?? [];
}
