/**
 * A front-end server's GraphQL client for the core, built from AWS's own AppSync client links
 * (aws-appsync-auth-link and aws-appsync-subscription-link on Apollo Client), as AWS documents them.
 * Works against AppSync and against the local core alike.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { AUTH_TYPE, createAuthLink, type AuthOptions } from 'aws-appsync-auth-link';
import { CONTROL_EVENTS_KEY, createSubscriptionHandshakeLink } from 'aws-appsync-subscription-link';
import type { DocumentNode } from 'graphql';
import WebSocket from 'ws';

// Node 20 has no global WebSocket (Node 22+ has); the subscription link needs one.
if (globalThis.WebSocket === undefined) Object.assign(globalThis, { WebSocket });

export interface Endpoint {
  readonly graphqlUrl: string;
  readonly region: string;
  readonly apiKey: string;
  readonly frontEndCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export const apiKeyAuth = (endpoint: Endpoint): AuthOptions => ({ type: AUTH_TYPE.API_KEY, apiKey: endpoint.apiKey });
export const iamAuth = (endpoint: Endpoint): AuthOptions => ({
  type: AUTH_TYPE.AWS_IAM,
  credentials: endpoint.frontEndCredentials,
});

/**
 * `includeExtensions: false` matters for IAM: Apollo Client 4 adds `extensions.clientLibrary` to the
 * body after the auth link has signed it, and AppSync's SigV4 check would then refuse the request.
 */
export function appSyncClient(endpoint: Endpoint, auth: AuthOptions): ApolloClient {
  const url = endpoint.graphqlUrl;
  const httpLink = new HttpLink({ uri: url, includeExtensions: false });
  const link = ApolloLink.from([
    createAuthLink({ url, region: endpoint.region, auth }),
    createSubscriptionHandshakeLink({ url, region: endpoint.region, auth }, httpLink),
  ]);
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

/**
 * Subscribes through the client's link, so that the subscription link's control messages arrive
 * too: `onReady` runs when AppSync acknowledged the subscription (`start_ack`), after which nothing
 * published for it can be missed. (ApolloClient.subscribe drops those messages.)
 */
export function subscribeWithReady(
  client: ApolloClient,
  request: { query: DocumentNode; variables: Record<string, unknown> },
  handlers: { onReady: () => void; onData: (data: Record<string, unknown>) => void; onError: (error: unknown) => void },
): { unsubscribe(): void } {
  const context = { controlMessages: { [CONTROL_EVENTS_KEY]: true } };
  return ApolloLink.execute(client.link, { ...request, context }, { client }).subscribe({
    next: (result) => {
      const control = (result.extensions as { controlMsgType?: string } | undefined)?.controlMsgType;
      if (control === 'CONNECTED') handlers.onReady();
      else if ('errors' in result && result.errors !== undefined) handlers.onError(result.errors);
      else if ('data' in result && result.data !== undefined && result.data !== null)
        handlers.onData(result.data as Record<string, unknown>);
    },
    error: handlers.onError,
  });
}
