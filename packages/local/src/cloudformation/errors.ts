/**
 * Errors raised while reading a cloud assembly or evaluating a CloudFormation template.
 *
 * Each error carries a stable `code`; callers check the code, not `instanceof`.
 */

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

/** Details attached to an {@link IntrinsicError}. */
export interface IntrinsicErrorDetails {
  readonly code: IntrinsicErrorCode;
  /** Where in the template the failing expression sits, e.g. `Resources.Fn.Properties.Environment.Variables.TABLE`. */
  readonly where: string;
  readonly logicalId?: string;
  readonly attribute?: string;
  readonly cause?: unknown;
}

/** An intrinsic function (`Ref`, `Fn::GetAtt`, `Fn::Sub`, …) could not be evaluated. */
export class IntrinsicError extends Error {
  override readonly name = 'IntrinsicError';
  readonly code: IntrinsicErrorCode;
  readonly where: string;
  readonly logicalId: string | undefined;
  readonly attribute: string | undefined;

  constructor(message: string, details: IntrinsicErrorDetails) {
    super(`${message} (at ${details.where})`, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.where = details.where;
    this.logicalId = details.logicalId;
    this.attribute = details.attribute;
  }
}

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

  constructor(
    message: string,
    details: { readonly code: CloudAssemblyErrorCode; readonly path: string; readonly cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.path = details.path;
  }
}
