/**
 * The reservation aggregate's AWS resources, written out in full: a new aggregate starts as a copy
 * of this file. Read top-down: the event store, the three functions, what each may touch, the bus
 * rule that delivers commits to the event handler, and the API fields each function resolves.
 */
import { join } from 'node:path';
import {
  acknowledgeInvokeVersions,
  grantOwnEventSource,
  handlerFunction,
  type HandlerFunction,
  passThroughTemplates,
  protectEventStore,
} from '@core/infra';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The `source` of every reservation commit on the bus. */
export const RESERVATION_EVENT_SOURCE = 'core.reservation';

export interface ReservationAggregateProps {
  /** The API to add the reservation resolvers to. Its schema must contain this package's `schema.graphql`. */
  readonly api: appsync.GraphqlApi;
  /** The bus commits are published on; its resource policy refuses this aggregate's source to anyone else. */
  readonly eventBus: events.EventBus;
  /**
   * How long after acceptance an event may still be stored; after it, the client is told TIMEOUT.
   * @default Duration.seconds(10)
   */
  readonly commandDeadline?: Duration;
  /**
   * A development stage: the event store is deleted with the stack and not protected from deletion.
   * @default false: the event store (the system of record) is retained and deletion-protected
   */
  readonly development?: boolean;
  /**
   * A customer managed key for the event store (the functions get the key grants they need).
   * @default the AWS owned key DynamoDB encrypts every table with
   */
  readonly encryptionKey?: kms.IKey;
}

export class ReservationAggregate extends Construct {
  /** The event store: one item per commit, append-only. */
  readonly table: dynamodb.Table;
  /** The reservations-by-user read model, put in each commit's transaction by the event handler. */
  readonly readModel: dynamodb.Table;
  readonly commandHandler: HandlerFunction;
  readonly eventHandler: HandlerFunction;
  readonly queryHandler: HandlerFunction;
  /** Settles again what the bus could not deliver or the event handler could not handle (same code and role). */
  readonly deadLetterHandler: HandlerFunction;
  /** Delivers this aggregate's commits from the bus to the event handler. */
  readonly commitRule: events.Rule;
  /** Commits (and renotify requests) the bus could not deliver or the event handler could not handle. */
  readonly undelivered: sqs.Queue;
  /** What the dead-letter handler could not settle either, five times: parked for the dead-letter tool. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ReservationAggregateProps) {
    super(scope, id);
    const deadline = props.commandDeadline ?? Duration.seconds(10);

    // The event store. Key schema as in @core/runtime/dynamodb: streamId (S) + version (N). Point-in-
    // time recovery always; outside development it is retained and deletion-protected.
    const development = props.development === true;
    this.table = new dynamodb.Table(this, 'Events', {
      partitionKey: { name: 'streamId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'version', type: dynamodb.AttributeType.NUMBER },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: !development,
      removalPolicy: development ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      ...(props.encryptionKey === undefined
        ? { encryption: dynamodb.TableEncryption.DEFAULT }
        : { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }),
    });

    // The read model behind listReservationsByUser. Key schema as in src/read-model: userId (S) + reservationId (S).
    // Rebuildable from the event store at any time, so it is destroyed with the stack.
    this.readModel = new dynamodb.Table(this, 'ReservationsByUser', {
      partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'reservationId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Dead letters. A commit the bus could not deliver, or whose handling failed, goes to `undelivered`
    // at once; the dead-letter handler settles it again: stored if its deadline allows, else
    // REJECTED/TIMEOUT, notified either way. What it fails to settle five times is parked in
    // `deadLetters` for the dead-letter tool (which lists and redrives them).
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the undelivered-commits queue.',
    });
    this.undelivered = new sqs.Queue(this, 'Undelivered', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      // Six times the handler's timeout, as Lambda advises for an SQS event source.
      visibilityTimeout: Duration.seconds(60),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });

    // The functions (built by @core/infra's rules: Node.js 24, arm64, bundling, log group). Each
    // gets only the configuration it reads.
    this.commandHandler = handlerFunction(this, 'CommandHandler', {
      entry: handlerEntry('command.ts'),
      environment: {
        EVENTS_TABLE_NAME: this.table.tableName,
        EVENT_BUS_NAME: props.eventBus.eventBusName,
        EVENT_SOURCE: RESERVATION_EVENT_SOURCE,
        COMMAND_DEADLINE_MS: String(deadline.toMilliseconds()),
      },
    });
    const eventEnvironment = {
      EVENTS_TABLE_NAME: this.table.tableName,
      GRAPHQL_URL: props.api.graphqlUrl,
      READ_MODEL_TABLE_NAME: this.readModel.tableName,
    };
    this.eventHandler = handlerFunction(this, 'EventHandler', {
      entry: handlerEntry('event.ts'),
      environment: eventEnvironment,
      // A failed invocation goes to `undelivered` at once, where the dead-letter handler retries it.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      deadLetterQueue: this.undelivered,
    });
    this.deadLetterHandler = handlerFunction(this, 'DeadLetterHandler', {
      entry: handlerEntry('event.ts'),
      handler: 'deadLetterHandler',
      environment: eventEnvironment,
      // The event handler's role: one role stores, records and notifies for this aggregate.
      role: this.eventHandler.role,
    });
    this.deadLetterHandler.addEventSource(
      new sources.SqsEventSource(this.undelivered, { batchSize: 10, reportBatchItemFailures: true }),
    );
    this.queryHandler = handlerFunction(this, 'QueryHandler', {
      entry: handlerEntry('query.ts'),
      environment: { EVENTS_TABLE_NAME: this.table.tableName, READ_MODEL_TABLE_NAME: this.readModel.tableName },
    });

    // Least privilege: each role names the actions its handler calls, on this aggregate's resources.
    // The command and query handlers read (Query, GetItem); the event handler also appends (PutItem,
    // also inside TransactWriteItems). The table's resource policy makes the store append-only and
    // the event handler its only writer; the bus refuses this aggregate's source to anyone but the
    // command handler, whose own grant is limited to that source and its detail types.
    const readers = [this.commandHandler, this.queryHandler, this.eventHandler];
    for (const fn of readers) this.table.grant(fn, 'dynamodb:Query', 'dynamodb:GetItem');
    this.table.grant(this.eventHandler, 'dynamodb:PutItem');
    if (props.encryptionKey !== undefined) {
      // What Table.grantReadData and grantWriteData grant on a table's key, on this one key only.
      for (const fn of readers) props.encryptionKey.grant(fn, 'kms:Decrypt', 'kms:DescribeKey');
      props.encryptionKey.grantEncryptDecrypt(this.eventHandler);
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*'])
        Validations.of(this.eventHandler.role).acknowledge({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason:
            "DynamoDB's writers of a table encrypted with a customer managed key need these key actions, on that key only.",
        });
    }
    protectEventStore(this.table, this.eventHandler.role);
    // The read model: the event handler puts its items (in the commits' transactions), the query handler reads.
    this.readModel.grant(this.eventHandler, 'dynamodb:PutItem');
    this.readModel.grant(this.queryHandler, 'dynamodb:Query');
    grantOwnEventSource({
      eventBus: props.eventBus,
      source: RESERVATION_EVENT_SOURCE,
      detailTypes: ['Commit', 'Renotify'],
      publisher: this.commandHandler.role,
      statementId: 'ReservationSource',
    });
    // The internal notification mutation: the event handler's role is the only one granted it.
    props.api.grantMutation(this.eventHandler, 'reservationSaved');

    // The bus rule: every reservation commit goes to the event handler. EventBridge retries a failed
    // delivery for a minute (its shortest maximum event age; the commit's deadline has passed by then),
    // then sends it to `undelivered`, where it is settled: nothing is dropped.
    this.commitRule = new events.Rule(this, 'CommitRule', {
      eventBus: props.eventBus,
      description: 'Delivers reservation commits (and renotify requests) to the reservation event handler.',
      eventPattern: { source: [RESERVATION_EVENT_SOURCE], detailType: ['Commit', 'Renotify'] },
    });
    this.commitRule.addTarget(
      new targets.LambdaFunction(this.eventHandler, {
        retryAttempts: 185,
        maxEventAge: Duration.minutes(1),
        deadLetterQueue: this.undelivered,
      }),
    );

    // The API fields: commands and queries are direct Lambda resolvers; the notification mutation
    // is a pass-through (NONE data source) that AppSync fans out to onReservationSaved.
    const commands = props.api.addLambdaDataSource('ReservationCommands', this.commandHandler);
    acknowledgeInvokeVersions(commands, this.commandHandler);
    commands.createResolver('CreateReservation', { typeName: 'Mutation', fieldName: 'createReservation' });
    commands.createResolver('CancelReservation', { typeName: 'Mutation', fieldName: 'cancelReservation' });
    const queries = props.api.addLambdaDataSource('ReservationQueries', this.queryHandler);
    acknowledgeInvokeVersions(queries, this.queryHandler);
    queries.createResolver('GetReservationById', { typeName: 'Query', fieldName: 'getReservationById' });
    queries.createResolver('GetReservationCommandOutcome', {
      typeName: 'Query',
      fieldName: 'getReservationCommandOutcome',
    });
    queries.createResolver('ListReservationsByUser', { typeName: 'Query', fieldName: 'listReservationsByUser' });
    const notifications = props.api.addNoneDataSource('ReservationNotifications');
    notifications.createResolver('ReservationSaved', {
      typeName: 'Mutation',
      fieldName: 'reservationSaved',
      ...passThroughTemplates(),
    });
  }
}

/** A handler's TypeScript source; from `src/infra/` and from `lib/infra/` alike (esbuild bundles the source). */
function handlerEntry(file: string): string {
  return join(__dirname, '..', '..', 'src', 'handlers', file);
}
