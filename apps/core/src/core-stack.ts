/**
 * The core: one event bus, one AppSync API, every aggregate, and the reservation saga across them.
 * Adding an aggregate is one more construct below (and its fragment in @core/contracts).
 */
import { CfnOutput, Duration, Expiration, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CUSTOMER_EVENT_SOURCE, CustomerAggregate } from '@core/customer/infra';
import { PaymentAggregate } from '@core/payment/infra';
import { ReservationAggregate, ReservationSaga } from '@core/reservation/infra';
import { RoomAggregate } from '@core/room/infra';
import type { Construct } from 'constructs';

export interface CoreStackProps extends StackProps {
  /**
   * How long after acceptance a command's events may still be stored.
   * @default Duration.seconds(10)
   */
  readonly commandDeadline?: Duration;
}

export class CoreStack extends Stack {
  readonly api: appsync.GraphqlApi;
  readonly eventBus: events.EventBus;
  readonly reservation: ReservationAggregate;
  readonly customer: CustomerAggregate;
  readonly room: RoomAggregate;
  readonly payment: PaymentAggregate;
  readonly reservationSaga: ReservationSaga;

  constructor(scope: Construct, id: string, props: CoreStackProps = {}) {
    super(scope, id, props);

    this.eventBus = new events.EventBus(this, 'Bus', { description: 'Commits of every aggregate.' });

    // Front-end servers sign with IAM (the default mode); the API key is for development only.
    this.api = new appsync.GraphqlApi(this, 'Api', {
      name: `${id}-api`,
      definition: appsync.Definition.fromFile(require.resolve('@core/contracts/schema.graphql')),
      authorizationConfig: {
        defaultAuthorization: { authorizationType: appsync.AuthorizationType.IAM },
        additionalAuthorizationModes: [
          {
            authorizationType: appsync.AuthorizationType.API_KEY,
            apiKeyConfig: { description: 'development', expires: Expiration.after(Duration.days(365)) },
          },
        ],
      },
    });
    this.logApiErrors();

    this.reservation = new ReservationAggregate(this, 'Reservation', {
      api: this.api,
      eventBus: this.eventBus,
      commandDeadline: props.commandDeadline,
    });
    this.customer = new CustomerAggregate(this, 'Customer', {
      api: this.api,
      eventBus: this.eventBus,
      commandDeadline: props.commandDeadline,
    });
    this.room = new RoomAggregate(this, 'Room', {
      api: this.api,
      eventBus: this.eventBus,
      commandDeadline: props.commandDeadline,
    });
    this.payment = new PaymentAggregate(this, 'Payment', {
      api: this.api,
      eventBus: this.eventBus,
      commandDeadline: props.commandDeadline,
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
    new CfnOutput(this, 'ApiKeyId', {
      value: (this.api.node.findChild('DefaultApiKey') as appsync.CfnApiKey).attrApiKeyId,
    });
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
