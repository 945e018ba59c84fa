/**
 * Reading a synthesized CloudFormation template in tests: resources by logical id, their construct
 * paths, the logical ids a value refers to, and the IAM statements attached to a role.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/* eslint-disable @typescript-eslint/no-explicit-any -- template properties are whatever CloudFormation allows */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export type Resources = Readonly<Record<string, CfnResource>>;

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The resources of the stack `stackName` in a cloud assembly folder (`apps/core/cdk.out`). */
export function readStackResources(assemblyDir: string, stackName: string): Resources {
  const manifest = JSON.parse(readFileSync(join(assemblyDir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const artifact = manifest.artifacts[stackName];
  if (artifact?.type !== 'aws:cloudformation:stack' || artifact.properties?.templateFile === undefined) {
    throw new Error(`${assemblyDir} holds no stack ${stackName}: run \`nx run core:synth\``);
  }
  const template = JSON.parse(readFileSync(join(assemblyDir, artifact.properties.templateFile), 'utf8')) as {
    Resources: Resources;
  };
  return template.Resources;
}

/** The construct path CDK records for a resource: `Core/Reservation/CommandHandler/Resource`. */
export function pathOf(resource: CfnResource | undefined): string {
  return String(resource?.Metadata?.['aws:cdk:path'] ?? '');
}

/** Every logical id a template value refers to with `Ref` or `Fn::GetAtt` (not the `AWS::` pseudo parameters). */
export function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref.startsWith('AWS::') ? [] : [record.Ref];
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
  return Object.values(record).flatMap(referencedIds);
}

/** The one logical id a `Ref` or `Fn::GetAtt` value names; undefined for anything else. */
export function idOf(value: unknown): string | undefined {
  const ids = referencedIds(value);
  return ids.length === 1 ? ids[0] : undefined;
}

export const actionsOf = (statements: readonly Statement[]): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

/** Every IAM statement that applies to the role `roleId`: its inline policies and the policies attached to it. */
export function statementsOfRole(resources: Resources, roleId: string): Statement[] {
  const inline = (resources[roleId]?.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  const attached = Object.values(resources).filter(
    (r) =>
      (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') &&
      referencedIds(r.Properties?.Roles).includes(roleId),
  );
  return [...inline, ...attached.map((r) => r.Properties)].flatMap(
    (policy) => policy.PolicyDocument.Statement as Statement[],
  );
}

/** The logical id of a function's execution role. */
export function roleOfFunction(resources: Resources, functionId: string): string {
  const roleId = idOf(resources[functionId]?.Properties?.Role);
  if (roleId === undefined) throw new Error(`function ${functionId} has no role of this stack`);
  return roleId;
}
