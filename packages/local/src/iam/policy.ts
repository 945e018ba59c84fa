/**
 * A small IAM policy evaluator: identity policies, resource policies and their conditions, as IAM
 * evaluates a request within one account. An explicit `Deny` in either policy wins; then an `Allow`
 * in either (a resource policy's only for a principal it names); else the request is implicitly
 * denied.
 *
 * What it understands, and what it does with the rest (on purpose):
 *
 * - Actions match case-insensitively, resources case-sensitively; `*` matches any run of characters
 *   (across `:` and `/`, as in CDK's `<function arn>:*`), `?` exactly one. `NotAction` and
 *   `NotResource` are supported.
 * - Conditions: the `String*`, `Arn*`, `Bool` and `Null` operators, with `…IfExists`, on
 *   single-valued keys; condition keys are case-insensitive. A key missing from the request makes a
 *   positive operator false and a negated one (`StringNotEquals`, `ArnNotEquals`, …) true, as IAM
 *   does. An operator this evaluator does not know (`NumericLessThan`, `ForAllValues:…`, `IpAddress`)
 *   fails closed: an `Allow` with it grants nothing, a `Deny` with it denies.
 * - A resource policy's `Principal`: `*`, `{ AWS: '*' }`, ARNs and account ids (an account id or
 *   `arn:aws:iam::<account>:root` stands for every principal of that account). Service principals
 *   never match: the local callers are roles and users.
 * - Permission boundaries, SCPs and session policies are not evaluated.
 */

/** One statement of a policy document, with intrinsics already resolved. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, unknown>>;
}

/** The request context's condition keys and values: `aws:PrincipalArn`, `events:source`. */
export type ConditionContext = Readonly<Record<string, string | undefined>>;

/** The outcome of evaluating a request against statements. */
export type IamDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** One request to authorize: an action on a resource, with its condition keys. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: ConditionContext;
}

/** Who makes a request, as a resource policy's `Principal` sees it. */
export interface IamCaller {
  /** The role's ARN for a role session (what `aws:PrincipalArn` holds), the user's ARN for a user. */
  readonly principalArn: string;
  readonly accountId: string;
}

/** IAM's answer to one request, and which policy decided a denial (for the AccessDenied message). */
export interface IamEvaluation {
  readonly decision: IamDecision;
  /** For an explicit deny: the kind of policy that holds it. */
  readonly deniedBy?: 'identity-based policy' | 'resource-based policy';
}

function asList(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

const patternCache = new Map<string, RegExp>();

/** Compiles an IAM wildcard pattern (`*`, `?`) into an anchored regular expression. */
function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}:${pattern}`;
  let compiled = patternCache.get(key);
  if (compiled === undefined) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    compiled = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    patternCache.set(key, compiled);
  }
  return compiled;
}

/**
 * Whether an IAM wildcard pattern matches a value.
 *
 * @example
 * wildcardMatch('dynamodb:Get*', 'dynamodb:GetItem', true); // true
 */
export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  return wildcardRegExp(pattern, caseInsensitive).test(value);
}

/** How a condition operator compares one request value with one policy value. */
type Comparison = (actual: string, expected: string) => boolean;

const COMPARISONS: Readonly<Record<string, { readonly compare: Comparison; readonly negated: boolean }>> = {
  StringEquals: { compare: (a, e) => a === e, negated: false },
  StringNotEquals: { compare: (a, e) => a === e, negated: true },
  StringEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: true },
  StringLike: { compare: (a, e) => wildcardMatch(e, a, false), negated: false },
  StringNotLike: { compare: (a, e) => wildcardMatch(e, a, false), negated: true },
  ArnEquals: { compare: (a, e) => wildcardMatch(e, a, false), negated: false },
  ArnLike: { compare: (a, e) => wildcardMatch(e, a, false), negated: false },
  ArnNotEquals: { compare: (a, e) => wildcardMatch(e, a, false), negated: true },
  ArnNotLike: { compare: (a, e) => wildcardMatch(e, a, false), negated: true },
  Bool: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
};

/** Whether one operator's keys all hold; `undefined` when the operator is not one this evaluator knows. */
function operatorHolds(operator: string, keys: unknown, context: ConditionContext): boolean | undefined {
  if (typeof keys !== 'object' || keys === null) return undefined;
  const ifExists = operator.endsWith('IfExists');
  const name = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const lookup = (key: string) => context[key.toLowerCase()];
  if (name === 'Null' && !ifExists) {
    return Object.entries(keys).every(
      ([key, value]) => String(value).toLowerCase() === String(lookup(key) === undefined),
    );
  }
  const comparison = COMPARISONS[name];
  if (comparison === undefined) return undefined;
  return Object.entries(keys).every(([key, value]) => {
    const actual = lookup(key);
    if (actual === undefined) return ifExists || comparison.negated;
    const expected = (Array.isArray(value) ? value : [value]).map(String);
    const anyMatches = expected.some((candidate) => comparison.compare(actual, candidate));
    return comparison.negated ? !anyMatches : anyMatches;
  });
}

/** Whether a statement's conditions hold; `undefined` when one of its operators is unknown. */
function conditionsHold(condition: PolicyStatement['Condition'], context: ConditionContext): boolean | undefined {
  let holds: boolean | undefined = true;
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    const result = operatorHolds(operator, keys, context);
    if (result === undefined) return undefined;
    holds = holds && result;
  }
  return holds;
}

function actionMatches(statement: PolicyStatement, action: string): boolean {
  if (statement.Action !== undefined)
    return asList(statement.Action).some((pattern) => wildcardMatch(pattern, action, true));
  return (
    statement.NotAction !== undefined &&
    !asList(statement.NotAction).some((pattern) => wildcardMatch(pattern, action, true))
  );
}

function resourceMatches(statement: PolicyStatement, resource: string): boolean {
  if (statement.Resource !== undefined)
    return asList(statement.Resource).some((pattern) => wildcardMatch(pattern, resource, false));
  if (statement.NotResource !== undefined)
    return !asList(statement.NotResource).some((pattern) => wildcardMatch(pattern, resource, false));
  return false;
}

/** Whether a statement applies to a request; an unknown condition operator applies a Deny and never an Allow. */
function statementApplies(statement: PolicyStatement, request: IamRequest): boolean {
  if (!actionMatches(statement, request.action) || !resourceMatches(statement, request.resource)) return false;
  const holds = conditionsHold(statement.Condition, normalizedContext(request.context));
  return holds === undefined ? statement.Effect === 'Deny' : holds;
}

function normalizedContext(context: ConditionContext | undefined): ConditionContext {
  const normalized: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(context ?? {})) normalized[key.toLowerCase()] = value;
  return normalized;
}

/**
 * Evaluates a request against identity-policy statements.
 *
 * @example
 * iamDecision([{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }, { Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: '*' }],
 *   'dynamodb:DeleteTable', 'arn:aws:dynamodb:eu-west-1:000000000000:table/t'); // 'explicit-deny'
 */
export function iamDecision(
  statements: readonly PolicyStatement[],
  action: string,
  resourceArn: string,
  context?: ConditionContext,
): IamDecision {
  let allowed = false;
  for (const statement of statements) {
    if (!statementApplies(statement, { action, resource: resourceArn, context })) continue;
    if (statement.Effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

/**
 * True when the statements allow `action` on `resourceArn` (an `Allow` applies and no `Deny` does).
 *
 * @example
 * iamAllows([{ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: 'arn:aws:dynamodb:*:*:table/events' }],
 *   'dynamodb:GetItem', 'arn:aws:dynamodb:eu-west-1:000000000000:table/events'); // true
 */
export function iamAllows(
  statements: readonly PolicyStatement[],
  action: string,
  resourceArn: string,
  context?: ConditionContext,
): boolean {
  return iamDecision(statements, action, resourceArn, context) === 'allow';
}

/** Whether a resource policy statement names the caller (its `Principal`, or not its `NotPrincipal`). */
export function principalMatches(statement: PolicyStatement, caller: IamCaller): boolean {
  if (statement.NotPrincipal !== undefined) return !namesCaller(statement.NotPrincipal, caller);
  return statement.Principal !== undefined && namesCaller(statement.Principal, caller);
}

function namesCaller(principal: unknown, caller: IamCaller): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const aws = (principal as { AWS?: string | readonly string[] }).AWS;
  return asList(aws).some(
    (entry) =>
      entry === '*' ||
      entry === caller.principalArn ||
      entry === caller.accountId ||
      entry === `arn:aws:iam::${caller.accountId}:root`,
  );
}

/**
 * Evaluates one request of a caller against its identity policy's decision and the resource's
 * policy (statements that do not name the caller are left out).
 *
 * @example
 * evaluateRequest('implicit-deny', busPolicy, caller, { action: 'events:PutEvents', resource: busArn, context });
 */
export function evaluateRequest(
  identity: IamDecision,
  resourcePolicy: readonly PolicyStatement[],
  caller: IamCaller,
  request: IamRequest,
): IamEvaluation {
  if (identity === 'explicit-deny') return { decision: 'explicit-deny', deniedBy: 'identity-based policy' };
  const applying = resourcePolicy.filter((statement) => principalMatches(statement, caller));
  const resource = iamDecision(applying, request.action, request.resource, request.context);
  if (resource === 'explicit-deny') return { decision: 'explicit-deny', deniedBy: 'resource-based policy' };
  return { decision: identity === 'allow' || resource === 'allow' ? 'allow' : 'implicit-deny' };
}
