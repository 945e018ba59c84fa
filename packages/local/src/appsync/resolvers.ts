/**
 * Field resolution: authorization of every field, then the field's resolver (a direct Lambda
 * resolver or a NONE pass-through), or the parent object's property when it has none.
 *
 * One graphql-js `fieldResolver` serves every field of the schema, so the schema stays as built from
 * the SDL and the same code path serves queries, mutations and the shaping of subscription events.
 */
import {
  defaultFieldResolver,
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type FieldNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
} from 'graphql';
import { fieldArn, identityOf, type Caller, type IamIdentity } from './auth';
import { AppSyncFieldError } from '../errors';
import { allows } from '../iam/principal';
import { UNAUTHORIZED_FIELD, describeError, notAuthorizedMessage } from './error-format';
import type { AppSyncSchema } from './schema';
import { selectionSetGraphQL, selectionSetList, type Fragments } from './selection';
import type { LambdaErrorTypeSource, LambdaResult, ResolverConfig } from './types';

/** The graphql-js context of one execution. */
export interface ResolverContext {
  readonly caller: Caller;
  /** The request's headers, names in lower case, for `request.headers` of resolver events. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Set while a published mutation result is shaped for one subscriber: the subscription field
   * resolves to this payload and no resolver runs below it (AppSync filters the mutation's
   * result, it doesn't resolve the subscriber's selection again).
   */
  readonly delivery?: { readonly payload: unknown };
}

/** What the resolvers need from the API. */
export interface ResolverDeps {
  readonly appSchema: AppSyncSchema;
  readonly resolvers: ReadonlyMap<string, ResolverConfig>;
  readonly invokeLambda: (functionArn: string, event: unknown) => Promise<LambdaResult>;
  readonly lambdaErrorType: LambdaErrorTypeSource;
  readonly shouldPublish: (mutationField: string, payload: unknown) => boolean;
  /** The `errorType` of parse and validation errors; none by default (see error-format.ts). */
  readonly validationErrorType: string | undefined;
  readonly region: string;
  readonly accountId: string;
  readonly apiId: string;
  readonly log: (line: string, fields?: Record<string, unknown>) => void;
}

/** The event a direct Lambda resolver receives (operation `Invoke`). */
export interface DirectResolverEvent {
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly identity: IamIdentity | null;
  readonly source: unknown;
  readonly request: { readonly headers: Readonly<Record<string, string>>; readonly domainName: null };
  readonly info: {
    readonly fieldName: string;
    readonly parentTypeName: string;
    readonly variables: Readonly<Record<string, unknown>>;
    readonly selectionSetList: readonly string[];
    readonly selectionSetGraphQL: string;
  };
  readonly prev: null;
  readonly stash: Record<string, never>;
}

/** One field about to be resolved, described without graphql-js's `info` (the real-time `start` has none). */
export interface FieldCall {
  readonly source: unknown;
  readonly args: Readonly<Record<string, unknown>>;
  readonly context: ResolverContext;
  readonly parentType: GraphQLObjectType;
  readonly field: GraphQLField<unknown, unknown>;
  readonly fieldNode: FieldNode;
  readonly fragments: Fragments;
  readonly variables: Readonly<Record<string, unknown>>;
}

/** The key resolvers are stored under. */
export function resolverKey(typeName: string, fieldName: string): string {
  return `${typeName}.${fieldName}`;
}

function isRootType(deps: ResolverDeps, type: GraphQLObjectType): boolean {
  const { schema } = deps.appSchema;
  return type === schema.getQueryType() || type === schema.getMutationType() || type === schema.getSubscriptionType();
}

/**
 * Checks that the caller may access `parentType.fieldName`: its auth mode must be one the field's
 * directives admit and, for an IAM caller on a root field, its policy must allow `appsync:GraphQL`
 * on the field's ARN. Returns the denial to raise, or `undefined`.
 */
export function fieldAccessError(
  deps: ResolverDeps,
  caller: Caller,
  parentType: GraphQLObjectType,
  fieldName: string,
): AppSyncFieldError | undefined {
  // Built only when denied: every field of every request passes here, and an error takes a stack trace.
  const denied = () =>
    new AppSyncFieldError('FIELD_UNAUTHORIZED', UNAUTHORIZED_FIELD, notAuthorizedMessage(fieldName, parentType.name));
  if (!deps.appSchema.allowedModes(parentType.name, fieldName).has(caller.mode)) {
    return denied();
  }
  if (caller.mode === 'AWS_IAM' && isRootType(deps, parentType)) {
    const arn = fieldArn(deps.region, deps.accountId, deps.apiId, parentType.name, fieldName);
    if (!allows(caller.principal, 'appsync:GraphQL', arn)) {
      return denied();
    }
  }
  return undefined;
}

/** Builds the event of a direct Lambda resolver (AppSync's whole resolver context). */
export function directResolverEvent(call: FieldCall): DirectResolverEvent {
  return {
    arguments: call.args,
    identity: identityOf(call.context.caller),
    source: call.source ?? null,
    request: { headers: call.context.headers, domainName: null },
    info: {
      fieldName: call.field.name,
      parentTypeName: call.parentType.name,
      variables: call.variables,
      selectionSetList: selectionSetList(call.fieldNode.selectionSet, call.fragments),
      selectionSetGraphQL: selectionSetGraphQL(call.fieldNode),
    },
    prev: null,
    stash: {},
  };
}

/**
 * The result of a NONE (local) resolver. AppSync returns whatever the resolver code puts in the
 * payload, and this endpoint doesn't run resolver code, so it assumes one of the two usual ones:
 * `{ payload: ctx.args }` or `{ payload: ctx.args.input }`. The rule: the arguments object is the
 * result, unless the field has exactly one argument, that argument is an input object, and no
 * argument is named like a field of the return type — then that argument's value is the result.
 */
export function passThroughResult(
  field: GraphQLField<unknown, unknown>,
  args: Readonly<Record<string, unknown>>,
): unknown {
  const returnType = getNamedType(field.type);
  const [onlyArgument, ...otherArguments] = field.args;
  if (!onlyArgument || otherArguments.length > 0 || !isInputObjectType(getNamedType(onlyArgument.type))) {
    return args;
  }
  if (isObjectType(returnType) || isInterfaceType(returnType)) {
    const returnFields = returnType.getFields();
    if (Object.keys(args).some((name) => name in returnFields)) {
      return args;
    }
  }
  return args[onlyArgument.name] ?? null;
}

/** What crossing the wire does to a value: `undefined` dropped, dates to strings, and so on. */
function overTheWire(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

async function invokeDirectResolver(deps: ResolverDeps, functionArn: string, call: FieldCall): Promise<unknown> {
  const event = directResolverEvent(call);
  let result: LambdaResult;
  try {
    result = await deps.invokeLambda(functionArn, event);
  } catch (error) {
    deps.log('appsync lambda invocation failed', {
      functionArn,
      field: resolverKey(call.parentType.name, call.field.name),
      error: describeError(error),
    });
    result = { ok: false, errorType: 'Lambda:Unhandled', errorMessage: describeError(error) };
  }
  if (result.ok) {
    return overTheWire(result.value);
  }
  const errorType = deps.lambdaErrorType === 'Lambda:Unhandled' ? 'Lambda:Unhandled' : result.errorType;
  throw new AppSyncFieldError('RESOLVER_FAILED', errorType, result.errorMessage);
}

/** Runs the resolver attached to a field. */
export async function runResolver(deps: ResolverDeps, config: ResolverConfig, call: FieldCall): Promise<unknown> {
  switch (config.kind) {
    case 'LAMBDA':
      return invokeDirectResolver(deps, config.functionArn, call);
    case 'NONE':
      return passThroughResult(call.field, call.args);
    default: {
      const unknownKind: never = config;
      throw new Error(`Unknown resolver kind in ${JSON.stringify(unknownKind)}`);
    }
  }
}

/**
 * The graphql-js `fieldResolver` of this API: authorization first (every field, at every level),
 * then the field's resolver or the default property lookup.
 */
export function createFieldResolver(deps: ResolverDeps): GraphQLFieldResolver<unknown, ResolverContext> {
  return (source, args: Record<string, unknown>, context, info) => {
    const denied = fieldAccessError(deps, context.caller, info.parentType, info.fieldName);
    if (denied) {
      throw denied;
    }
    if (context.delivery) {
      return info.parentType === deps.appSchema.schema.getSubscriptionType()
        ? context.delivery.payload
        : defaultFieldResolver(source, args, context, info);
    }
    const config = deps.resolvers.get(resolverKey(info.parentType.name, info.fieldName));
    const field = info.parentType.getFields()[info.fieldName];
    const fieldNode = info.fieldNodes[0];
    if (!config || !field || !fieldNode) {
      return defaultFieldResolver(source, args, context, info);
    }
    return runResolver(deps, config, {
      source,
      args,
      context,
      parentType: info.parentType,
      field,
      fieldNode,
      fragments: info.fragments,
      variables: info.variableValues,
    });
  };
}
