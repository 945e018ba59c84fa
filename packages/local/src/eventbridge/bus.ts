/**
 * The local EventBridge: PutEvents in (as a function or over HTTP), rules matched, targets
 * delivered with EventBridge's retry and dead-letter behaviour.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { awsJsonOperation, parseAwsJsonBody, refuseNonPost, sendAwsJson, sendAwsJsonError } from './aws-json';
import {
  DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  EVENT_AGE_SECONDS_RANGE,
  RETRY_ATTEMPTS_RANGE,
  createDeliveryEngine,
  type DeliveryJob,
  type LogLevel,
} from './delivery';
import { EventBridgeConfigError, PutEventsRequestError } from '../errors';
import { assertValidEventPattern, matchesEventPattern } from './event-pattern';
import {
  LEGACY_REQUEST_BYTES,
  billedChunks,
  validatePutEvents,
  type EntryAuthorizer,
  type ValidatedPutEvents,
} from './put-events';
import { compileTargetInput, renderTargetInput, type TargetInputPlan } from './target-input';
import type {
  EventBusMetrics,
  EventEnvelope,
  JournalledBusEvent,
  LocalEventBusOptions,
  LocalRule,
  LocalTarget,
  PutEventsRequestJson,
  PutEventsResponseJson,
} from './types';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'AWSEvents';
const MAX_RULES_PER_BUS = 300;
const MAX_TARGETS_PER_RULE = 5;
const DEFAULT_RETRY_BASE_MS = 100;

/** A running local event bus (all buses of one account and region). */
export interface LocalEventBus {
  /**
   * PutEvents: validates synchronously, answers with an `EventId` or an error per entry,
   * then delivers to matching targets in the background.
   *
   * @throws PutEventsRequestError when the whole request is refused
   */
  putEvents(request: PutEventsRequestJson, options?: PutEventsOptions): PutEventsResponseJson;
  /**
   * Answers an AWS JSON 1.1 request (`POST`, `X-Amz-Target: AWSEvents.<Op>`). Resolves
   * `false`, writing nothing, when the request is not for EventBridge, so the caller can
   * route it elsewhere. `body` is the whole request body.
   */
  handleHttp(
    req: IncomingMessage,
    res: ServerResponse,
    body: string | Buffer,
    options?: PutEventsOptions,
  ): Promise<boolean>;
  /**
   * Delivers again what a journal kept of an earlier run: each listed delivery of each event, to the
   * rule and target of that name (one that no longer exists is logged and finished).
   */
  resume(events: readonly JournalledBusEvent[]): void;
  /** Resolves when no delivery or retry is in flight (deliveries started meanwhile included). */
  idle(): Promise<void>;
  /** Live counters. */
  readonly metrics: Readonly<EventBusMetrics>;
  /** Stops retrying (events waiting for a retry are dropped and logged) and waits for deliveries under way. */
  close(): Promise<void>;
}

type BusLog = (level: LogLevel, line: string, fields?: Record<string, unknown>) => void;

/** What a caller of PutEvents may put: the entries IAM refuses fail with their own error. */
export interface PutEventsOptions {
  readonly authorizeEntry?: EntryAuthorizer;
}

/** A rule with its targets checked and compiled. */
interface CompiledRule {
  readonly rule: LocalRule;
  readonly targets: readonly CompiledTarget[];
}

interface CompiledTarget {
  readonly target: LocalTarget;
  readonly plan: TargetInputPlan;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
}

/**
 * Builds the local EventBridge from the rules the boot read from a template.
 *
 * Rules and targets are checked as `PutRule`/`PutTargets` would check them: an invalid
 * event pattern throws `EventPatternError`, anything else `EventBridgeConfigError`, both
 * naming the rule.
 *
 * @example
 * ```ts
 * const dlq = new LocalQueue({ arn: 'arn:aws:sqs:us-east-1:111122223333:dlq' });
 * const bus = createLocalEventBus({
 *   region: 'us-east-1', accountId: '111122223333', buses: ['core'],
 *   rules: [{
 *     name: 'reservations', arn: 'arn:aws:events:us-east-1:111122223333:rule/core/reservations',
 *     eventBusName: 'core', eventPattern: { source: ['app.reservations'] },
 *     targets: [{ id: 'fn', arn: functionArn, inputPath: '$.detail', deadLetterArn: dlq.arn }],
 *   }],
 *   deliver: (arn, input) => lambdas.invokeAsync(arn, input),
 *   deadLetter: (_arn, message) => dlq.send(message).then(() => undefined),
 * });
 * http.createServer(async (req, res) => {
 *   const body = await readBody(req);
 *   if (!(await bus.handleHttp(req, res, body))) routeElsewhere(req, res, body);
 * });
 * ```
 */
export function createLocalEventBus(options: LocalEventBusOptions): LocalEventBus {
  const now = options.now ?? (() => new Date());
  const logLine = options.log ?? defaultLog;
  const log: BusLog = (level, line, fields = {}) => logLine(`[eventbridge] ${line}`, { level, ...fields });

  const busNames = new Set(['default', ...options.buses]);
  const rulesByBus = compileRules(options.rules, busNames, options.region);

  const metrics: EventBusMetrics = {
    putEventsCalls: 0,
    entries: 0,
    billedEventChunks: 0,
    deliveries: 0,
    retries: 0,
    deadLettered: 0,
    dropped: 0,
  };
  const engine = createDeliveryEngine({
    deliver: options.deliver,
    deadLetter: options.deadLetter,
    log,
    retryBaseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
    now,
    metrics,
    eventAgeScale: options.eventAgeScale,
    keepOnClose: options.journal !== undefined,
  });
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  const track = (job: DeliveryJob): void => {
    // Start on a later tick: PutEvents answers before any target is called.
    const delivery = Promise.resolve()
      .then(() => engine.run(job))
      .then((outcome) => {
        if (outcome === 'finished') options.journal?.finished(job.envelope.id, deliveryKey(job));
      })
      .catch((error: unknown) =>
        log('error', 'Delivery engine fault', { eventId: job.envelope.id, error: String(error) }),
      )
      .finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  };

  const putEventsBody = (request: unknown, putOptions: PutEventsOptions = {}): PutEventsResponseJson => {
    metrics.putEventsCalls += 1;
    if (closed) {
      throw new PutEventsRequestError('BUS_CLOSED', 'The local event bus is closed.');
    }
    const ingestedAt = now();
    const validated = validatePutEvents(request, {
      region: options.region,
      accountId: options.accountId,
      busExists: (name) => busNames.has(name),
      now: ingestedAt,
      newEventId: randomUUID,
      authorizeEntry: putOptions.authorizeEntry,
    });
    warnAboutRequest(validated, log);
    for (const entry of validated.accepted) {
      metrics.entries += 1;
      metrics.billedEventChunks += billedChunks(entry.sizeBytes);
      const jobs = jobsFor(entry, rulesByBus.get(entry.busName) ?? [], ingestedAt, log);
      if (jobs.length > 0)
        options.journal?.accepted({
          busName: entry.busName,
          envelope: entry.envelope,
          ingestedAt: ingestedAt.toISOString(),
          deliveries: jobs.map(deliveryKey),
        });
      for (const job of jobs) track(job);
    }
    const failed = validated.results.filter((result) => 'ErrorCode' in result).length;
    return { FailedEntryCount: failed, Entries: validated.results };
  };

  const handleHttp = (
    req: IncomingMessage,
    res: ServerResponse,
    body: string | Buffer,
    putOptions?: PutEventsOptions,
  ): Promise<boolean> => answerHttp(req, res, body, (request) => putEventsBody(request, putOptions), log);

  const idle = async (): Promise<void> => {
    while (inFlight.size > 0) {
      await Promise.allSettled([...inFlight]);
    }
  };

  const close = async (): Promise<void> => {
    closed = true;
    engine.close();
    await idle();
  };

  const resume = (events: readonly JournalledBusEvent[]): void =>
    resumeDeliveries(events, { rulesByBus, track, journal: options.journal, log });

  return { putEvents: putEventsBody, handleHttp, resume, idle, metrics, close };
}

/** Tracks a job for each journalled delivery whose rule and target still exist; finishes the others. */
function resumeDeliveries(
  events: readonly JournalledBusEvent[],
  bus: {
    rulesByBus: ReadonlyMap<string, CompiledRule[]>;
    track: (job: DeliveryJob) => void;
    journal: LocalEventBusOptions['journal'];
    log: BusLog;
  },
): void {
  for (const event of events) {
    const rules = bus.rulesByBus.get(event.busName) ?? [];
    for (const key of event.deliveries) {
      const [ruleName, targetId] = key.split('|');
      const rule = rules.find((candidate) => candidate.rule.name === ruleName);
      const target = rule?.targets.find((candidate) => candidate.target.id === targetId);
      if (rule === undefined || target === undefined) {
        bus.log('warn', `A journalled delivery names rule target ${key}, which no longer exists; it is dropped`, {
          eventId: event.envelope.id,
        });
        bus.journal?.finished(event.envelope.id, key);
        continue;
      }
      bus.track(jobFor(event.envelope, rule.rule, target, new Date(event.ingestedAt), bus.log));
    }
  }
}

/** How a journal names one delivery: `<rule>|<target id>`. */
function deliveryKey(job: Pick<DeliveryJob, 'ruleName' | 'targetId'>): string {
  return `${job.ruleName}|${job.targetId}`;
}

/** Logs what AWS would accept but flag: a request over the old 256 KB limit, each refused entry. */
function warnAboutRequest(validated: ValidatedPutEvents, log: BusLog): void {
  if (validated.totalSizeBytes > LEGACY_REQUEST_BYTES) {
    log('warn', `PutEvents request of ${validated.totalSizeBytes} bytes is over 256 KB`, {
      note: 'AWS raised the limit to 1 MB in 2026; some accounts, tools and docs still assume 256 KB',
    });
  }
  validated.results.forEach((result, index) => {
    if ('ErrorCode' in result) {
      log('warn', `PutEvents entry ${index} refused: ${result.ErrorCode}`, { message: result.ErrorMessage });
    }
  });
}

/** One delivery job per target of every enabled rule of the entry's bus whose pattern matches it. */
function jobsFor(
  entry: ValidatedPutEvents['accepted'][number],
  rules: readonly CompiledRule[],
  ingestedAt: Date,
  log: BusLog,
): DeliveryJob[] {
  const jobs: DeliveryJob[] = [];
  for (const { rule, targets } of rules) {
    if (rule.state === 'DISABLED' || !matchesEventPattern(rule.eventPattern, entry.envelope)) continue;
    for (const compiled of targets) jobs.push(jobFor(entry.envelope, rule, compiled, ingestedAt, log));
  }
  return jobs;
}

function jobFor(
  envelope: EventEnvelope,
  rule: LocalRule,
  compiled: CompiledTarget,
  ingestedAt: Date,
  log: BusLog,
): DeliveryJob {
  const rendered = renderTargetInput(compiled.plan, envelope, {
    ingestionTime: ingestedAt.toISOString(),
    ruleName: rule.name,
    ruleArn: rule.arn,
  });
  if (rendered.warning !== undefined) {
    log('warn', rendered.warning, { eventId: envelope.id, rule: rule.name, target: compiled.target.id });
  }
  return {
    ruleName: rule.name,
    ruleArn: rule.arn,
    targetId: compiled.target.id,
    targetArn: compiled.target.arn,
    deadLetterArn: compiled.target.deadLetterArn,
    maximumRetryAttempts: compiled.maximumRetryAttempts,
    maximumEventAgeSeconds: compiled.maximumEventAgeSeconds,
    envelope,
    input: rendered.input,
    ingestedAt,
  };
}

/** Answers an AWS JSON 1.1 request for EventBridge; false when it is not one. */
async function answerHttp(
  req: IncomingMessage,
  res: ServerResponse,
  body: string | Buffer,
  putEvents: (request: unknown) => PutEventsResponseJson,
  log: BusLog,
): Promise<boolean> {
  const operation = awsJsonOperation(req, TARGET_PREFIX);
  if (operation === undefined) {
    return false;
  }
  if (refuseNonPost(req, res, CONTENT_TYPE)) {
    return true;
  }
  if (operation !== 'PutEvents') {
    sendAwsJsonError(
      res,
      CONTENT_TYPE,
      400,
      'UnknownOperationException',
      `The local EventBridge does not support ${operation}; it supports PutEvents only.`,
    );
    return true;
  }
  const parsed = parseAwsJsonBody(body);
  if (!parsed.ok) {
    sendAwsJsonError(res, CONTENT_TYPE, 400, 'SerializationException', parsed.message);
    return true;
  }
  try {
    sendAwsJson(res, CONTENT_TYPE, 200, putEvents(parsed.value));
  } catch (error) {
    if (error instanceof PutEventsRequestError) {
      sendAwsJsonError(res, CONTENT_TYPE, error.httpStatus, error.awsErrorType, error.message);
    } else {
      log('error', 'PutEvents failed', { error: String(error) });
      sendAwsJsonError(res, CONTENT_TYPE, 500, 'InternalException', 'Internal failure of the local EventBridge.');
    }
  }
  return true;
}

/** Checks every rule and target and groups the rules by bus. */
function compileRules(
  rules: readonly LocalRule[],
  busNames: ReadonlySet<string>,
  region: string,
): Map<string, CompiledRule[]> {
  const byBus = new Map<string, CompiledRule[]>();
  for (const rule of rules) {
    const where = { ruleName: rule.name };
    if (!busNames.has(rule.eventBusName)) {
      throw new EventBridgeConfigError(
        'UNKNOWN_BUS',
        `Rule "${rule.name}" is on event bus "${rule.eventBusName}", which does not exist (known: ${[...busNames].join(', ')}).`,
        where,
      );
    }
    const onBus = byBus.get(rule.eventBusName) ?? [];
    if (onBus.some((other) => other.rule.name === rule.name)) {
      throw new EventBridgeConfigError(
        'DUPLICATE_RULE',
        `Rule "${rule.name}" is defined twice on event bus "${rule.eventBusName}".`,
        where,
      );
    }
    if (onBus.length >= MAX_RULES_PER_BUS) {
      throw new EventBridgeConfigError(
        'TOO_MANY_RULES',
        `Rule "${rule.name}" would be rule ${onBus.length + 1} on event bus "${rule.eventBusName}"; the limit is ${MAX_RULES_PER_BUS}.`,
        where,
      );
    }
    assertValidEventPattern(rule.eventPattern, rule.name);
    if (rule.targets.length > MAX_TARGETS_PER_RULE) {
      throw new EventBridgeConfigError(
        'TOO_MANY_TARGETS',
        `Rule "${rule.name}" has ${rule.targets.length} targets; the limit is ${MAX_TARGETS_PER_RULE}.`,
        where,
      );
    }
    const ids = new Set<string>();
    const targets = rule.targets.map((target) => {
      if (ids.has(target.id)) {
        throw new EventBridgeConfigError(
          'INVALID_TARGET',
          `Rule "${rule.name}" has two targets with id "${target.id}".`,
          { ...where, targetId: target.id },
        );
      }
      ids.add(target.id);
      return compileTarget(rule, target, region);
    });
    onBus.push({ rule, targets });
    byBus.set(rule.eventBusName, onBus);
  }
  return byBus;
}

function compileTarget(rule: LocalRule, target: LocalTarget, region: string): CompiledTarget {
  const fail = (problem: string): never => {
    throw new EventBridgeConfigError('INVALID_TARGET', `Rule "${rule.name}", target "${target.id}": ${problem}`, {
      ruleName: rule.name,
      targetId: target.id,
    });
  };
  const attempts = target.retryPolicy?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS;
  if (!Number.isInteger(attempts) || attempts < RETRY_ATTEMPTS_RANGE.min || attempts > RETRY_ATTEMPTS_RANGE.max) {
    fail(
      `RetryPolicy.MaximumRetryAttempts must be an integer from ${RETRY_ATTEMPTS_RANGE.min} to ${RETRY_ATTEMPTS_RANGE.max} (got ${attempts}).`,
    );
  }
  const age = target.retryPolicy?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS;
  if (!Number.isInteger(age) || age < EVENT_AGE_SECONDS_RANGE.min || age > EVENT_AGE_SECONDS_RANGE.max) {
    fail(
      `RetryPolicy.MaximumEventAgeInSeconds must be an integer from ${EVENT_AGE_SECONDS_RANGE.min} to ${EVENT_AGE_SECONDS_RANGE.max} (got ${age}).`,
    );
  }
  if (target.deadLetterArn !== undefined) {
    const sqs = /^arn:aws[a-z-]*:sqs:([^:]+):(\d{12}):([^:]+)$/.exec(target.deadLetterArn);
    if (sqs === null) {
      fail(`DeadLetterConfig.Arn "${target.deadLetterArn}" is not an SQS queue ARN.`);
    } else if (sqs[3]?.endsWith('.fifo') === true) {
      fail(`DeadLetterConfig.Arn "${target.deadLetterArn}" is a FIFO queue; EventBridge needs a standard queue.`);
    } else if (sqs[1] !== region) {
      fail(
        `DeadLetterConfig.Arn "${target.deadLetterArn}" is in region ${sqs[1]}; it must be in the rule's region (${region}).`,
      );
    }
  }
  return {
    target,
    plan: compileTargetInput(target, rule.name),
    maximumRetryAttempts: attempts,
    maximumEventAgeSeconds: age,
  };
}

/** Without a `log` option: warnings and errors go to stderr, the rest is dropped. */
function defaultLog(line: string, fields?: Record<string, unknown>): void {
  const level = fields?.['level'];
  if (level === 'warn' || level === 'error') {
    process.stderr.write(`${line} ${JSON.stringify(fields)}\n`);
  }
}
