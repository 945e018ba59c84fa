/**
 * Every failure the local core reports, one class per family, in the runtime's style: `name` set, a
 * stable SCREAMING_SNAKE `code` from the family's union, the `cause` passed on, and a message that
 * says what to fix. Check `error.code`, not `instanceof`: errors cross module and package boundaries.
 * Families that answer over an AWS wire protocol also carry the `awsErrorType` an SDK client expects.
 *
 * @example
 * try {
 *   await bootLocalCore({ assemblyDir: 'apps/core/cdk.out' });
 * } catch (error) {
 *   if ((error as { code?: string }).code === 'PORT_IN_USE') console.error('set PORT to a free port');
 *   throw error;
 * }
 */

/** Options every family takes. */
export interface ErrorOptions {
  readonly cause?: unknown;
}

// ---------------------------------------------------------------------------------------------
// The boot

/** Why the local core cannot boot the assembly or serve it as it is. */
export type LocalCoreErrorCode =
  /** The cloud assembly has no stack: run the synth first. */
  | 'NO_STACK'
  /** A stack named in `stacks` is not in the cloud assembly. */
  | 'UNKNOWN_STACK'
  /** The port is taken: set another one (PORT), or 0 for a free one. */
  | 'PORT_IN_USE'
  /** A function's `Role` is not a role of its template, so it cannot get local credentials. */
  | 'FUNCTION_WITHOUT_ROLE'
  /** The stacks booted define more than one AppSync API; the local core serves one (choose the stacks to boot). */
  | 'MORE_THAN_ONE_API'
  /** The API's schema is not inline (`DefinitionS3Location` is not read locally). */
  | 'SCHEMA_NOT_INLINE'
  /** A pipeline resolver; the local core runs unit resolvers only. */
  | 'PIPELINE_RESOLVER'
  /** A resolver's data source is neither AWS_LAMBDA nor NONE. */
  | 'UNSUPPORTED_DATA_SOURCE'
  /** A rule's `EventPattern` is text that is not JSON. */
  | 'EVENT_PATTERN_NOT_JSON'
  /** A dead-letter queue a target names is not a queue of the templates. */
  | 'UNKNOWN_DEAD_LETTER_QUEUE'
  /** A boot option is out of its range. */
  | 'INVALID_OPTION'
  /** A fault configuration names an unknown fault or has a value out of range. */
  | 'INVALID_FAULT';

/** The local core cannot boot or serve the assembly as it is; the message says what to change. */
export class LocalCoreError extends Error {
  override readonly name = 'LocalCoreError';
  readonly code: LocalCoreErrorCode;

  constructor(code: LocalCoreErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// CloudFormation: the assembly and its templates

/** Why a cloud assembly (`cdk.out`) could not be read. */
export type CloudAssemblyErrorCode =
  /** The directory has no `manifest.json`. */
  | 'MANIFEST_NOT_FOUND'
  /** `manifest.json`, an asset manifest or a template is not valid JSON or has the wrong shape. */
  | 'INVALID_ASSEMBLY'
  /** A stack's `templateFile` does not exist. */
  | 'TEMPLATE_NOT_FOUND'
  /** No asset with that hash or S3 key, or its folder is missing. */
  | 'ASSET_NOT_FOUND'
  /** A Lambda function's code is not a folder asset (inline `ZipFile`, image, or an S3 object from outside the assembly). */
  | 'FUNCTION_CODE_NOT_LOCAL';

/** A cloud assembly, or something inside it, is missing or malformed. */
export class CloudAssemblyError extends Error {
  override readonly name = 'CloudAssemblyError';
  readonly code: CloudAssemblyErrorCode;
  /** The file or folder the error is about. */
  readonly path: string;

  constructor(code: CloudAssemblyErrorCode, message: string, details: ErrorOptions & { readonly path: string }) {
    super(message, { cause: details.cause });
    this.code = code;
    this.path = details.path;
  }
}

/** Why an intrinsic function could not be evaluated. */
export type IntrinsicErrorCode =
  /** `Ref` or `${Name}` names neither a parameter, a pseudo parameter nor a resource. */
  | 'UNKNOWN_REFERENCE'
  /** `Fn::GetAtt` names a logical id that is not in the template. */
  | 'UNKNOWN_RESOURCE'
  /** `Fn::GetAtt` names an attribute that the local runtime does not know for that resource. */
  | 'UNKNOWN_ATTRIBUTE'
  /** `Fn::If`, `Condition` or a resource's `Condition` names a condition that is not defined. */
  | 'UNKNOWN_CONDITION'
  /** `Fn::FindInMap` keys are not in `Mappings` (and no `DefaultValue` was given). */
  | 'UNKNOWN_MAPPING_KEY'
  /** An intrinsic has the wrong shape (for example `Fn::Join` without a list). */
  | 'INVALID_INTRINSIC'
  /** A known CloudFormation intrinsic that the local runtime does not evaluate (`Fn::Cidr`, …). */
  | 'UNSUPPORTED_INTRINSIC'
  /** `Fn::ImportValue`: cross-stack exports are not available locally. */
  | 'IMPORT_VALUE_UNSUPPORTED'
  /** Two resources or conditions depend on each other. */
  | 'CIRCULAR_REFERENCE'
  /** A resource property the local runtime needs (a name, an API id) has the wrong type. */
  | 'INVALID_PROPERTY';

/** Where an {@link IntrinsicError} happened. */
export interface IntrinsicErrorDetails extends ErrorOptions {
  /** Where in the template the failing expression sits, e.g. `Resources.Fn.Properties.Environment.Variables.TABLE`. */
  readonly where: string;
  readonly logicalId?: string;
  readonly attribute?: string;
}

/** An intrinsic function (`Ref`, `Fn::GetAtt`, `Fn::Sub`, …) could not be evaluated. */
export class IntrinsicError extends Error {
  override readonly name = 'IntrinsicError';
  readonly code: IntrinsicErrorCode;
  readonly where: string;
  readonly logicalId: string | undefined;
  readonly attribute: string | undefined;

  constructor(code: IntrinsicErrorCode, message: string, details: IntrinsicErrorDetails) {
    super(`${message} (at ${details.where})`, { cause: details.cause });
    this.code = code;
    this.where = details.where;
    this.logicalId = details.logicalId;
    this.attribute = details.attribute;
  }
}

// ---------------------------------------------------------------------------------------------
// DynamoDB

/** Why the local DynamoDB could not start or do what was asked. */
export type LocalDynamoDbErrorCode =
  /** The server could not listen (port in use) or did not answer its first request. */
  | 'START_FAILED'
  /** Another live process (or this one) already serves the data directory. */
  | 'DATA_DIR_LOCKED'
  /** `AWS::DynamoDB::Table` properties that cannot become a CreateTable request. */
  | 'INVALID_TABLE_PROPERTIES'
  /** A table that already exists has another key schema than the template asks for. */
  | 'TABLE_SCHEMA_MISMATCH'
  /** A table did not become ACTIVE in time. */
  | 'TABLE_NOT_ACTIVE'
  /** DynamoDB answered a request with an error (see `awsErrorType`). */
  | 'REQUEST_FAILED';

/** The local DynamoDB failed; `code` says how. */
export class LocalDynamoDbError extends Error {
  override readonly name = 'LocalDynamoDbError';
  readonly code: LocalDynamoDbErrorCode;
  /** For `REQUEST_FAILED`: the DynamoDB error type, such as `ResourceNotFoundException`. */
  readonly awsErrorType: string | undefined;

  constructor(code: LocalDynamoDbErrorCode, message: string, details: ErrorOptions & { awsErrorType?: string } = {}) {
    super(message, { cause: details.cause });
    this.code = code;
    this.awsErrorType = details.awsErrorType;
  }
}

// ---------------------------------------------------------------------------------------------
// EventBridge

/** Why a rule or target was refused when the bus was built. */
export type EventBridgeConfigErrorCode =
  'UNKNOWN_BUS' | 'DUPLICATE_RULE' | 'TOO_MANY_RULES' | 'INVALID_TARGET' | 'TOO_MANY_TARGETS';

/**
 * Thrown by `createLocalEventBus` when a rule or one of its targets would be refused by
 * EventBridge (`PutRule`/`PutTargets`). The message names the rule, and the target when
 * there is one, and says what to fix. Invalid event patterns are an {@link EventPatternError}.
 */
export class EventBridgeConfigError extends Error {
  override readonly name = 'EventBridgeConfigError';
  readonly code: EventBridgeConfigErrorCode;
  readonly ruleName: string;
  readonly targetId: string | undefined;

  constructor(
    code: EventBridgeConfigErrorCode,
    message: string,
    details: ErrorOptions & { readonly ruleName: string; readonly targetId?: string },
  ) {
    super(message, { cause: details.cause });
    this.code = code;
    this.ruleName = details.ruleName;
    this.targetId = details.targetId;
  }
}

/** An event pattern EventBridge would refuse; `problems` lists every problem found. */
export class EventPatternError extends Error {
  override readonly name = 'EventPatternError';
  readonly code = 'INVALID_EVENT_PATTERN';
  /** Every problem found in the pattern, as returned by `validateEventPattern`. */
  readonly problems: string[];

  constructor(message: string, problems: string[]) {
    super(message);
    this.problems = problems;
  }
}

/** Why a whole PutEvents request was refused (not a single entry). */
export type PutEventsRequestErrorCode =
  /** The request breaks a PutEvents constraint (entry count, size, required fields). */
  | 'INVALID_REQUEST'
  /** The body is not the JSON of a PutEvents request. */
  | 'MALFORMED_REQUEST'
  /** The local bus closed. */
  | 'BUS_CLOSED';

const PUT_EVENTS_WIRE: Record<PutEventsRequestErrorCode, { awsErrorType: string; status: number }> = {
  INVALID_REQUEST: { awsErrorType: 'ValidationException', status: 400 },
  MALFORMED_REQUEST: { awsErrorType: 'SerializationException', status: 400 },
  BUS_CLOSED: { awsErrorType: 'InternalException', status: 500 },
};

/** Thrown by `putEvents` when the whole request is refused; answered as AWS answers it. */
export class PutEventsRequestError extends Error {
  override readonly name = 'PutEventsRequestError';
  readonly code: PutEventsRequestErrorCode;
  /** The `__type` of the answer, the exception an SDK client throws. */
  readonly awsErrorType: string;
  readonly httpStatus: number;

  constructor(code: PutEventsRequestErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.code = code;
    this.awsErrorType = PUT_EVENTS_WIRE[code].awsErrorType;
    this.httpStatus = PUT_EVENTS_WIRE[code].status;
  }
}

/** Why a delivery to a target failed: the `ERROR_CODE` values EventBridge writes on dead-letter messages. */
export type DeliveryErrorCode =
  | 'CONNECTION_FAILURE'
  | 'ERROR_FROM_TARGET'
  | 'NO_PERMISSIONS'
  | 'NO_RESOURCE'
  | 'THROTTLING'
  | 'TIMEOUT'
  | 'INVALID_JSON'
  | 'SDK_CLIENT_ERROR'
  | 'INTERNAL_ERROR';

/**
 * What a bus's `deliver` function rejects with when a target could not take an event.
 * `retryable: true` stands for AWS's 5xx and 429 answers (retried with backoff);
 * `retryable: false` for the other 4xx, missing permissions or a missing target
 * (straight to the dead-letter queue).
 *
 * @example
 * if (!functions.has(arn)) throw new DeliveryError('NO_RESOURCE', `No function ${arn}`, { retryable: false });
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly code: DeliveryErrorCode;
  readonly retryable: boolean;

  constructor(code: DeliveryErrorCode, message: string, details: ErrorOptions & { readonly retryable: boolean }) {
    super(message, { cause: details.cause });
    this.code = code;
    this.retryable = details.retryable;
  }
}

// ---------------------------------------------------------------------------------------------
// Lambda

/** Why the local Lambda runner refused (a function's own failures are `{ ok: false }` results, as on Lambda). */
export type LambdaRunnerErrorCode =
  /** An option is missing or out of range (the message names it). */
  | 'INVALID_CONFIG'
  /** The runtime is not a Node.js runtime (`nodejs<N>.x`). */
  | 'UNSUPPORTED_RUNTIME'
  /** The function's environment sets a variable that Lambda reserves (Lambda refuses such a function). */
  | 'RESERVED_ENVIRONMENT_VARIABLE'
  /** The event cannot be serialized as JSON (Lambda only takes JSON payloads). */
  | 'INVALID_EVENT'
  /** The function was closed. */
  | 'FUNCTION_CLOSED';

/** The local Lambda runner refused a call; `code` says why. */
export class LambdaRunnerError extends Error {
  override readonly name = 'LambdaRunnerError';
  readonly code: LambdaRunnerErrorCode;

  constructor(code: LambdaRunnerErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// Step Functions

/** Why the local Step Functions refused a definition or a request. */
export type StepFunctionsErrorCode =
  | 'INVALID_DEFINITION'
  | 'INVALID_ARN'
  | 'INVALID_NAME'
  | 'INVALID_EXECUTION_INPUT'
  | 'STATE_MACHINE_DOES_NOT_EXIST'
  | 'STATE_MACHINE_TYPE_NOT_SUPPORTED'
  | 'EXECUTION_DOES_NOT_EXIST'
  | 'EXECUTION_ALREADY_EXISTS'
  | 'INVALID_REQUEST'
  /** A task token that is not one (SendTask*). */
  | 'INVALID_TOKEN'
  /** No task waits for the token: it was reported, or never existed. */
  | 'TASK_DOES_NOT_EXIST'
  /** The token's task timed out (TimeoutSeconds or HeartbeatSeconds). */
  | 'TASK_TIMED_OUT'
  /** SendTaskSuccess's output is not JSON. */
  | 'INVALID_OUTPUT';

const STEP_FUNCTIONS_WIRE: Record<StepFunctionsErrorCode, string> = {
  INVALID_DEFINITION: 'InvalidDefinition',
  INVALID_ARN: 'InvalidArn',
  INVALID_NAME: 'InvalidName',
  INVALID_EXECUTION_INPUT: 'InvalidExecutionInput',
  STATE_MACHINE_DOES_NOT_EXIST: 'StateMachineDoesNotExist',
  STATE_MACHINE_TYPE_NOT_SUPPORTED: 'StateMachineTypeNotSupported',
  EXECUTION_DOES_NOT_EXIST: 'ExecutionDoesNotExist',
  EXECUTION_ALREADY_EXISTS: 'ExecutionAlreadyExists',
  INVALID_REQUEST: 'ValidationException',
  INVALID_TOKEN: 'InvalidToken',
  TASK_DOES_NOT_EXIST: 'TaskDoesNotExist',
  TASK_TIMED_OUT: 'TaskTimedOut',
  INVALID_OUTPUT: 'InvalidOutput',
};

/**
 * Thrown by `createLocalStepFunctions` (for a definition it can't run) and by its operations (for
 * a request AWS would refuse); answered over HTTP with `awsErrorType` as `__type`.
 */
export class StepFunctionsError extends Error {
  override readonly name = 'StepFunctionsError';
  readonly code: StepFunctionsErrorCode;
  /** The AWS exception name an SDK client sees (`ExecutionDoesNotExist`). */
  readonly awsErrorType: string;

  constructor(code: StepFunctionsErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.code = code;
    this.awsErrorType = STEP_FUNCTIONS_WIRE[code];
  }
}

// ---------------------------------------------------------------------------------------------
// AppSync

/** What is wrong with an API's configuration. */
export type AppSyncConfigErrorCode =
  /** An auth mode other than API_KEY and AWS_IAM. */
  | 'UNSUPPORTED_AUTH_MODE'
  /** The schema does not parse or is not valid. */
  | 'INVALID_SCHEMA'
  /** A subscription's `@aws_subscribe` names a missing mutation or one of another type. */
  | 'INVALID_SUBSCRIPTION'
  /** A resolver is attached to a field that is not in the schema, twice, or without a function ARN. */
  | 'INVALID_RESOLVER';

/** A configuration problem found by `createAppSyncApi`; the message says what to fix. */
export class AppSyncConfigError extends Error {
  override readonly name = 'AppSyncConfigError';
  readonly code: AppSyncConfigErrorCode;

  constructor(code: AppSyncConfigErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}

/** Why a field was answered with an error. */
export type AppSyncFieldErrorCode =
  /** The caller's auth mode or IAM policy may not access the field. */
  | 'FIELD_UNAUTHORIZED'
  /** The field's Lambda resolver failed. */
  | 'RESOLVER_FAILED';

/**
 * An error a resolver or an authorization check raises for one field. It becomes a GraphQL error
 * with this `errorType` (AppSync's wire value: `Unauthorized`, `Lambda:Unhandled`, a thrown error's name).
 */
export class AppSyncFieldError extends Error {
  override readonly name = 'AppSyncFieldError';
  readonly code: AppSyncFieldErrorCode;
  readonly errorType: string;

  constructor(code: AppSyncFieldErrorCode, errorType: string, message: string) {
    super(message);
    this.code = code;
    this.errorType = errorType;
  }
}
