/**
 * The aggregates present, derived (never listed): the workspace's aggregate packages (each has a
 * GraphQL fragment, `schema.graphql`) and the aggregate constructs of a synthesized stack (each
 * holds a `CommandHandler` function). Guard tests compare the two and check each one's wiring.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONTRACTS_DIR } from '@core/contracts/generate';
import { parse, type FieldDefinitionNode, type ObjectTypeDefinitionNode } from 'graphql';
import { pathOf, referencedIds, type Resources, type Statement } from './template';

export const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..', '..');

/** The folders under `packages/` that hold an aggregate: those with a `schema.graphql` fragment (not contracts, which merges them). */
export function aggregatePackages(): string[] {
  const packagesDir = join(WORKSPACE_ROOT, 'packages');
  return readdirSync(packagesDir)
    .filter((dir) => existsSync(join(packagesDir, dir, 'schema.graphql')))
    .filter((dir) => resolve(packagesDir, dir) !== resolve(CONTRACTS_DIR))
    .sort();
}

/** The construct id an aggregate package's construct has in the core stack: `reservation` → `Reservation`, `room-hold` → `RoomHold`. */
export function constructIdOf(packageDir: string): string {
  return packageDir
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export interface Aggregate {
  /** The construct id under the stack: `Reservation`. */
  readonly id: string;
  /** The name code and the API spell it with: `reservation` (`core.reservation`, `reservationSaved`). */
  readonly name: string;
  /** Logical ids of the aggregate's functions, by construct id: `{ CommandHandler: 'ReservationCommandHandler55484F8F', ... }`. */
  readonly functions: Readonly<Record<string, string>>;
  /** Logical ids of every resource under the aggregate's construct. */
  readonly resources: readonly string[];
}

/** The aggregate constructs of a stack: its children that hold a `CommandHandler` function. */
export function aggregatesIn(resources: Resources): Aggregate[] {
  const byChild = new Map<string, string[]>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    const child = pathOf(resource).split('/')[1];
    if (child !== undefined) byChild.set(child, [...(byChild.get(child) ?? []), logicalId]);
  }
  const aggregates: Aggregate[] = [];
  for (const [id, ids] of byChild) {
    const functions = functionsUnder(resources, ids);
    if (functions.CommandHandler === undefined) continue;
    aggregates.push({ id, name: id.charAt(0).toLowerCase() + id.slice(1), functions, resources: ids });
  }
  return aggregates.sort((a, b) => a.id.localeCompare(b.id));
}

/** The Lambda functions among `ids` that are direct children of their aggregate (`Core/<id>/<fn>/Resource`), by construct id. */
function functionsUnder(resources: Resources, ids: readonly string[]): Record<string, string> {
  const functions: Record<string, string> = {};
  for (const logicalId of ids) {
    const parts = pathOf(resources[logicalId]).split('/');
    if (resources[logicalId]?.Type === 'AWS::Lambda::Function' && parts.length === 4 && parts[3] === 'Resource') {
      functions[parts[2] as string] = logicalId;
    }
  }
  return functions;
}

/** The aggregate a logical id belongs to, if any. */
export function ownerOf(aggregates: readonly Aggregate[], logicalId: string): Aggregate | undefined {
  return aggregates.find((a) => a.resources.includes(logicalId));
}

/** The deployed schema's Mutation fields that only IAM may call (`@aws_iam` and no other auth directive). */
export function iamOnlyMutations(resources: Resources): string[] {
  const schema = Object.values(resources).find((r) => r.Type === 'AWS::AppSync::GraphQLSchema');
  const document = parse(String(schema?.Properties?.Definition));
  const mutation = document.definitions.find(
    (d): d is ObjectTypeDefinitionNode => d.kind === 'ObjectTypeDefinition' && d.name.value === 'Mutation',
  );
  const authDirectives = (field: FieldDefinitionNode) =>
    (field.directives ?? [])
      .map((d) => d.name.value)
      .filter((name) => name.startsWith('aws_') && name !== 'aws_subscribe');
  return (mutation?.fields ?? [])
    .filter((field) => authDirectives(field).join() === 'aws_iam')
    .map((field) => field.name.value);
}

/** The fields resolved by each data source, by its name: `{ ReservationCommands: ['Mutation.createReservation', ...] }`. */
export function resolvedFields(resources: Resources): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::AppSync::Resolver') continue;
    const name = String(r.Properties.DataSourceName);
    fields.set(name, [...(fields.get(name) ?? []), `${r.Properties.TypeName}.${r.Properties.FieldName}`]);
  }
  return fields;
}

/**
 * Whether an IAM statement allows `appsync:GraphQL` on `Mutation.<field>` of the stack's API: its
 * action is `appsync:GraphQL`, `appsync:*` or `*`, and one of its resources ends, after the API id,
 * in a pattern that matches `/types/Mutation/fields/<field>` (a bare API ARN or `*` matches all).
 */
export function grantsMutation(statement: Statement, field: string): boolean {
  const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  if (statement.Effect !== 'Allow' || !actions.some((a) => ['appsync:GraphQL', 'appsync:*', '*'].includes(a))) {
    return false;
  }
  const target = `/types/Mutation/fields/${field}`;
  const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  return resources.some((resource) => {
    const arn = renderArn(resource);
    if (arn === '*') return true;
    const suffix = /:apis\/[^/]+(\/.*)?$/.exec(arn)?.[1] ?? '';
    if (suffix === '' || suffix === '/*') return true;
    const pattern = new RegExp(`^${suffix.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    return pattern.test(target);
  });
}

/** An ARN in the template as text, every reference written `{ref}`. */
function renderArn(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
  if (join !== undefined) return join[1].map(renderArn).join(join[0]);
  return referencedIds(value).length > 0 ? '{ref}' : JSON.stringify(value);
}
