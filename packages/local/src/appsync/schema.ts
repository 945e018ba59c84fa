/**
 * Builds a graphql-js schema from the SDL AppSync was given, and indexes what AppSync reads from
 * its directives: which auth modes may access each field, and which subscriptions each mutation
 * feeds (`@aws_subscribe`).
 *
 * AppSync knows its scalars and directives without declarations, graphql-js does not: the missing
 * declarations are added in front of the SDL (a schema that declares some of them, as codegen setups
 * often do, keeps its own).
 */
import {
  Kind,
  buildASTSchema,
  getNamedType,
  isObjectType,
  isScalarType,
  parse,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { AppSyncConfigError } from '../errors';
import { describeError } from './error-format';
import { AWS_SCALAR_NAMES, installAwsScalar } from './scalars';
import type { AuthMode } from './types';

/** AppSync's directives, as AppSync declares them. */
const AWS_DIRECTIVES: Record<string, string> = {
  aws_subscribe: 'directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION',
  aws_publish: 'directive @aws_publish(subscriptions: [String!]) on FIELD_DEFINITION',
  aws_api_key: 'directive @aws_api_key on OBJECT | FIELD_DEFINITION',
  aws_iam: 'directive @aws_iam on OBJECT | FIELD_DEFINITION',
  aws_oidc: 'directive @aws_oidc on OBJECT | FIELD_DEFINITION',
  aws_lambda: 'directive @aws_lambda on OBJECT | FIELD_DEFINITION',
  aws_cognito_user_pools: 'directive @aws_cognito_user_pools(cognito_groups: [String!]) on OBJECT | FIELD_DEFINITION',
  aws_auth: 'directive @aws_auth(cognito_groups: [String!]) on OBJECT | FIELD_DEFINITION',
};

/** Which auth mode each auth directive admits. */
const DIRECTIVE_MODES: Record<string, AuthMode> = {
  aws_api_key: 'API_KEY',
  aws_iam: 'AWS_IAM',
  aws_oidc: 'OPENID_CONNECT',
  aws_lambda: 'AWS_LAMBDA',
  aws_cognito_user_pools: 'AMAZON_COGNITO_USER_POOLS',
  aws_auth: 'AMAZON_COGNITO_USER_POOLS',
};

/** The schema and what its directives say. */
export interface AppSyncSchema {
  readonly schema: GraphQLSchema;
  /**
   * The auth modes that may access `typeName.fieldName` (AppSync's rule: the field's auth directives,
   * else its type's, else the API's default mode).
   */
  allowedModes(typeName: string, fieldName: string): ReadonlySet<AuthMode>;
  /** The subscription fields whose `@aws_subscribe(mutations:)` lists this mutation field. */
  subscriptionsOf(mutationFieldName: string): readonly string[];
}

/**
 * Parses and builds an AppSync schema.
 *
 * @throws AppSyncConfigError when the SDL doesn't parse or build, or `@aws_subscribe` names a
 * mutation that doesn't exist or returns another type.
 */
export function buildAppSyncSchema(sdl: string, defaultAuth: AuthMode): AppSyncSchema {
  const schema = buildSchemaWithBuiltIns(sdl);
  for (const type of Object.values(schema.getTypeMap())) {
    if (isScalarType(type)) {
      installAwsScalar(type);
    }
  }
  const modes = indexAuthModes(schema, defaultAuth);
  const subscriptions = indexSubscriptions(schema);
  return {
    schema,
    allowedModes: (typeName, fieldName) => modes.get(`${typeName}.${fieldName}`) ?? new Set([defaultAuth]),
    subscriptionsOf: (mutationFieldName) => subscriptions.get(mutationFieldName) ?? [],
  };
}

function buildSchemaWithBuiltIns(sdl: string): GraphQLSchema {
  let document: DocumentNode;
  try {
    document = parse(sdl);
  } catch (error) {
    throw new AppSyncConfigError('INVALID_SCHEMA', `The AppSync schema does not parse: ${describeError(error)}`, {
      cause: error,
    });
  }
  const declared = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.SCALAR_TYPE_DEFINITION || definition.kind === Kind.DIRECTIVE_DEFINITION) {
      declared.add(definition.name.value);
    }
  }
  const prelude = [
    ...AWS_SCALAR_NAMES.filter((name) => !declared.has(name)).map((name) => `scalar ${name}`),
    ...Object.entries(AWS_DIRECTIVES)
      .filter(([name]) => !declared.has(name))
      .map(([, declaration]) => declaration),
  ].join('\n');
  const definitions: DefinitionNode[] = [...parse(prelude).definitions, ...document.definitions];
  try {
    return buildASTSchema({ kind: Kind.DOCUMENT, definitions });
  } catch (error) {
    throw new AppSyncConfigError('INVALID_SCHEMA', `The AppSync schema is not valid: ${describeError(error)}`, {
      cause: error,
    });
  }
}

function authModesOf(directives: readonly ConstDirectiveNode[] | undefined): Set<AuthMode> {
  const modes = new Set<AuthMode>();
  for (const directive of directives ?? []) {
    const mode = DIRECTIVE_MODES[directive.name.value];
    if (mode) {
      modes.add(mode);
    }
  }
  return modes;
}

function typeAuthModes(type: GraphQLObjectType): Set<AuthMode> {
  const directives = [type.astNode, ...type.extensionASTNodes].flatMap((node) => node?.directives ?? []);
  return authModesOf(directives);
}

function indexAuthModes(schema: GraphQLSchema, defaultAuth: AuthMode): Map<string, ReadonlySet<AuthMode>> {
  const index = new Map<string, ReadonlySet<AuthMode>>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) {
      continue;
    }
    const onType = typeAuthModes(type);
    for (const field of Object.values(type.getFields())) {
      const onField = authModesOf(field.astNode?.directives);
      const modes = onField.size > 0 ? onField : onType.size > 0 ? onType : new Set([defaultAuth]);
      index.set(`${type.name}.${field.name}`, modes);
    }
  }
  return index;
}

function subscribedMutations(field: GraphQLField<unknown, unknown>): string[] {
  const directive = field.astNode?.directives?.find((d) => d.name.value === 'aws_subscribe');
  const argument = directive?.arguments?.find((a) => a.name.value === 'mutations');
  if (!argument) {
    return [];
  }
  const values = argument.value.kind === Kind.LIST ? argument.value.values : [argument.value];
  return values.flatMap((value) => (value.kind === Kind.STRING ? [value.value] : []));
}

function indexSubscriptions(schema: GraphQLSchema): Map<string, string[]> {
  const index = new Map<string, string[]>();
  const subscriptionType = schema.getSubscriptionType();
  const mutationFields = schema.getMutationType()?.getFields() ?? {};
  for (const field of Object.values(subscriptionType?.getFields() ?? {})) {
    for (const mutationName of subscribedMutations(field)) {
      const mutation = mutationFields[mutationName];
      if (!mutation) {
        throw new AppSyncConfigError(
          'INVALID_SUBSCRIPTION',
          `Subscription.${field.name} subscribes to mutation "${mutationName}", which is not a field of the Mutation type.`,
        );
      }
      const published = getNamedType(mutation.type).name;
      const received = getNamedType(field.type).name;
      if (published !== received) {
        throw new AppSyncConfigError(
          'INVALID_SUBSCRIPTION',
          `Subscription.${field.name} returns ${received} but subscribes to Mutation.${mutationName}, which returns ${published}; AppSync requires the same type.`,
        );
      }
      index.set(mutationName, [...(index.get(mutationName) ?? []), field.name]);
    }
  }
  return index;
}
