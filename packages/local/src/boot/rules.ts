/**
 * EventBridge: the buses and the rules of the templates (event-pattern rules; scheduled rules are
 * left out with a line), their targets' input, retry policy (its maximum event age scaled by
 * `durationScale`) and dead-letter queue, and where each target is delivered: a function (async
 * invoke), a state machine (an execution) or a queue. Accepted events are journalled until delivered
 * (journals.ts); the bus faults wrap each delivery (faults.ts). Served at `AWSEvents.*`.
 */
import { eventBusArn, eventBusNameOf, type StackContext } from '../cloudformation';
import { DeliveryError, LocalCoreError } from '../errors';
import {
  createLocalEventBus,
  type BusJournal,
  type EntryAuthorizer,
  type LocalEventBus,
  type LocalRule,
  type LocalTarget,
} from '../eventbridge';
import { parseAwsJsonBody } from '../eventbridge/aws-json';
import { MAX_REQUEST_BYTES } from '../eventbridge/put-events';
import { authorize, type IamPrincipal } from '../iam';
import { putEventsRequest } from '../iam/actions';
import { accessDeniedMessage, authenticateAws, sendAccessDenied, type AwsAuth } from './aws-auth';
import type { LocalStepFunctions, LocalStateMachine } from '../stepfunctions';
import type { Closers } from './closers';
import type { Faults } from './faults';
import type { LocalFunctions } from './functions';
import type { JourneyProbes } from './journey-probes';
import type { LocalQueues } from './queues';
import { targetRoute, type Route } from './router';
import type { LocalStack } from './stacks';
import type { BootSettings } from './types';

/** The buses and rules of the templates. */
export function readRules(
  stacks: readonly LocalStack[],
  write: (line: string) => void,
): { buses: string[]; rules: LocalRule[] } {
  const buses: string[] = [];
  const rules: LocalRule[] = [];
  for (const { ctx } of stacks) {
    for (const id of ctx.resourcesOfType('AWS::Events::EventBus')) buses.push(String(ctx.ref(id)));
    for (const id of ctx.resourcesOfType('AWS::Events::Rule')) {
      const props = ctx.resolveProperties(id);
      const schedule = props['ScheduleExpression'];
      if (schedule !== undefined && props['EventPattern'] === undefined) {
        write(
          `rule ${id} runs on a schedule (${String(schedule)}); the local core does not run schedules and leaves it out`,
        );
        continue;
      }
      rules.push(ruleOf(ctx, id, props));
    }
  }
  return { buses, rules };
}

/** What the bus delivers to. */
export interface BusTargets {
  readonly functions: LocalFunctions;
  readonly stateMachines: readonly LocalStateMachine[];
  readonly stepFunctions: LocalStepFunctions;
  readonly queues: LocalQueues;
  readonly probes: JourneyProbes;
  readonly faults: Faults;
  readonly journal: BusJournal | undefined;
}

export function startEventBus(
  { buses, rules }: { buses: string[]; rules: LocalRule[] },
  targets: BusTargets,
  settings: BootSettings,
  closers: Closers,
): LocalEventBus {
  const bus = createLocalEventBus({
    region: settings.region,
    accountId: settings.accountId,
    buses,
    rules,
    retryBaseMs: settings.busRetryBaseMs,
    eventAgeScale: settings.durationScale,
    journal: targets.journal,
    deliver: targets.faults.wrapDelivery(async (targetArn, input, context) => {
      const correlationId = targets.probes.correlationOf(input, context);
      await deliver(targets, targetArn, input, correlationId, context.ruleName);
    }),
    deadLetter: async (queueArn, message) => {
      const queue = targets.queues.get(queueArn);
      if (queue === undefined)
        throw new LocalCoreError('UNKNOWN_DEAD_LETTER_QUEUE', `dead-letter queue ${queueArn} is not in the template`);
      await queue.send(message);
      settings.write(
        `!! dead letter → ${queueArn.split(':').at(-1) ?? queueArn}: ${message.attributes['ERROR_CODE'] ?? ''} ${message.attributes['ERROR_MESSAGE'] ?? ''}`,
      );
    },
    log: (line, fields) => {
      const level = fields?.['level'];
      if (level === 'warn' || level === 'error')
        settings.write(`${line} ${JSON.stringify({ ...fields, level: undefined })}`);
    },
  });
  closers.add(() => bus.close());
  return bus;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * `AWSEvents.*`: PutEvents, signed (SigV4, service `events`) and authorized per entry as
 * EventBridge does: `events:PutEvents` on the entry's bus, with its `events:source` and
 * `events:detail-type`, and the bus's resource policy. A request none of whose entries may be put is
 * refused (`AccessDeniedException`); otherwise each refused entry fails on its own. Each entry put
 * is a `bus` journey line.
 */
export function eventBridgeRoute(bus: LocalEventBus, probes: JourneyProbes, auth: AwsAuth): Route {
  // Twice the 1 MB of entries a request may hold: a Detail's JSON escaping makes the body larger.
  return targetRoute('AWSEvents.', 2 * MAX_REQUEST_BYTES, async (request) => {
    const { req, res, body, target } = request;
    const principal = await authenticateAws(request, 'events', auth, CONTENT_TYPE);
    if (principal === undefined) return true;
    const parsed = parseAwsJsonBody(body);
    const entries = parsed.ok ? ((parsed.value as { Entries?: unknown }).Entries ?? []) : [];
    const decided = (Array.isArray(entries) ? entries : [])
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => putEventsRequest(e, auth))
      .map((r) => ({ request: r, evaluation: authorize(principal, r, auth.policyOf(r.resource)) }));
    const [firstDenied] = decided.filter((d) => d.evaluation.decision !== 'allow');
    if (firstDenied !== undefined && decided.every((d) => d.evaluation.decision !== 'allow')) {
      sendAccessDenied(res, CONTENT_TYPE, auth, principal, firstDenied);
      return true;
    }
    if (target === 'AWSEvents.PutEvents') probes.putEvents(body);
    return bus.handleHttp(req, res, body, { authorizeEntry: entryAuthorizer(principal, auth) });
  });
}

/** Refuses, one by one, the entries the principal may not put. */
function entryAuthorizer(principal: IamPrincipal, auth: AwsAuth): EntryAuthorizer {
  return ({ busName, source, detailType }) => {
    const request = putEventsRequest(
      { EventBusName: eventBusArn(auth.region, auth.accountId, busName), Source: source, DetailType: detailType },
      auth,
    );
    const evaluation = authorize(principal, request, auth.policyOf(request.resource));
    if (evaluation.decision === 'allow') return undefined;
    const message = accessDeniedMessage(principal, { request, evaluation });
    auth.write(`!! access denied: ${message}`);
    return { ErrorCode: 'AccessDeniedException', ErrorMessage: message };
  };
}

/** Delivers one event to the resource a target names. */
async function deliver(
  { functions, stateMachines, stepFunctions, queues, probes }: BusTargets,
  targetArn: string,
  input: unknown,
  correlationId: string,
  ruleName: string,
): Promise<void> {
  const fn = functions.get(targetArn);
  if (fn !== undefined) {
    await fn.fn.invokeAsync(input);
    probes.delivered(correlationId, `${ruleName} → ${fn.path} (async)`, true);
    return;
  }
  if (stateMachines.some((machine) => machine.arn === targetArn)) {
    stepFunctions.startExecution(targetArn, input);
    probes.delivered(correlationId, `${ruleName} → ${targetArn.split(':').at(-1) ?? ''} (execution)`, false);
    return;
  }
  const queue = queues.get(targetArn);
  if (queue !== undefined) {
    await queue.send({ body: JSON.stringify(input), attributes: {} });
    return;
  }
  throw new DeliveryError('NO_RESOURCE', `no local resource for target ${targetArn}`, { retryable: false });
}

function ruleOf(ctx: StackContext, id: string, props: Record<string, unknown>): LocalRule {
  const ref = String(ctx.ref(id));
  const targets = (props['Targets'] as Record<string, unknown>[] | undefined) ?? [];
  return {
    name: ref.includes('|') ? (ref.split('|')[1] ?? ref) : ref,
    arn: String(ctx.getAtt(id, 'Arn')),
    eventBusName: eventBusNameOf(String(props['EventBusName'] ?? 'default')),
    eventPattern: eventPatternOf(props['EventPattern'], id),
    state: props['State'] === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    targets: targets.map(targetOf),
  };
}

function targetOf(target: Record<string, unknown>): LocalTarget {
  const transformer = target['InputTransformer'] as
    { InputPathsMap?: Record<string, string>; InputTemplate: string } | undefined;
  const retry = target['RetryPolicy'] as
    { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } | undefined;
  return {
    id: String(target['Id']),
    arn: String(target['Arn']),
    input: target['Input'] as string | undefined,
    inputPath: target['InputPath'] as string | undefined,
    inputTransformer:
      transformer === undefined
        ? undefined
        : { inputPathsMap: transformer.InputPathsMap, inputTemplate: transformer.InputTemplate },
    retryPolicy:
      retry === undefined
        ? undefined
        : {
            maximumRetryAttempts: retry.MaximumRetryAttempts,
            maximumEventAgeInSeconds: retry.MaximumEventAgeInSeconds,
          },
    deadLetterArn: (target['DeadLetterConfig'] as { Arn?: string } | undefined)?.Arn,
  };
}

/** A rule's `EventPattern`: CloudFormation takes a JSON object or its text. */
function eventPatternOf(value: unknown, ruleId: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new LocalCoreError(
      'EVENT_PATTERN_NOT_JSON',
      `rule ${ruleId}: EventPattern is a string that is not JSON (${String(error)})`,
      { cause: error },
    );
  }
}
