import type { Actor } from '../decider';

/** The parts of AppSync's direct Lambda resolver event that the handlers read. */
export interface AppSyncResolverEvent<Arguments = Record<string, unknown>> {
  readonly arguments: Arguments;
  readonly identity: AppSyncIdentity | null;
  readonly source?: unknown;
  readonly request?: { readonly headers?: Record<string, string | undefined> };
  readonly info: { readonly fieldName: string; readonly parentTypeName: string; readonly selectionSetList?: string[] };
}

/** IAM (`userArn`), Cognito (`sub`) or nothing (API key). */
export interface AppSyncIdentity {
  readonly userArn?: string;
  readonly sub?: string;
  readonly accountId?: string;
  readonly username?: string;
}

/** The Lambda context fields the handlers use. */
export interface LambdaContext {
  readonly awsRequestId: string;
}

/** Who called, from the AppSync identity: an IAM principal, a Cognito user, or the API key. */
export function actorOf(identity: AppSyncIdentity | null): Actor {
  if (identity !== null && typeof identity.userArn === 'string') return { kind: 'iam', id: identity.userArn };
  if (identity !== null && typeof identity.sub === 'string') return { kind: 'cognito', id: identity.sub };
  return { kind: 'apiKey', id: 'api-key' };
}

/** The correlation id a front-end server passed in `x-correlation-id`, if it is a sane one. */
export function correlationIdOf(event: AppSyncResolverEvent<unknown>): string | undefined {
  const header = event.request?.headers?.['x-correlation-id'];
  return header !== undefined && /^[\w.:-]{1,128}$/.test(header) ? header : undefined;
}
