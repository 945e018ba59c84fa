/**
 * Step Functions: every `AWS::StepFunctions::StateMachine` of the templates (its definition with the
 * `DefinitionSubstitutions` applied, STANDARD or EXPRESS), run by aws-local-stepfunctions with its
 * Lambda tasks calling the local functions, and served at `AWSStepFunctions.*`.
 */
import { createLocalStepFunctions, type LocalStateMachine, type LocalStepFunctions } from '../stepfunctions';
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

/** `AWSStepFunctions.*`: StartExecution, StartSyncExecution, DescribeExecution. */
export function stepFunctionsRoute(sfn: LocalStepFunctions): Route {
  return targetRoute('AWSStepFunctions.', ({ req, res, body }) => sfn.handleHttp(req, res, body));
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
