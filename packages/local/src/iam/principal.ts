/**
 * The principals the local services authenticate (by SigV4) and authorize: each holds its secret,
 * the identity AppSync shows for it, and its identity policy's decision on a request.
 */
import { evaluateRequest, type IamDecision, type IamEvaluation, type IamRequest, type PolicyStatement } from './policy';

/** A set of SigV4 credentials the local services accept, and who they belong to. */
export interface IamPrincipal {
  readonly secretAccessKey: string;
  /** Required in `x-amz-security-token` when set (temporary credentials); refused when unset. */
  readonly sessionToken?: string;
  /** The ARN AppSync shows as `identity.userArn` (a role session's `…:assumed-role/<role>/<session>`). */
  readonly userArn: string;
  /** What `aws:PrincipalArn` holds for this principal: the role's ARN, or the user's. */
  readonly principalArn: string;
  readonly username: string;
  readonly accountId: string;
  /** The principal's identity policy's decision on one request. */
  decide(request: IamRequest): IamDecision;
}

/**
 * A principal's request evaluated as IAM would: its identity policy and the resource's policy, with
 * `aws:PrincipalArn` and `aws:PrincipalAccount` in the request context.
 *
 * @example
 * authorize(principal, { action: 'dynamodb:PutItem', resource: tableArn }, tablePolicy).decision; // 'explicit-deny'
 */
export function authorize(
  principal: IamPrincipal,
  request: IamRequest,
  resourcePolicy: readonly PolicyStatement[] = [],
): IamEvaluation {
  const withCaller: IamRequest = {
    ...request,
    context: {
      'aws:PrincipalArn': principal.principalArn,
      'aws:PrincipalAccount': principal.accountId,
      ...request.context,
    },
  };
  return evaluateRequest(principal.decide(withCaller), resourcePolicy, principal, withCaller);
}

/** True when the principal may `action` on `resourceArn`, by its identity policy alone. */
export function allows(principal: IamPrincipal, action: string, resourceArn: string): boolean {
  return authorize(principal, { action, resource: resourceArn }).decision === 'allow';
}
