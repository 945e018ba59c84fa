/**
 * The core: one event bus, one AppSync API, every aggregate, and the reservation saga across them.
 * Adding an aggregate is one more construct below (and its fragment in @core/contracts).
 */
import { CfnOutput, Duration, Expiration, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CUSTOMER_EVENT_SOURCE, CustomerAggregate } from '@core/customer/infra';
import { PaymentAggregate } from '@core/payment/infra';
import { ReservationAggregate, ReservationSaga } from '@core/reservation/infra';
import { RoomAggregate } from '@core/room/infra';
import type { Construct } from 'constructs';

/**
 * What a deployment is for. `development` (a developer's stack, and the local core): the API key
 * mode and introspection are on, queries may nest freely, and the event stores are deleted with the
 * stack. `production`: IAM only, no introspection, a query depth limit, event stores retained and
 * deletion-protected.
 */
export type CoreStage = 'development' | 'production';

/**
 * The most nested levels a query may select in production (AppSync allows 1 to 75); the core's
 * schema needs 3. The development stage has none, so that introspection tools (whose queries nest
 * a dozen levels) work there.
 */
export const QUERY_DEPTH_LIMIT = 5;
/** The most resolvers one request may run (AppSync allows 1 to 10,000); a front-end request runs one or two. */
export const RESOLVER_COUNT_LIMIT = 10;

export interface CoreStackProps extends StackProps {
  /** @default 'production' */
  readonly stage?: CoreStage;
  /**
   * How long after acceptance a command's events may still be stored.
   * @default Duration.seconds(10)
   */
  readonly commandDeadline?: Duration;
  /**
   * Adds the API key mode (`x-api-key`), for development tools and the demo.
   * @default true in the development stage, false in production
   */
  readonly apiKey?: boolean;
  /**
   * Adds the Cognito user pool mode: signed-in users call the API with their ID token, and each
   * command's actor is the user (its `sub`) with its groups. A field reaches those callers only
   * once the schema lists `@aws_cognito_user_pools` on it (a directive replaces the default mode);
   * the local core serves API_KEY and AWS_IAM only.
   * @default no user pool mode
   */
  readonly userPool?: cognito.IUserPool;
  /**
   * A customer managed key for every event store.
   * @default the AWS owned key
   */
  readonly eventStoreKey?: kms.IKey;
}

export class CoreStack extends Stack {
  readonly api: appsync.GraphqlApi;
  readonly eventBus: events.EventBus;
  readonly reservation: ReservationAggregate;
  readonly stage: CoreStage;
  readonly customer: CustomerAggregate;
  readonly room: RoomAggregate;
  readonly payment: PaymentAggregate;
  readonly reservationSaga: ReservationSaga;

  constructor(scope: Construct, id: string, props: CoreStackProps = {}) {
    super(scope, id, props);
    this.stage = props.stage ?? 'production';
    const development = this.stage === 'development';

    this.eventBus = new events.EventBus(this, 'Bus', { description: 'Commits of every aggregate.' });

    // Front-end servers sign with IAM (the default mode). The API key and a user pool are additional
    // modes, when the props turn them on.
    this.api = new appsync.GraphqlApi(this, 'Api', {
      name: `${id}-api`,
      definition: appsync.Definition.fromFile(require.resolve('@core/contracts/schema.graphql')),
      authorizationConfig: {
        defaultAuthorization: { authorizationType: appsync.AuthorizationType.IAM },
        additionalAuthorizationModes: additionalModes(props.apiKey ?? development, props.userPool),
      },
      introspectionConfig: development ? appsync.IntrospectionConfig.ENABLED : appsync.IntrospectionConfig.DISABLED,
      queryDepthLimit: development ? undefined : QUERY_DEPTH_LIMIT,
      resolverCountLimit: RESOLVER_COUNT_LIMIT,
    });
    this.logApiErrors();

    this.reservation = new ReservationAggregate(this, 'Reservation', {
      api: this.api,
      eventBus: this.eventBus,
      commandDeadline: props.commandDeadline,
      development,
      encryptionKey: props.eventStoreKey,
    });
    this.customer = new CustomerAggregate(this, 'Customer', {
      api: this.api,
      eventBus: this.eventBus,
      commandDeadline: props.commandDeadline,
      development,
      encryptionKey: props.eventStoreKey,
    });
    this.room = new RoomAggregate(this, 'Room', {
      api: this.api,
      eventBus: this.eventBus,
      commandDeadline: props.commandDeadline,
      development,
      encryptionKey: props.eventStoreKey,
    });
    this.payment = new PaymentAggregate(this, 'Payment', {
      api: this.api,
      eventBus: this.eventBus,
      commandDeadline: props.commandDeadline,
      development,
      encryptionKey: props.eventStoreKey,
      // A registration with a credit line opens the customer's payment account.
      externalSources: [CUSTOMER_EVENT_SOURCE],
    });

    // The saga across aggregates: started by the reservation's commits, it commands the room and the
    // payment (and reads the customer), each step done when that aggregate's event is stored.
    this.reservationSaga = new ReservationSaga(this, 'ReservationSaga', {
      eventBus: this.eventBus,
      reservation: this.reservation,
      customer: this.customer,
      room: this.room,
      payment: this.payment,
      deadLetterQueue: this.reservation.deadLetterQueue,
    });

    new CfnOutput(this, 'GraphQLUrl', { value: this.api.graphqlUrl });
    new CfnOutput(this, 'RealtimeUrl', {
      value: (this.api.node.defaultChild as appsync.CfnGraphQLApi).attrRealtimeUrl,
    });
    const apiKey = this.api.node.tryFindChild('DefaultApiKey') as appsync.CfnApiKey | undefined;
    if (apiKey !== undefined) new CfnOutput(this, 'ApiKeyId', { value: apiKey.attrApiKeyId });
  }

  /**
   * Field errors to CloudWatch Logs, with a log group of our own (a month's retention) and a role
   * that may write to it only. GraphqlApi's `logConfig` would add a LogRetention custom resource
   * and a managed policy instead.
   */
  private logApiErrors(): void {
    const logGroup = new logs.LogGroup(this, 'ApiLogs', {
      logGroupName: Fn.join('', ['/aws/appsync/apis/', this.api.apiId]),
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'ApiLogsRole', { assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com') });
    logGroup.grantWrite(role);
    (this.api.node.defaultChild as appsync.CfnGraphQLApi).logConfig = {
      cloudWatchLogsRoleArn: role.roleArn,
      fieldLogLevel: 'ERROR',
      excludeVerboseContent: true,
    };
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-ASC3',
      reason:
        "Field errors are logged; verbose content is excluded because it would log request headers and arguments (guests' personal data).",
    });
  }
}

/** The API's modes besides IAM: the API key (a year) and a Cognito user pool, when asked for. */
function additionalModes(apiKey: boolean, userPool: cognito.IUserPool | undefined): appsync.AuthorizationMode[] {
  const modes: appsync.AuthorizationMode[] = [];
  if (apiKey) {
    modes.push({
      authorizationType: appsync.AuthorizationType.API_KEY,
      apiKeyConfig: { description: 'development', expires: Expiration.after(Duration.days(365)) },
    });
  }
  if (userPool !== undefined) {
    modes.push({ authorizationType: appsync.AuthorizationType.USER_POOL, userPoolConfig: { userPool } });
  }
  return modes;
}
