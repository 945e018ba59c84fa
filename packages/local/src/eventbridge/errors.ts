/**
 * Errors raised by the local EventBridge.
 *
 * Callers check the `code` (a stable string), not `instanceof`: errors cross module and
 * package boundaries, and the boot code may build its own objects with the same shape.
 */

/** Why a rule or target was refused when the bus was built. */
export type EventBridgeConfigErrorCode =
  'UNKNOWN_BUS' | 'DUPLICATE_RULE' | 'TOO_MANY_RULES' | 'INVALID_TARGET' | 'TOO_MANY_TARGETS';

/**
 * Thrown by `createLocalEventBus` when a rule or one of its targets would be refused by
 * EventBridge (`PutRule`/`PutTargets`). The message names the rule, and the target when
 * there is one, and says what to fix. Invalid event patterns are reported by
 * `assertValidEventPattern` as an `EventPatternError` instead.
 */
export class EventBridgeConfigError extends Error {
  public readonly code: EventBridgeConfigErrorCode;
  public readonly ruleName: string;
  public readonly targetId: string | undefined;

  public constructor(
    code: EventBridgeConfigErrorCode,
    message: string,
    where: { ruleName: string; targetId?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EventBridgeConfigError';
    this.code = code;
    this.ruleName = where.ruleName;
    this.targetId = where.targetId;
  }
}

/**
 * Request-level PutEvents failures. The code is the AWS error type the wire protocol
 * returns as `__type` (HTTP 400; 500 for `InternalException`), so SDK clients see the
 * exception they would see on AWS.
 */
export type PutEventsRequestErrorCode = 'ValidationException' | 'SerializationException' | 'InternalException';

/** Thrown by `putEvents` when the whole request is refused (not a single entry). */
export class PutEventsRequestError extends Error {
  public readonly code: PutEventsRequestErrorCode;

  public constructor(code: PutEventsRequestErrorCode, message: string) {
    super(message);
    this.name = 'PutEventsRequestError';
    this.code = code;
  }
}

/**
 * Why a delivery to a target failed. These are the `ERROR_CODE` values EventBridge writes
 * on dead-letter messages; any other string is accepted too.
 */
export type DeliveryErrorCode =
  | 'CONNECTION_FAILURE'
  | 'ERROR_FROM_TARGET'
  | 'NO_PERMISSIONS'
  | 'NO_RESOURCE'
  | 'THROTTLING'
  | 'TIMEOUT'
  | 'INVALID_JSON'
  | 'SDK_CLIENT_ERROR'
  | 'INTERNAL_ERROR'
  | (string & Record<never, never>);

/** The shape a `deliver` rejection must have to be understood (checked by shape, not class). */
export interface DeliveryFailure {
  readonly code: DeliveryErrorCode;
  readonly retryable: boolean;
  readonly message: string;
}

/**
 * What the boot's `deliver` function rejects with when a target could not take an event.
 * `retryable: true` stands for AWS's 5xx and 429 answers (retried with backoff);
 * `retryable: false` for the other 4xx, missing permissions or a missing target
 * (straight to the dead-letter queue).
 *
 * @example
 * ```ts
 * const deliver = async (arn: string) => {
 *   if (!functions.has(arn)) throw new DeliveryError('NO_RESOURCE', `No function ${arn}`, false);
 *   if (busy) throw new DeliveryError('THROTTLING', 'Rate exceeded', true);
 * };
 * ```
 */
export class DeliveryError extends Error implements DeliveryFailure {
  public readonly code: DeliveryErrorCode;
  public readonly retryable: boolean;

  public constructor(code: DeliveryErrorCode, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
    this.code = code;
    this.retryable = retryable;
  }
}

/**
 * Reads a `deliver` rejection. Anything without a string `code` and a boolean `retryable`
 * is a fault of the local runtime itself and counts as a retryable `INTERNAL_ERROR`,
 * as an AWS internal failure would.
 */
export function toDeliveryFailure(error: unknown): DeliveryFailure {
  if (typeof error === 'object' && error !== null) {
    const { code, retryable, message } = error as { code?: unknown; retryable?: unknown; message?: unknown };
    if (typeof code === 'string' && typeof retryable === 'boolean') {
      return { code, retryable, message: typeof message === 'string' ? message : code };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL_ERROR', retryable: true, message };
}
