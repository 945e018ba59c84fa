/**
 * AppSync's quotas and an API's configured limits, as the local endpoint enforces them, each with
 * where it is documented:
 *
 * - 100 subscriptions per real-time connection: AppSync's default quota ("Subscriptions per
 *   connection", docs.aws.amazon.com/general/latest/gr/appsync.html); the refusal's errorType
 *   `MaxSubscriptionsReachedError` is the one AWS's own clients handle (aws-amplify/amplify-swift).
 * - 240 KB per subscription payload over WebSockets (the same quotas page, quoted in
 *   aws/aws-appsync-community#175; AWS's notice of the pure WebSocket protocol: "increased from
 *   128kb to 240kb"). AppSync drops a larger publication without an error; so does this endpoint,
 *   with a log line. The endpoint also reads no client message larger than that.
 * - An API's `IntrospectionConfig`, `QueryDepthLimit` (1 to 75) and `ResolverCountLimit` (1 to
 *   10,000) (docs.aws.amazon.com/appsync/latest/devguide/configuration-limits.html). AppSync answers
 *   a disabled introspection with a validation error; the wording here is graphql-js's. How AppSync
 *   words a depth or resolver count refusal is not documented: here both refuse the whole operation
 *   as a validation error, before any resolver runs.
 */
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type ASTVisitor,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** Subscriptions one real-time connection may hold. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
/** The largest subscription payload AppSync delivers. */
export const MAX_SUBSCRIPTION_PAYLOAD_BYTES = 240 * 1024;
/** The largest real-time message read from a client; a larger one closes the connection (1009). */
export const MAX_REALTIME_MESSAGE_BYTES = 240 * 1024;

/** The limits an API was configured with (`AWS::AppSync::GraphQLApi`). */
export interface ApiLimits {
  readonly introspection: boolean;
  /** 0: no limit. */
  readonly queryDepthLimit: number;
  /** 0: no limit. */
  readonly resolverCountLimit: number;
}

/** The validation rules an API's limits add to GraphQL's own. */
export function limitRules(
  limits: ApiLimits,
  hasResolver: (typeName: string, fieldName: string) => boolean,
): ValidationRule[] {
  return [
    ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ...(limits.queryDepthLimit > 0 ? [depthLimitRule(limits.queryDepthLimit)] : []),
    ...(limits.resolverCountLimit > 0 ? [resolverCountRule(limits.resolverCountLimit, hasResolver)] : []),
  ];
}

/**
 * Refuses an operation that selects more than `limit` nested levels (a root field is level 1; the
 * fields of what it returns level 2), fragments included.
 */
export function depthLimitRule(limit: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const depth = selectionDepth(operation.selectionSet, context, new Set());
      if (depth > limit) {
        context.reportError(
          new GraphQLError(`Query depth limit of ${limit} exceeded: the operation selects ${depth} levels.`, {
            nodes: operation,
          }),
        );
      }
    },
  });
}

function selectionDepth(selectionSet: SelectionSetNode, context: ValidationContext, seen: Set<string>): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const below = selection.selectionSet ? selectionDepth(selection.selectionSet, context, seen) : 0;
      deepest = Math.max(deepest, 1 + below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, context, seen));
    } else if (!seen.has(selection.name.value)) {
      const fragment = context.getFragment(selection.name.value);
      if (fragment !== undefined && fragment !== null) {
        deepest = Math.max(
          deepest,
          selectionDepth(fragment.selectionSet, context, new Set([...seen, selection.name.value])),
        );
      }
    }
  }
  return deepest;
}

/**
 * Refuses a document whose fields with a resolver are more than `limit` (every alias counts; a field
 * inside a fragment counts once, whatever the spreads: the core's resolvers are all root fields, so
 * it is the number of resolvers a request runs).
 */
export function resolverCountRule(
  limit: number,
  hasResolver: (typeName: string, fieldName: string) => boolean,
): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let count = 0;
    return {
      Field(field) {
        const parent = context.getParentType();
        if (parent != null && hasResolver(parent.name, field.name.value)) count += 1;
      },
      Document: {
        leave(document) {
          if (count > limit) {
            context.reportError(
              new GraphQLError(`Resolver count limit of ${limit} exceeded: the operation runs ${count} resolvers.`, {
                nodes: document,
              }),
            );
          }
        },
      },
    };
  };
}
