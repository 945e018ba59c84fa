/**
 * The shapes the local EventBridge takes and gives: rules and targets (as the boot reads
 * them from a CloudFormation template), PutEvents on the JSON wire, and the event envelope.
 */

/** A rule on a bus, as `AWS::Events::Rule` describes it. */
export interface LocalRule {
  readonly name: string;
  readonly arn: string;
  readonly eventBusName: string;
  /** The parsed JSON event pattern; refused at construction when EventBridge would refuse it. */
  readonly eventPattern: unknown;
  /** @default 'ENABLED' */
  readonly state?: 'ENABLED' | 'DISABLED';
  readonly targets: LocalTarget[];
}

/** One target of a rule. `input`, `inputPath` and `inputTransformer` are mutually exclusive. */
export interface LocalTarget {
  readonly id: string;
  /** A Lambda function ARN, a state machine ARN or an SQS queue ARN. */
  readonly arn: string;
  /** Constant JSON text sent instead of the event. */
  readonly input?: string;
  /** JSONPath (dot notation, array indices, `*`) of the part of the event to send. */
  readonly inputPath?: string;
  readonly inputTransformer?: LocalInputTransformer;
  readonly retryPolicy?: LocalRetryPolicy;
  /** ARN of a standard SQS queue that receives the events that could not be delivered. */
  readonly deadLetterArn?: string;
}

/** `InputTransformer` of a target. */
export interface LocalInputTransformer {
  /** Variable name → JSONPath into the event (at most 100; names can't start with `AWS.`). */
  readonly inputPathsMap?: Record<string, string>;
  /** Text or JSON with `<name>` placeholders. */
  readonly inputTemplate: string;
}

/** `RetryPolicy` of a target. */
export interface LocalRetryPolicy {
  /** 0–185. @default 185 */
  readonly maximumRetryAttempts?: number;
  /** 60–86400. @default 86400 */
  readonly maximumEventAgeInSeconds?: number;
}

/** What the bus calls to hand an event to a target. */
export interface DeliveryContext {
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly eventId: string;
  /** The event as it was put on the bus (the target's input may be a part or a transformation of it). */
  readonly event: EventEnvelope;
}

/** An accepted event as the bus journals it, with the deliveries (`<rule>|<target id>`) still to finish. */
export interface JournalledBusEvent {
  readonly busName: string;
  readonly envelope: EventEnvelope;
  /** ISO-8601 time the bus accepted it; its age counts from here. */
  readonly ingestedAt: string;
  readonly deliveries: readonly string[];
}

/**
 * Where the bus keeps each accepted event until every delivery of it finished (delivered, sent to the
 * dead-letter queue, or dropped), so that a restart can resume the others (`LocalEventBus.resume`).
 */
export interface BusJournal {
  /** Called before PutEvents answers, for each accepted entry that matched at least one target. */
  accepted(event: JournalledBusEvent): void;
  /** One delivery (`<rule>|<target id>`) of the event finished. */
  finished(eventId: string, delivery: string): void;
}

/** A message for an SQS dead-letter queue: body plus string message attributes. */
export interface DeadLetterMessage {
  readonly body: string;
  readonly attributes: Record<string, string>;
}

/** Options of `createLocalEventBus`. */
export interface LocalEventBusOptions {
  readonly region: string;
  readonly accountId: string;
  /** Names of the custom buses that exist; `default` always exists. */
  readonly buses: string[];
  readonly rules: LocalRule[];
  /**
   * Delivers to a target. Resolve = delivered (for Lambda: queued for an asynchronous
   * invocation, as AWS does). Reject with a `DeliveryError` (or any object with a string
   * `code` and a boolean `retryable`) to fail the delivery.
   */
  readonly deliver: (targetArn: string, input: unknown, context: DeliveryContext) => Promise<void>;
  /** Sends a dead letter to the SQS queue with that ARN. */
  readonly deadLetter: (queueArn: string, message: DeadLetterMessage) => Promise<void>;
  /** @default writes warnings and errors to stderr, drops the rest */
  readonly log?: (line: string, fields?: Record<string, unknown>) => void;
  /**
   * Base of the retry backoff in milliseconds: attempt n waits about `base × 2^n`, capped at
   * `50 × base`, with jitter (AWS backs off over minutes). Tests set it to 1.
   * @default 100 (so the cap is 5 s)
   */
  readonly retryBaseMs?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Keeps accepted events until their deliveries finished. With a journal, closing the bus leaves
   * unfinished deliveries in it (for `resume`) instead of dropping them. @default none
   */
  readonly journal?: BusJournal;
  /** Multiplies every target's `MaximumEventAgeInSeconds` (local runs shorten it). @default 1 */
  readonly eventAgeScale?: number;
}

/** One entry of a PutEvents request as it is on the JSON wire. */
export interface PutEventsRequestEntryJson {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  /** Name or ARN of the bus. @default 'default' */
  readonly EventBusName?: string;
  readonly Resources?: string[];
  /** Epoch seconds on the JSON wire (an RFC 3339 string is accepted too). @default the time of the call */
  readonly Time?: number | string;
  readonly TraceHeader?: string;
}

/** A PutEvents request as it is on the JSON wire. */
export interface PutEventsRequestJson {
  readonly Entries: PutEventsRequestEntryJson[];
  readonly EndpointId?: string;
}

/** One result entry: an `EventId`, or an `ErrorCode` and `ErrorMessage`. */
export type PutEventsResultEntryJson =
  { readonly EventId: string } | { readonly ErrorCode: string; readonly ErrorMessage: string };

/** A PutEvents response; `Entries` line up with the request's by index. */
export interface PutEventsResponseJson {
  readonly FailedEntryCount: number;
  readonly Entries: PutEventsResultEntryJson[];
}

/** The envelope EventBridge delivers to targets. Key order is the one AWS uses. */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO-8601 UTC, second precision (`2026-11-28T18:43:48Z`). */
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: Record<string, unknown>;
}

/** Counters since the bus was built. */
export interface EventBusMetrics {
  /** PutEvents calls that reached entry validation. */
  putEventsCalls: number;
  /** Entries accepted (given an `EventId`). */
  entries: number;
  /** Accepted entries counted in 64 KB chunks, as AWS bills them. */
  billedEventChunks: number;
  /** Successful deliveries to targets. */
  deliveries: number;
  /** Delivery attempts that were retries. */
  retries: number;
  /** Events written to a dead-letter queue. */
  deadLettered: number;
  /** Events lost: undeliverable with no dead-letter queue, the queue refused them, or the bus closed. */
  dropped: number;
}
