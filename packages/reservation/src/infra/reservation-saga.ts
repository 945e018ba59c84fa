/**
 * The reservation saga: a Step Functions state machine, started by a bus rule on every reservation
 * commit that requests or cancels a reservation. Read top-down: the definition's states, the rule
 * that starts it, what its role may do.
 *
 * Each step is a command to another aggregate, sent by invoking that aggregate's command handler
 * with `lambda:invoke.waitForTaskToken`: the token travels in the commit, and the aggregate's event
 * handler reports SendTaskSuccess once the commit is stored, or SendTaskFailure with the rejection
 * code. A broken rule is thrown at once under its code. So a step is done only when its event is
 * stored; a CONFLICT (another command changed the stream first) is retried with a new command id,
 * which decides again on the new state; a failed step runs the compensations of the steps before
 * it, in reverse. The request's own commit may still be rejected when the saga starts (the bus
 * carries it before it is stored): the saga first waits for its recorded outcome, and ends at once
 * when it was not stored.
 */
import type {
  AuthorizePaymentInput,
  CapturePaymentInput,
  ConfirmReservationInput,
  ConfirmRoomHoldInput,
  HoldRoomInput,
  RefundPaymentInput,
  RejectReservationInput,
  ReleaseRoomHoldInput,
  VoidPaymentAuthorizationInput,
} from '@core/contracts';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RESERVATION_EVENT_SOURCE } from './reservation-aggregate';

/** The functions of one aggregate that the saga commands (and that report its steps). */
export interface SagaParticipant {
  readonly commandHandler: lambda.IFunction;
  /** Reports the steps' outcomes: granted the task responses. */
  readonly eventHandler: lambda.IFunction;
  /** And its dead-letter handler, which settles (and reports) what the event handler could not. */
  readonly deadLetterHandler: lambda.IFunction;
}

export interface ReservationSagaProps {
  readonly eventBus: events.IEventBus;
  /** The reservation aggregate: the saga confirms or rejects the reservation, and reads its request's outcome. */
  readonly reservation: SagaParticipant & { readonly queryHandler: lambda.IFunction };
  /** Read only: is the customer known and active? */
  readonly customer: { readonly queryHandler: lambda.IFunction };
  readonly room: SagaParticipant;
  readonly payment: SagaParticipant;
  /** Where the rule sends a start it could not deliver. */
  readonly deadLetterQueue: sqs.IQueue;
}

/** The event types that start the saga. */
export const SAGA_EVENT_TYPES = ['ReservationRequested', 'ReservationCancelled'];

/** The input the command handlers take, with the saga's own delivery fields. */
type StepInput<T> = { readonly [K in Exclude<keyof T, 'commandId' | 'taskToken'>]-?: unknown };

export class ReservationSaga extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly role: iam.Role;
  /** Starts an execution for every reservation commit that requests or cancels a reservation. */
  readonly startRule: events.Rule;

  constructor(scope: Construct, id: string, props: ReservationSagaProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    const steps = new SagaSteps(this, this.role);
    const data = (field: string) => sfn.JsonPath.stringAt(`$.events[0].data.${field}`);
    const reservationId = sfn.JsonPath.stringAt('$.streamId');
    const { room, payment, reservation } = props;
    const ids = { customerId: data('userId'), authorizationId: reservationId };
    const roomIds = { roomId: data('roomId'), reservationId };

    // Compensations, each the undo of one step, chained in reverse; a compensation's own failure is
    // passed over (it may have had nothing to undo). Then the reservation is rejected (a business
    // refusal) or the execution fails (anything else).
    const rejected = steps
      .command('RejectReservation', reservation, 'rejectReservation', {
        id: reservationId,
        reason: sfn.JsonPath.stringAt('$.rejection.reason'),
      } satisfies StepInput<RejectReservationInput>)
      .next(new sfn.Succeed(this, 'Rejected'));
    const compensated = new sfn.Choice(this, 'Compensated')
      .when(sfn.Condition.isPresent('$.rejection'), rejected)
      .otherwise(
        new sfn.Fail(this, 'SagaFailed', { error: 'SAGA_FAILED', cause: 'a step failed; it was compensated' }),
      );
    const releaseHold = steps.compensate(
      'ReleaseHold',
      room,
      'releaseRoomHold',
      roomIds satisfies StepInput<ReleaseRoomHoldInput>,
      compensated,
    );
    const voidPayment = steps.compensate(
      'VoidPayment',
      payment,
      'voidPaymentAuthorization',
      ids satisfies StepInput<VoidPaymentAuthorizationInput>,
      releaseHold,
    );
    const refundPayment = steps.compensate(
      'RefundPayment',
      payment,
      'refundPayment',
      { ...ids, amount: null } satisfies StepInput<RefundPaymentInput>,
      releaseHold,
    );
    const because = (reason: string, then: sfn.IChainable) =>
      new sfn.Pass(this, reason, { result: sfn.Result.fromObject({ reason }), resultPath: '$.rejection' }).next(then);

    // The request: the customer, then the room, then the payment, then confirm all three.
    const confirmReservation = steps
      .command('ConfirmReservation', reservation, 'confirmReservation', {
        id: reservationId,
        totalPrice: sfn.JsonPath.numberAt('$.hold.totalPrice'),
        currency: sfn.JsonPath.stringAt('$.hold.currency'),
      } satisfies StepInput<ConfirmReservationInput>)
      .addCatch(refundPayment, { resultPath: '$.failure' })
      .next(new sfn.Succeed(this, 'Confirmed'));
    const capture = steps
      .command('CapturePayment', payment, 'capturePayment', {
        ...ids,
        amount: null,
      } satisfies StepInput<CapturePaymentInput>)
      .addCatch(voidPayment, { resultPath: '$.failure' })
      .next(confirmReservation);
    const confirmHold = steps
      .command('ConfirmHold', room, 'confirmRoomHold', roomIds satisfies StepInput<ConfirmRoomHoldInput>)
      .addCatch(voidPayment, { resultPath: '$.failure' })
      .next(capture);
    const authorize = steps
      .command('AuthorizePayment', payment, 'authorizePayment', {
        ...ids,
        amount: sfn.JsonPath.numberAt('$.hold.totalPrice'),
        currency: sfn.JsonPath.stringAt('$.hold.currency'),
      } satisfies StepInput<AuthorizePaymentInput>)
      .addCatch(because('PAYMENT_DECLINED', releaseHold), {
        errors: ['PAYMENT_ACCOUNT_NOT_FOUND', 'CREDIT_LIMIT_EXCEEDED', 'CURRENCY_MISMATCH'],
        resultPath: '$.failure',
      })
      .addCatch(voidPayment, { resultPath: '$.failure' })
      .next(confirmHold);
    const hold = steps
      .command(
        'HoldRoom',
        room,
        'holdRoom',
        { ...roomIds, dateStart: data('dateStart'), dateEnd: data('dateEnd') } satisfies StepInput<HoldRoomInput>,
        {
          resultPath: '$.hold',
          select: { 'totalPrice.$': '$.input.hold.totalPrice', 'currency.$': '$.input.hold.currency' },
        },
      )
      .addCatch(because('ROOM_UNAVAILABLE', rejected), { errors: ['NIGHTS_UNAVAILABLE'], resultPath: '$.failure' })
      .addCatch(because('UNKNOWN_ROOM', rejected), { errors: ['ROOM_NOT_FOUND'], resultPath: '$.failure' })
      .addCatch(new sfn.Succeed(this, 'AlreadyRunning', { comment: 'a second start of the same saga' }), {
        errors: ['ALREADY_HELD'],
        resultPath: '$.failure',
      })
      .addCatch(releaseHold, { resultPath: '$.failure' })
      .next(authorize);
    const unknownCustomer = because('UNKNOWN_CUSTOMER', rejected);
    const customerActive = new sfn.Choice(this, 'CustomerActive')
      .when(sfn.Condition.isNull('$.customer.value'), unknownCustomer)
      .when(sfn.Condition.stringEquals('$.customer.value.status', 'ACTIVE'), hold)
      .otherwise(unknownCustomer);

    // The cancellation of a confirmed reservation: release the booking, refund the payment.
    const cancellation = new sfn.Choice(this, 'WasConfirmed')
      .when(
        sfn.Condition.booleanEquals('$.events[0].data.wasConfirmed', true),
        steps
          .command('ReleaseBooking', room, 'releaseRoomHold', roomIds satisfies StepInput<ReleaseRoomHoldInput>)
          .next(
            steps.command('RefundCancelled', payment, 'refundPayment', {
              ...ids,
              amount: null,
            } satisfies StepInput<RefundPaymentInput>),
          )
          .next(new sfn.Succeed(this, 'Refunded')),
      )
      .otherwise(new sfn.Succeed(this, 'NothingBooked', { comment: 'a running request saga compensates itself' }));

    // First: was the commit that started the saga stored? Asked until its outcome is recorded. A
    // request reads its customer first (a read, nothing to undo), which gives the store time to settle it.
    const outcome = steps.query(
      'ReadCommitOutcome',
      reservation.queryHandler,
      'getReservationCommandOutcome',
      { id: reservationId, commandId: sfn.JsonPath.stringAt('$.commitId') },
      '$.outcome',
    );
    const poll = new sfn.Pass(this, 'CountPoll', {
      parameters: { 'count.$': 'States.MathAdd($.polls.count, 1)' },
      resultPath: '$.polls',
    });
    poll.next(new sfn.Wait(this, 'WaitForCommit', { time: sfn.WaitTime.duration(Duration.seconds(1)) })).next(outcome);
    const start = new sfn.Pass(this, 'Start', { result: sfn.Result.fromObject({ count: 0 }), resultPath: '$.polls' });
    const readCustomer = steps.query(
      'ReadCustomer',
      props.customer.queryHandler,
      'getCustomerById',
      { id: data('userId') },
      '$.customer',
    );
    start.next(
      new sfn.Choice(this, 'Requested')
        .when(sfn.Condition.stringEquals('$.events[0].type', 'ReservationRequested'), readCustomer.next(outcome))
        .otherwise(outcome),
    );
    outcome.next(
      new sfn.Choice(this, 'CommitStored')
        .when(
          sfn.Condition.stringEquals('$.outcome.value.status', 'STORED'),
          new sfn.Choice(this, 'WhichEvent')
            .when(sfn.Condition.stringEquals('$.events[0].type', 'ReservationCancelled'), cancellation)
            .otherwise(customerActive),
        )
        .when(
          sfn.Condition.stringEquals('$.outcome.value.status', 'REJECTED'),
          new sfn.Succeed(this, 'CommitNotStored'),
        )
        .when(
          sfn.Condition.numberGreaterThan('$.polls.count', 30),
          new sfn.Fail(this, 'CommitNeverSettled', { error: 'COMMIT_NEVER_SETTLED' }),
        )
        .otherwise(poll),
    );

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(start),
      role: this.role,
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.hours(1),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    for (const participant of [reservation, room, payment]) {
      this.stateMachine.grantTaskResponse(participant.eventHandler);
      this.stateMachine.grantTaskResponse(participant.deadLetterHandler);
    }

    this.startRule = new events.Rule(this, 'StartRule', {
      eventBus: props.eventBus,
      description: 'Starts the reservation saga for each reservation commit that requests or cancels a reservation.',
      eventPattern: {
        source: [RESERVATION_EVENT_SOURCE],
        detailType: ['Commit'],
        detail: { events: { type: SAGA_EVENT_TYPES } },
      },
    });
    this.startRule.addTarget(
      new targets.SfnStateMachine(this.stateMachine, {
        input: events.RuleTargetInput.fromEventPath('$.detail'),
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: props.deadLetterQueue,
      }),
    );
    this.acknowledge();
  }

  private acknowledge(): void {
    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray and CloudWatch Logs delivery take no resource: Step Functions documents these statements with Resource "*".',
      },
      ...[...new Set(lambdaArnsOf(this.role))].map((logicalId) => ({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: 'The saga may invoke this one function, including its versions and aliases; nothing else.',
      })),
    );
  }
}

/** The logical ids of the functions the role may invoke (for their acknowledgements). */
function lambdaArnsOf(role: iam.Role): string[] {
  const stack = Stack.of(role);
  const document = stack.resolve((role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined)?.document);
  const statements = (document?.Statement ?? []) as { Resource?: unknown }[];
  return statements
    .flatMap((statement) => [statement.Resource].flat())
    .map((resource) => JSON.stringify(resource))
    .flatMap((text) => [...text.matchAll(/"Fn::GetAtt":\["([^"]+)","Arn"\]/g)].map((match) => match[1] as string));
}

/** The saga's states that call the aggregates: commands (waiting for the stored event), compensations, queries. */
class SagaSteps {
  constructor(
    private readonly scope: Construct,
    private readonly role: iam.IRole,
  ) {}

  /**
   * A command to an aggregate, done when its event is stored: the command handler is invoked with a
   * task token that the aggregate's event handler reports to. CONFLICT is retried, each attempt with
   * a new command id (so it is decided again on the stream's new state).
   */
  command(
    id: string,
    participant: SagaParticipant,
    fieldName: string,
    input: Record<string, unknown>,
    output: { resultPath: string; select: Record<string, string> } | undefined = undefined,
  ): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this.scope, id, {
      lambdaFunction: participant.commandHandler,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        arguments: { input: { ...input, commandId: sfn.JsonPath.uuid(), taskToken: sfn.JsonPath.taskToken } },
        identity: { userArn: this.role.roleArn },
        info: { fieldName, parentTypeName: 'Mutation' },
        request: { headers: { 'x-correlation-id': sfn.JsonPath.stringAt('$.correlationId') } },
      }),
      ...(output === undefined
        ? { resultPath: sfn.JsonPath.DISCARD }
        : { resultPath: output.resultPath, resultSelector: output.select }),
      retryOnServiceExceptions: false,
      // The command's deadline (10 s) and the report's retries fit well inside.
      taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
    });
    task.addRetry({
      errors: ['CONFLICT'],
      interval: Duration.seconds(1),
      maxAttempts: 5,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    return task;
  }

  /** A compensation, then `then`: a command whose failure is passed over (it may have had nothing to undo). */
  compensate(
    id: string,
    participant: SagaParticipant,
    fieldName: string,
    input: Record<string, unknown>,
    then: sfn.IChainable,
  ): tasks.LambdaInvoke {
    const task = this.command(id, participant, fieldName, input);
    task.addCatch(then, { resultPath: '$.compensationFailure' }).next(then);
    return task;
  }

  /** A query resolver invoked directly; its answer lands at `<resultPath>.value`. */
  query(id: string, fn: lambda.IFunction, fieldName: string, args: Record<string, unknown>, resultPath: string) {
    return new tasks.LambdaInvoke(this.scope, id, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({
        arguments: args,
        identity: null,
        info: { fieldName, parentTypeName: 'Query' },
      }),
      resultSelector: { 'value.$': '$.Payload' },
      resultPath,
    });
  }
}
