/**
 * The stacks the boot wires: each stack of the cloud assembly with the context that evaluates its
 * template (`Ref`, `Fn::GetAtt`, …) against the local endpoints, so that URLs and API keys in resolved
 * values are the local ones.
 */
import { createStackContext, loadCloudAssembly, type AssemblyStack, type StackContext } from '../cloudformation';
import { LocalCoreError } from '../errors';
import type { BootSettings } from './types';

/** A stack of the assembly, ready to be read. */
export interface LocalStack {
  readonly stack: AssemblyStack;
  readonly ctx: StackContext;
}

/** The stacks of the assembly (those named in `names`, when given); refuses an assembly without any. */
export function readStacks(assemblyDir: string, names?: readonly string[]): readonly AssemblyStack[] {
  const { stacks } = loadCloudAssembly(assemblyDir);
  if (stacks.length === 0)
    throw new LocalCoreError('NO_STACK', `no stack in the cloud assembly ${assemblyDir}: run the synth first`);
  if (names === undefined) return stacks;
  const unknown = names.filter((name) => !stacks.some((stack) => stack.stackName === name));
  if (unknown.length > 0)
    throw new LocalCoreError(
      'UNKNOWN_STACK',
      `the cloud assembly ${assemblyDir} has no stack ${unknown.join(', ')} (it has ${stacks.map((s) => s.stackName).join(', ')})`,
    );
  return stacks.filter((stack) => names.includes(stack.stackName));
}

/** Each stack with its evaluation context; `baseUrl` stands for the AppSync and SQS endpoints. */
export function localStacks(stacks: readonly AssemblyStack[], settings: BootSettings, baseUrl: string): LocalStack[] {
  return stacks.map((stack) => ({
    stack,
    ctx: createStackContext({
      template: stack.template,
      stackName: stack.stackName,
      region: settings.region,
      accountId: settings.accountId,
      endpoints: { appSync: baseUrl, sqs: baseUrl, apiKeys: apiKeysOf(stack.template, settings.apiKey) },
    }),
  }));
}

/** Every `AWS::AppSync::ApiKey` of a template has the one local key. */
function apiKeysOf(template: AssemblyStack['template'], apiKey: string): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources ?? {}))
    if (resource.Type === 'AWS::AppSync::ApiKey') keys[id] = apiKey;
  return keys;
}
