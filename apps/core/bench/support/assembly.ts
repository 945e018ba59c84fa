/**
 * What the benchmarks read from the cloud assembly (`apps/core/cdk.out`): every Lambda function with
 * its bundle, exported handler, entry point and environment, and every DynamoDB table, so that a
 * benchmark runs the functions that deploy, configured as their template configures them.
 */
import { HANDLER_ENTRY_METADATA } from '@core/infra';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, string>;
}

export interface AssemblyFunction {
  /** The construct path below the stack: `Reservation/CommandHandler`. */
  readonly name: string;
  /** The bundle file: `index.js`, or `.mjs` / `.cjs` (Lambda's order) in an assembly built so. */
  readonly bundle: string;
  /** The export Lambda calls: `handler`. */
  readonly exportName: string;
  /** The TypeScript entry point it was bundled from, when the template names it. */
  readonly entry: string | undefined;
  /** The function's environment variables as the template gives them (literals, `Ref`, `Fn::GetAtt`). */
  readonly variables: Record<string, unknown>;
}

export interface AssemblyTable {
  readonly logicalId: string;
  readonly keySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  readonly attributes: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
}

export interface Assembly {
  readonly dir: string;
  readonly resources: Record<string, Resource>;
  readonly functions: AssemblyFunction[];
  readonly tables: AssemblyTable[];
}

export function readAssembly(dir: string, stack = 'Core'): Assembly {
  const template = JSON.parse(readFileSync(join(dir, `${stack}.template.json`), 'utf8')) as {
    Resources: Record<string, Resource>;
  };
  const resources = template.Resources;
  const functions = Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((resource) => {
      const [file, exportName] = String(resource.Properties?.['Handler'] ?? 'index.handler').split('.');
      const entry = resource.Metadata?.[HANDLER_ENTRY_METADATA];
      return {
        name: (resource.Metadata?.['aws:cdk:path'] ?? '').split('/').slice(1, -1).join('/'),
        bundle: bundleFile(join(dir, resource.Metadata?.['aws:asset:path'] ?? '', file ?? 'index')),
        exportName: exportName ?? 'handler',
        entry: entry === undefined ? undefined : join(dir, entry),
        variables: ((resource.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables ?? {}) as Record<string, unknown>,
      };
    });
  const tables = Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')
    .map(([logicalId, resource]) => ({
      logicalId,
      keySchema: resource.Properties?.['KeySchema'] as AssemblyTable['keySchema'],
      attributes: resource.Properties?.['AttributeDefinitions'] as AssemblyTable['attributes'],
    }));
  return { dir, resources, functions, tables };
}

/** Where the local stand-ins of the template's resources are. */
export interface LocalResources {
  /** A table's local name, by its logical id. */
  readonly tableName: (logicalId: string) => string;
  readonly eventBusName: string;
  readonly graphqlUrl: string;
}

/**
 * A function's environment with each `Ref` and `Fn::GetAtt` replaced by its local stand-in (by the
 * type of the resource it names); a reference to anything else is an error naming it.
 */
export function localVariables(
  assembly: Assembly,
  fn: AssemblyFunction,
  local: LocalResources,
): Record<string, string> {
  const resolve = (name: string, value: unknown): string => {
    if (typeof value === 'string') return value;
    const ref = (value as { Ref?: string }).Ref;
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    const target = ref ?? getAtt?.[0] ?? '';
    const type = assembly.resources[target]?.Type;
    if (ref !== undefined && type === 'AWS::DynamoDB::Table') return local.tableName(ref);
    if (ref !== undefined && type === 'AWS::Events::EventBus') return local.eventBusName;
    if (type === 'AWS::AppSync::GraphQLApi' && getAtt?.[1] === 'GraphQLUrl') return local.graphqlUrl;
    throw new Error(`${fn.name}: no local stand-in for ${name} = ${JSON.stringify(value)}`);
  };
  return Object.fromEntries(Object.entries(fn.variables).map(([name, value]) => [name, resolve(name, value)]));
}

/** The handler module Lambda loads for `<module>` of a handler string: the first of `.js`, `.mjs`, `.cjs`. */
function bundleFile(modulePath: string): string {
  const found = ['.js', '.mjs', '.cjs'].map((extension) => modulePath + extension).find((file) => existsSync(file));
  return found ?? `${modulePath}.js`;
}
