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
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
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

/**
 * A template value as text: `{ Ref: X }` and `{ 'Fn::GetAtt': [X, 'Arn'] }` become `<X>` (another
 * attribute `<X.Attr>`), pseudo parameters `<AWS::Partition>`, `Fn::Join` its parts joined.
 */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(renderValue).join(',');
  const record = (value ?? {}) as Record<string, unknown>;
  if (typeof record.Ref === 'string') return `<${record.Ref}>`;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return getAtt[1] === 'Arn' ? `<${String(getAtt[0])}>` : `<${getAtt.join('.')}>`;
  const join = record['Fn::Join'] as [string, unknown[]] | undefined;
  if (join !== undefined) return join[1].map(renderValue).join(join[0]);
  return JSON.stringify(value);
}

/**
 * What statements allow, one sentence per action and resource: `dynamodb:Query <Events>`, with the
 * conditions after `if` (`events:PutEvents <Bus> if StringEquals events:source=core.reservation`).
 */
export function grantsOf(statements: readonly Statement[]): string[] {
  return statements
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => {
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      return actions.flatMap((action) =>
        resources.map((resource) => `${action} ${renderValue(resource)}${conditionText(s.Condition)}`),
      );
    });
}

/** A statement's conditions as text: ` if StringEquals events:source=core.reservation …`; '' without any. */
export function conditionText(condition: Statement['Condition']): string {
  if (condition === undefined) return '';
  const parts = Object.entries(condition).flatMap(([operator, keys]) =>
    Object.entries(keys).map(([key, value]) => `${operator} ${key}=${renderValue(value)}`),
  );
  return ` if ${parts.join(' and ')}`;
}
