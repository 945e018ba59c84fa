/**
 * A front-end server's GraphQL client for the core, built from AWS's own AppSync client links
 * (aws-appsync-auth-link and aws-appsync-subscription-link on Apollo Client), as AWS documents them.
 * Works against AppSync and against the local core alike.
 *
 * A front-end server acting for a signed-in user says so in two headers it signs with the request
 * (SigV4 `SignedHeaders`): `x-core-user: <user id>` and, for a user with roles,
 * `x-core-user-roles: admin`. AppSync verifies the signature before the resolver runs, so the
 * command handler takes them as the actor's user (the reservation's own user may cancel it, an admin
 * any). The auth link signs only the headers it sets itself, so {@link appSyncClientFor} signs each
 * request in its `fetch`, exactly as it is sent.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
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

/** The signed-in user a front-end server acts for. */
export interface ActingFor {
  readonly userId: string;
  readonly roles?: readonly string[];
}

/**
 * An IAM client that acts for `user`: every query and mutation is signed with `x-core-user` (and
 * `x-core-user-roles`) among its signed headers. Subscriptions are signed by the subscription link.
 *
 * @example
 * const asGuest = appSyncClientFor(endpoint, { userId: 'guest-42' });
 * await asGuest.mutate({ mutation: CANCEL, variables: { input: { id } } });
 */
export function appSyncClientFor(endpoint: Endpoint, user: ActingFor): ApolloClient {
  const url = endpoint.graphqlUrl;
  const userHeaders: Record<string, string> = {
    'x-core-user': user.userId,
    ...(user.roles === undefined ? {} : { 'x-core-user-roles': user.roles.join(',') }),
  };
  const httpLink = new HttpLink({ uri: url, includeExtensions: false, fetch: signingFetch(endpoint, userHeaders) });
  const link = createSubscriptionHandshakeLink({ url, region: endpoint.region, auth: iamAuth(endpoint) }, httpLink);
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

/** A `fetch` that signs each POST with the front-end server's credentials, `headers` included and signed. */
export function signingFetch(endpoint: Endpoint, headers: Record<string, string>): typeof fetch {
  const signer = new SignatureV4({
    credentials: endpoint.frontEndCredentials,
    region: endpoint.region,
    service: 'appsync',
    sha256: Sha256,
  });
  return async (input, init) => {
    const url = new URL(String(input));
    const body = String(init?.body ?? '');
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: url.pathname,
        headers: { host: url.host, 'content-type': 'application/json', ...headers },
        body,
      }),
    );
    const { host: _host, ...sent } = signed.headers;
    return fetch(url, { method: 'POST', headers: sent, body });
  };
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
