/**
 * Runs GraphQL documents against the API: queries and mutations from HTTP (publishing mutation
 * results to subscriptions), the checks of a real-time `start`, and the shaping of one published
 * event for one subscriber.
 */
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  execute,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { describeError, formatDocumentError, formatGraphQLError, type AppSyncGraphQLError } from './error-format';
import { MAX_SUBSCRIPTION_PAYLOAD_BYTES } from './limits';
import { createFieldResolver, type ResolverContext, type ResolverDeps } from './resolvers';
import { byFieldName, type Fragments } from './selection';
import type { SubscriptionRegistry } from './subscriptions';

/** A GraphQL request as clients send it. */
export interface GraphQLRequest {
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>> | null;
  readonly operationName?: string | null;
}

/** A GraphQL response body in AppSync's shape. */
export interface GraphQLResponseBody {
  readonly data: unknown;
  readonly errors?: readonly AppSyncGraphQLError[];
}

/** A parsed, validated request and the operation it runs. */
export interface PreparedRequest {
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly fragments: Fragments;
  readonly variables: Readonly<Record<string, unknown>>;
}

export type Prepared =
  { readonly ok: true; readonly request: PreparedRequest } | { readonly ok: false; readonly body: GraphQLResponseBody };

/** The root field of a subscription operation, with its coerced arguments. */
export interface SubscriptionRoot {
  readonly field: GraphQLField<unknown, unknown>;
  readonly fieldNode: FieldNode;
  readonly args: Readonly<Record<string, unknown>>;
}

function documentErrors(errors: readonly GraphQLError[], errorType: string | undefined): GraphQLResponseBody {
  return { data: null, errors: errors.map((error) => formatDocumentError(error, errorType)) };
}

function fragmentsOf(document: DocumentNode): Fragments {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments[definition.name.value] = definition;
    }
  }
  return fragments;
}

/** The root fields an operation selects, fragments expanded. */
export function rootFields(selectionSet: SelectionSetNode, fragments: Fragments): FieldNode[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) {
      return [selection];
    }
    const inner =
      selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments[selection.name.value]?.selectionSet;
    return inner ? rootFields(inner, fragments) : [];
  });
}

/** How many valid documents an API keeps parsed (the oldest is dropped first). */
const VALIDATED_DOCUMENTS = 256;

/** Executes GraphQL for one API. */
export class Executor {
  private readonly fieldResolver;
  private readonly validDocuments = new Map<string, DocumentNode>();

  constructor(
    private readonly deps: ResolverDeps,
    private readonly registry: SubscriptionRegistry,
    /** Rules beyond GraphQL's own: the API's introspection, depth and resolver count limits. */
    private readonly rules: readonly ValidationRule[] = [],
  ) {
    this.fieldResolver = createFieldResolver(deps);
  }

  private get schema() {
    return this.deps.appSchema.schema;
  }

  /** Parses and validates a request and picks its operation; failures come back in AppSync's shape. */
  prepare(request: GraphQLRequest): Prepared {
    const validated = this.validated(request.query);
    if (!validated.ok) return validated;
    const { document } = validated;
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) {
      const message = request.operationName
        ? `Unknown operation named "${request.operationName}".`
        : 'Must provide operation name if query contains multiple operations.';
      return { ok: false, body: documentErrors([new GraphQLError(message)], this.deps.validationErrorType) };
    }
    return {
      ok: true,
      request: { document, operation, fragments: fragmentsOf(document), variables: request.variables ?? {} },
    };
  }

  /**
   * The document of `query`, parsed and validated, or its errors. Valid documents are kept by their
   * text (at most {@link VALIDATED_DOCUMENTS}): a front-end server or a function sends the same few
   * documents with other variables, and parsing and validating them again was a tenth of the core's
   * main thread under load.
   */
  private validated(query: string): { ok: true; document: DocumentNode } | { ok: false; body: GraphQLResponseBody } {
    const known = this.validDocuments.get(query);
    if (known !== undefined) return { ok: true, document: known };
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      const parseError = error instanceof GraphQLError ? error : new GraphQLError(describeError(error));
      return { ok: false, body: documentErrors([parseError], this.deps.validationErrorType) };
    }
    const errors = validate(this.schema, document, [...specifiedRules, ...this.rules]);
    if (errors.length > 0) return { ok: false, body: documentErrors(errors, this.deps.validationErrorType) };
    if (this.validDocuments.size >= VALIDATED_DOCUMENTS) {
      this.validDocuments.delete(this.validDocuments.keys().next().value as string);
    }
    this.validDocuments.set(query, document);
    return { ok: true, document };
  }

  /** Runs a query or mutation, then publishes each mutation field's result to its subscriptions. */
  async run(prepared: PreparedRequest, context: ResolverContext): Promise<GraphQLResponseBody> {
    if (prepared.operation.operation === OperationTypeNode.SUBSCRIPTION) {
      const error = new GraphQLError(
        'Subscriptions are served by the real-time endpoint (/graphql/realtime), not over HTTP.',
        {
          nodes: prepared.operation,
        },
      );
      return documentErrors([error], this.deps.validationErrorType);
    }
    const result = await this.execute(prepared, context);
    if (prepared.operation.operation === OperationTypeNode.MUTATION) {
      this.publish(prepared, result);
    }
    return this.format(result);
  }

  /**
   * Checks a subscription operation for a real-time `start` and returns its root field and
   * arguments, or the errors to send back.
   */
  subscriptionRoot(
    prepared: PreparedRequest,
  ): { ok: true; root: SubscriptionRoot } | { ok: false; errors: readonly AppSyncGraphQLError[] } {
    const subscriptionType = this.schema.getSubscriptionType();
    const [fieldNode, ...more] = rootFields(prepared.operation.selectionSet, prepared.fragments);
    const field = fieldNode ? subscriptionType?.getFields()[fieldNode.name.value] : undefined;
    if (!fieldNode || !field || more.length > 0) {
      return {
        ok: false,
        errors: [{ path: null, locations: null, message: 'A subscription operation must select exactly one field.' }],
      };
    }
    const variables = getVariableValues(this.schema, prepared.operation.variableDefinitions ?? [], prepared.variables);
    if (variables.errors) {
      return {
        ok: false,
        errors: variables.errors.map((error) => formatDocumentError(error, this.deps.validationErrorType)),
      };
    }
    try {
      return { ok: true, root: { field, fieldNode, args: getArgumentValues(field, fieldNode, variables.coerced) } };
    } catch (error) {
      const argumentError = error instanceof GraphQLError ? error : new GraphQLError(describeError(error));
      return { ok: false, errors: [formatDocumentError(argumentError, this.deps.validationErrorType)] };
    }
  }

  /** Shapes one published payload for one subscriber: its own selection, its own authorization. */
  async shapeEvent(
    prepared: PreparedRequest,
    context: ResolverContext,
    payload: unknown,
  ): Promise<GraphQLResponseBody> {
    const result = await this.execute(prepared, { ...context, delivery: { payload } });
    return this.format(result);
  }

  private async execute(prepared: PreparedRequest, contextValue: ResolverContext): Promise<ExecutionResult> {
    return execute({
      schema: this.schema,
      document: prepared.document,
      operationName: prepared.operation.name?.value,
      variableValues: prepared.variables,
      contextValue,
      fieldResolver: this.fieldResolver,
    });
  }

  private format(result: ExecutionResult): GraphQLResponseBody {
    const data = result.data ?? null;
    if (!result.errors || result.errors.length === 0) {
      return { data };
    }
    return {
      data,
      errors: result.errors.map((error) => formatGraphQLError(error, this.schema, this.deps.validationErrorType)),
    };
  }

  /**
   * AppSync publishes a mutation field's result as the mutation selected it (by field name); a
   * field that resolved to `null` (failed or denied) publishes nothing.
   */
  private publish(prepared: PreparedRequest, result: ExecutionResult): void {
    const data = result.data;
    if (!data) {
      return;
    }
    for (const fieldNode of rootFields(prepared.operation.selectionSet, prepared.fragments)) {
      const subscriptionFields = this.deps.appSchema.subscriptionsOf(fieldNode.name.value);
      const value = data[(fieldNode.alias ?? fieldNode.name).value];
      if (subscriptionFields.length === 0 || value === null || value === undefined) {
        continue;
      }
      const payload = byFieldName(fieldNode.selectionSet, value, prepared.fragments);
      const size = Buffer.byteLength(JSON.stringify(payload));
      if (size > MAX_SUBSCRIPTION_PAYLOAD_BYTES) {
        this.deps.log('appsync publication dropped', {
          mutation: fieldNode.name.value,
          reason: `the payload is ${size} bytes; AppSync delivers at most ${MAX_SUBSCRIPTION_PAYLOAD_BYTES}`,
        });
        continue;
      }
      if (!this.deps.shouldPublish(fieldNode.name.value, payload)) {
        this.deps.log('appsync publication dropped', {
          mutation: fieldNode.name.value,
          subscriptions: subscriptionFields,
        });
        continue;
      }
      const delivered = this.registry.publish(subscriptionFields, payload);
      this.deps.log('appsync published', {
        mutation: fieldNode.name.value,
        subscriptions: subscriptionFields,
        delivered,
      });
    }
  }
}
