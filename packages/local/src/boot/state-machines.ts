/**
 * Step Functions: every `AWS::StepFunctions::StateMachine` of the templates (its definition with the
 * `DefinitionSubstitutions` applied, STANDARD or EXPRESS), run by aws-local-stepfunctions with its
 * Lambda tasks calling the local functions, and served at `AWSStepFunctions.*`.
 */
import { parseAwsJsonBody } from '../eventbridge/aws-json';
import { stepFunctionsRequest } from '../iam/actions';
import { createLocalStepFunctions, type LocalStateMachine, type LocalStepFunctions } from '../stepfunctions';
import { authenticateAws, firstDenial, sendAccessDenied, type AwsAuth } from './aws-auth';
import type { Closers } from './closers';
import type { LocalFunctions } from './functions';
import { targetRoute, type Route } from './router';
import type { LocalStack } from './stacks';
import type { BootSettings } from './types';

export function readStateMachines(stacks: readonly LocalStack[]): LocalStateMachine[] {
  const machines: LocalStateMachine[] = [];
  for (const { ctx } of stacks) {
    for (const id of ctx.resourcesOfType('AWS::StepFunctions::StateMachine')) {
      const props = ctx.resolveProperties(id);
      machines.push({
        arn: String(ctx.ref(id)),
        name: String(ctx.getAtt(id, 'Name')),
        definition: definitionOf(props),
        type: props['StateMachineType'] === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      });
    }
  }
  return machines;
}

export function startStepFunctions(
  stateMachines: readonly LocalStateMachine[],
  functions: LocalFunctions,
  settings: BootSettings,
  closers: Closers,
): LocalStepFunctions {
  const sfn = createLocalStepFunctions({
    region: settings.region,
    accountId: settings.accountId,
    stateMachines,
    invokeLambda: async (functionArn, payload) => functions.invoke(functionArn, payload),
    log: (line) => settings.write(`states: ${line}`),
  });
  closers.add(() => sfn.close());
  return sfn;
}

/** A state machine's input or output is at most 256 KiB; a request carries one, JSON-escaped. */
const MAX_REQUEST_BYTES = 512 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * `AWSStepFunctions.*`: StartExecution, StartSyncExecution, DescribeExecution and SendTaskSuccess,
 * SendTaskFailure, SendTaskHeartbeat, each signed (SigV4, service `states`) and authorized on its
 * state machine's or execution's ARN (a report: the state machine whose task waits for the token).
 */
export function stepFunctionsRoute(sfn: LocalStepFunctions, auth: AwsAuth): Route {
  return targetRoute('AWSStepFunctions.', MAX_REQUEST_BYTES, async (request) => {
    const principal = await authenticateAws(request, 'states', auth, CONTENT_TYPE);
    if (principal === undefined) return true;
    const parsed = parseAwsJsonBody(request.body);
    const input = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : {};
    const operation = request.target.slice('AWSStepFunctions.'.length);
    const body = input as Record<string, unknown>;
    // A report to a task token is authorized on the state machine whose task waits for it.
    const stateMachineArn = operation.startsWith('SendTask') ? sfn.tasks.stateMachineOf(body['taskToken']) : undefined;
    const denial = firstDenial(principal, [stepFunctionsRequest(operation, { stateMachineArn, ...body })], auth);
    if (denial !== undefined) {
      sendAccessDenied(request.res, CONTENT_TYPE, auth, principal, denial);
      return true;
    }
    return sfn.handleHttp(request.req, request.res, request.body);
  });
}

/** `DefinitionString` with `${key}` substitutions, or the `Definition` object. */
function definitionOf(props: Record<string, unknown>): Record<string, unknown> {
  const substitutions = (props['DefinitionSubstitutions'] ?? {}) as Record<string, unknown>;
  if (typeof props['DefinitionString'] !== 'string') return props['Definition'] as Record<string, unknown>;
  const text = props['DefinitionString'].replace(/\$\{([^}]+)\}/g, (whole, key: string) =>
    key in substitutions ? String(substitutions[key]) : whole,
  );
  return JSON.parse(text) as Record<string, unknown>;
}
