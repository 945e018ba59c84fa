/**
 * How AWS authenticates and authorizes a request, for the local services: SigV4 verification, and
 * the evaluation of identity and resource policies with their conditions.
 */
export {
  evaluateRequest,
  iamAllows,
  iamDecision,
  principalMatches,
  wildcardMatch,
  type ConditionContext,
  type IamCaller,
  type IamDecision,
  type IamEvaluation,
  type IamRequest,
  type PolicyStatement,
} from './policy';
export { allows, authorize, type IamPrincipal } from './principal';
export {
  isSigV4Authorization,
  verifySigV4,
  type SignedRequest,
  type SigV4Expectations,
  type SigV4Outcome,
  type SigV4Refusal,
} from './sigv4';
