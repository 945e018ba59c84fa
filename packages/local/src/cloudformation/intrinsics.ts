/**
 * Evaluation of CloudFormation intrinsic functions and pseudo parameters, as the local boot needs it
 * to turn a synthesized template into concrete values (table names, ARNs, environment variables).
 *
 * Supported: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If` with
 * `Fn::Equals`/`Fn::And`/`Fn::Or`/`Fn::Not`/`Condition`, `Fn::FindInMap` (with the language extension's
 * `DefaultValue`), `Fn::Base64`, `Fn::GetAZs`, `Fn::Length`, `Fn::ToJsonString`, and `AWS::NoValue`
 * removal. `Fn::ImportValue` always fails (there are no cross-stack exports locally); `Fn::Cidr`,
 * `Fn::Transform` and `Fn::ForEach` are reported as unsupported.
 */
import { IntrinsicError } from '../errors';
import { hashUuid } from './naming';
import type { TemplateMappings } from './template';

/** What the evaluator needs to know about the stack and its resources. */
export interface IntrinsicContext {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  /** `AWS::StackId`. @default a deterministic `arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>` */
  readonly stackId?: string;
  /** `AWS::NotificationARNs`. @default [] */
  readonly notificationArns?: readonly string[];
  /** `Ref` of a resource; `undefined` when there is no such resource (or it has no local value). */
  ref(logicalId: string): string | undefined;
  /** `Fn::GetAtt`; `undefined` when the resource or attribute is unknown. */
  getAtt(logicalId: string, attribute: string): unknown;
  /**
   * The resource type of a logical id, if the resource exists. Only used to tell "no such resource"
   * from "no such attribute" in errors.
   * @default a resource exists when `ref` answers for it
   */
  describe?(logicalId: string): string | undefined;
  /** The template's `Conditions` section (unevaluated), or plain booleans. */
  readonly conditions?: Readonly<Record<string, unknown>>;
  /** The template's `Mappings` section. */
  readonly mappings?: TemplateMappings;
  /** Parameter values (see `parameterValues`); `Ref` looks here before resources. */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

/** Stands for `AWS::NoValue` while a value is being evaluated; removed before anything is returned. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
type Evaluated = unknown;

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Pseudo parameters, by name. */
const PSEUDO_PARAMETERS: Readonly<Record<string, (ctx: IntrinsicContext) => unknown>> = {
  'AWS::AccountId': (ctx) => ctx.accountId,
  'AWS::Region': (ctx) => ctx.region,
  'AWS::Partition': (ctx) => partitionOf(ctx.region),
  'AWS::URLSuffix': (ctx) => (partitionOf(ctx.region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'),
  'AWS::StackName': (ctx) => ctx.stackName,
  'AWS::StackId': (ctx) => ctx.stackId ?? stackIdFor(ctx.region, ctx.accountId, ctx.stackName),
  'AWS::NotificationARNs': (ctx) => [...(ctx.notificationArns ?? [])],
  'AWS::NoValue': () => NO_VALUE,
};

/**
 * The partition a region belongs to: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, else `aws`.
 *
 * @example
 * partitionOf('eu-west-1'); // 'aws'
 */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * A deterministic `AWS::StackId`: `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`,
 * where the uuid is derived from the other parts.
 *
 * @example
 * stackIdFor('eu-west-1', '000000000000', 'Core'); // 'arn:aws:cloudformation:eu-west-1:000000000000:stack/Core/…'
 */
export function stackIdFor(region: string, accountId: string, stackName: string): string {
  const uuid = hashUuid(`stack:${region}:${accountId}:${stackName}`);
  return `arn:${partitionOf(region)}:cloudformation:${region}:${accountId}:stack/${stackName}/${uuid}`;
}

/**
 * Evaluates every intrinsic function in `value` (recursively) and returns plain JSON.
 * `AWS::NoValue` removes the object property or array element it stands in; if the whole value is
 * `AWS::NoValue` the result is `undefined`.
 *
 * `where` names the location of `value` in the template and is extended as the evaluator descends, so
 * errors say exactly which expression failed.
 *
 * @throws IntrinsicError with a stable `code` (`UNKNOWN_RESOURCE`, `UNKNOWN_ATTRIBUTE`, …).
 *
 * @example
 * const ctx: IntrinsicContext = {
 *   region: 'eu-west-1', accountId: '000000000000', stackName: 'Core',
 *   ref: (id) => (id === 'Table' ? 'Core-Table-ABCD1234' : undefined),
 *   getAtt: () => undefined,
 * };
 * resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}' }, ctx);
 * // 'arn:aws:dynamodb:eu-west-1:000000000000:table/Core-Table-ABCD1234'
 */
export function resolveIntrinsics(value: unknown, ctx: IntrinsicContext, where = '$'): unknown {
  const result = new Evaluator(ctx).evaluate(value, where);
  return result === NO_VALUE ? undefined : result;
}

/**
 * Evaluates the named condition of `ctx.conditions` (memoised per call tree).
 *
 * @throws IntrinsicError `UNKNOWN_CONDITION` when the condition is not defined.
 *
 * @example
 * evaluateCondition('IsProd', { ...ctx, conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } } });
 */
export function evaluateCondition(name: string, ctx: IntrinsicContext, where = `Conditions.${name}`): boolean {
  return new Evaluator(ctx).condition(name, where);
}

type IntrinsicHandler = (evaluator: Evaluator, argument: unknown, where: string) => Evaluated;

const INTRINSICS: Readonly<Record<string, IntrinsicHandler>> = {
  Ref: (e, arg, where) => e.ref(arg, where),
  'Fn::GetAtt': (e, arg, where) => e.getAtt(arg, where),
  'Fn::Join': (e, arg, where) => e.join(arg, where),
  'Fn::Sub': (e, arg, where) => e.sub(arg, where),
  'Fn::Select': (e, arg, where) => e.select(arg, where),
  'Fn::Split': (e, arg, where) => e.split(arg, where),
  'Fn::If': (e, arg, where) => e.if(arg, where),
  'Fn::Equals': (e, arg, where) => e.conditionExpression({ 'Fn::Equals': arg }, where),
  'Fn::And': (e, arg, where) => e.conditionExpression({ 'Fn::And': arg }, where),
  'Fn::Or': (e, arg, where) => e.conditionExpression({ 'Fn::Or': arg }, where),
  'Fn::Not': (e, arg, where) => e.conditionExpression({ 'Fn::Not': arg }, where),
  'Fn::FindInMap': (e, arg, where) => e.findInMap(arg, where),
  'Fn::Base64': (e, arg, where) => Buffer.from(e.string(arg, where, 'Fn::Base64'), 'utf8').toString('base64'),
  'Fn::GetAZs': (e, arg, where) => e.getAZs(arg, where),
  'Fn::Length': (e, arg, where) => e.list(arg, where, 'Fn::Length').length,
  'Fn::ToJsonString': (e, arg, where) => JSON.stringify(e.evaluate(arg, where)),
  'Fn::ImportValue': (e, arg, where) => e.importValue(arg, where),
};

const UNSUPPORTED_INTRINSICS = new Set([
  'Fn::Cidr',
  'Fn::Transform',
  'Fn::ForEach',
  'Fn::Contains',
  'Fn::EachMemberEquals',
  'Fn::EachMemberIn',
  'Fn::RefAll',
  'Fn::ValueOf',
  'Fn::ValueOfAll',
]);

class Evaluator {
  private readonly conditionValues = new Map<string, boolean>();
  private readonly conditionsInProgress = new Set<string>();

  constructor(private readonly ctx: IntrinsicContext) {}

  evaluate(value: unknown, where: string): Evaluated {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((item, index) => {
        const evaluated = this.evaluate(item, `${where}[${index}]`);
        if (evaluated !== NO_VALUE) out.push(evaluated);
      });
      return out;
    }
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    const onlyKey = keys.length === 1 ? keys[0] : undefined;
    if (onlyKey !== undefined) {
      const handler = INTRINSICS[onlyKey];
      if (handler) return handler(this, value[onlyKey], `${where}.${onlyKey}`);
      if (UNSUPPORTED_INTRINSICS.has(onlyKey)) {
        throw new IntrinsicError('UNSUPPORTED_INTRINSIC', `${onlyKey} is not supported by the local runtime`, {
          where,
        });
      }
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const evaluated = this.evaluate(value[key], `${where}.${key}`);
      if (evaluated !== NO_VALUE) out[key] = evaluated;
    }
    return out;
  }

  // ---- references ----------------------------------------------------------------------------

  ref(argument: unknown, where: string): Evaluated {
    const name = this.evaluate(argument, where);
    if (typeof name !== 'string') {
      throw new IntrinsicError('INVALID_INTRINSIC', 'Ref needs the name of a parameter or resource', { where });
    }
    return this.lookupName(name, where, 'Ref');
  }

  /** `Ref` semantics: pseudo parameter, then template parameter, then resource. */
  private lookupName(name: string, where: string, how: string): Evaluated {
    const pseudo = PSEUDO_PARAMETERS[name];
    if (pseudo) return pseudo(this.ctx);
    const parameters = this.ctx.parameters ?? {};
    if (Object.prototype.hasOwnProperty.call(parameters, name)) return parameters[name];
    const value = this.ctx.ref(name);
    if (value !== undefined) return value;
    const type = this.ctx.describe?.(name);
    if (type !== undefined) {
      throw new IntrinsicError(
        'UNKNOWN_REFERENCE',
        `${how} to ${name} (${type}) has no local value: the local runtime does not model that resource type, or the resource is not created`,
        { where, logicalId: name },
      );
    }
    throw new IntrinsicError(
      'UNKNOWN_REFERENCE',
      `${how} to ${name}: no parameter, pseudo parameter or resource has that name`,
      { where, logicalId: name },
    );
  }

  getAtt(argument: unknown, where: string): Evaluated {
    let logicalId: unknown;
    let attribute: unknown;
    if (typeof argument === 'string') {
      const dot = argument.indexOf('.');
      if (dot <= 0) {
        throw new IntrinsicError('INVALID_INTRINSIC', `Fn::GetAtt "${argument}" needs the form "LogicalId.Attribute"`, {
          where,
        });
      }
      logicalId = argument.slice(0, dot);
      attribute = argument.slice(dot + 1);
    } else if (Array.isArray(argument) && argument.length === 2) {
      logicalId = argument[0];
      attribute = this.evaluate(argument[1], `${where}[1]`);
    }
    if (typeof logicalId !== 'string' || typeof attribute !== 'string' || attribute === '') {
      throw new IntrinsicError(
        'INVALID_INTRINSIC',
        'Fn::GetAtt needs ["LogicalId", "Attribute"] or "LogicalId.Attribute"',
        { where },
      );
    }
    return this.lookupAttribute(logicalId, attribute, where);
  }

  private lookupAttribute(logicalId: string, attribute: string, where: string): Evaluated {
    const value = this.ctx.getAtt(logicalId, attribute);
    if (value !== undefined) return value;
    const type = this.ctx.describe
      ? this.ctx.describe(logicalId)
      : this.ctx.ref(logicalId) === undefined
        ? undefined
        : 'resource';
    if (type === undefined) {
      throw new IntrinsicError(
        'UNKNOWN_RESOURCE',
        `Fn::GetAtt ${logicalId}.${attribute}: no resource ${logicalId} in the template`,
        { where, logicalId, attribute },
      );
    }
    throw new IntrinsicError(
      'UNKNOWN_ATTRIBUTE',
      `Fn::GetAtt ${logicalId}.${attribute}: the local runtime has no attribute ${attribute} for ${logicalId} (${type})`,
      { where, logicalId, attribute },
    );
  }

  importValue(argument: unknown, where: string): never {
    const name = this.evaluate(argument, where);
    throw new IntrinsicError(
      'IMPORT_VALUE_UNSUPPORTED',
      `Fn::ImportValue ${typeof name === 'string' ? name : JSON.stringify(name)}: cross-stack exports are not available locally; pass the value in directly`,
      { where },
    );
  }

  // ---- strings and lists ---------------------------------------------------------------------

  /** Evaluates `argument` and requires a scalar, returned as a string. */
  string(argument: unknown, where: string, what: string): string {
    const value = this.evaluate(argument, where);
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new IntrinsicError('INVALID_INTRINSIC', `${what} needs a string here, got ${describeValue(value)}`, {
      where,
    });
  }

  /** Evaluates `argument` and requires a list. */
  list(argument: unknown, where: string, what: string): unknown[] {
    const value = this.evaluate(argument, where);
    if (Array.isArray(value)) return value;
    throw new IntrinsicError('INVALID_INTRINSIC', `${what} needs a list here, got ${describeValue(value)}`, { where });
  }

  private pair(argument: unknown, where: string, what: string): readonly [unknown, unknown] {
    if (!Array.isArray(argument) || argument.length !== 2) {
      throw new IntrinsicError('INVALID_INTRINSIC', `${what} needs a list of two elements`, { where });
    }
    return [argument[0], argument[1]];
  }

  join(argument: unknown, where: string): string {
    const [delimiter, values] = this.pair(argument, where, 'Fn::Join');
    const separator = this.string(delimiter, `${where}[0]`, 'Fn::Join');
    const items = this.list(values, `${where}[1]`, 'Fn::Join');
    return items.map((item, index) => scalarToString(item, `${where}[1][${index}]`, 'Fn::Join')).join(separator);
  }

  split(argument: unknown, where: string): string[] {
    const [delimiter, source] = this.pair(argument, where, 'Fn::Split');
    const separator = this.string(delimiter, `${where}[0]`, 'Fn::Split');
    return this.string(source, `${where}[1]`, 'Fn::Split').split(separator);
  }

  select(argument: unknown, where: string): Evaluated {
    const [indexArgument, values] = this.pair(argument, where, 'Fn::Select');
    const index = Number(this.string(indexArgument, `${where}[0]`, 'Fn::Select'));
    const items = this.list(values, `${where}[1]`, 'Fn::Select');
    if (!Number.isInteger(index) || index < 0 || index >= items.length) {
      throw new IntrinsicError(
        'INVALID_INTRINSIC',
        `Fn::Select index ${index} is outside the list of ${items.length} elements`,
        { where },
      );
    }
    return items[index];
  }

  sub(argument: unknown, where: string): string {
    let template: unknown = argument;
    let variables: JsonObject = {};
    if (Array.isArray(argument)) {
      const [text, vars] = this.pair(argument, where, 'Fn::Sub');
      const evaluatedVars = this.evaluate(vars, `${where}[1]`);
      if (!isObject(evaluatedVars)) {
        throw new IntrinsicError('INVALID_INTRINSIC', 'Fn::Sub variables must be an object', { where: `${where}[1]` });
      }
      template = text;
      variables = evaluatedVars;
    }
    if (typeof template !== 'string') {
      throw new IntrinsicError('INVALID_INTRINSIC', 'Fn::Sub needs a string or [string, variables]', { where });
    }
    return template.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (Object.prototype.hasOwnProperty.call(variables, name)) {
        return scalarToString(variables[name], `${where}.${name}`, 'Fn::Sub');
      }
      const dot = name.indexOf('.');
      const value =
        dot > 0 && !name.startsWith('AWS::')
          ? this.lookupAttribute(name.slice(0, dot), name.slice(dot + 1), where)
          : this.lookupName(name, where, `Fn::Sub \${${name}}`);
      return scalarToString(value, where, `Fn::Sub \${${name}}`);
    });
  }

  findInMap(argument: unknown, where: string): Evaluated {
    if (!Array.isArray(argument) || (argument.length !== 3 && argument.length !== 4)) {
      throw new IntrinsicError(
        'INVALID_INTRINSIC',
        'Fn::FindInMap needs [MapName, TopLevelKey, SecondLevelKey] and an optional {DefaultValue}',
        { where },
      );
    }
    const [mapName, topKey, secondKey] = [0, 1, 2].map((i) =>
      this.string(argument[i], `${where}[${i}]`, 'Fn::FindInMap'),
    );
    const value = this.ctx.mappings?.[mapName ?? '']?.[topKey ?? '']?.[secondKey ?? ''];
    if (value !== undefined) return value;
    const fallback = argument[3];
    if (isObject(fallback) && 'DefaultValue' in fallback)
      return this.evaluate(fallback['DefaultValue'], `${where}[3].DefaultValue`);
    throw new IntrinsicError(
      'UNKNOWN_MAPPING_KEY',
      `Fn::FindInMap: Mappings has no ${mapName}.${topKey}.${secondKey}`,
      { where },
    );
  }

  getAZs(argument: unknown, where: string): string[] {
    const requested = this.evaluate(argument, where);
    const region = typeof requested === 'string' && requested !== '' ? requested : this.ctx.region;
    return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
  }

  // ---- conditions ----------------------------------------------------------------------------

  if(argument: unknown, where: string): Evaluated {
    if (!Array.isArray(argument) || argument.length !== 3 || typeof argument[0] !== 'string') {
      throw new IntrinsicError('INVALID_INTRINSIC', 'Fn::If needs [ConditionName, valueIfTrue, valueIfFalse]', {
        where,
      });
    }
    return this.condition(argument[0], where)
      ? this.evaluate(argument[1], `${where}[1]`)
      : this.evaluate(argument[2], `${where}[2]`);
  }

  condition(name: string, where: string): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    const conditions = this.ctx.conditions ?? {};
    if (!Object.prototype.hasOwnProperty.call(conditions, name)) {
      throw new IntrinsicError('UNKNOWN_CONDITION', `condition ${name} is not defined in Conditions`, { where });
    }
    if (this.conditionsInProgress.has(name)) {
      throw new IntrinsicError('CIRCULAR_REFERENCE', `condition ${name} depends on itself`, { where });
    }
    this.conditionsInProgress.add(name);
    const value = this.conditionExpression(conditions[name], `Conditions.${name}`);
    this.conditionsInProgress.delete(name);
    this.conditionValues.set(name, value);
    return value;
  }

  conditionExpression(expression: unknown, where: string): boolean {
    if (typeof expression === 'boolean') return expression;
    if (expression === 'true' || expression === 'false') return expression === 'true';
    if (isObject(expression)) {
      const [key, argument] = Object.entries(expression)[0] ?? [];
      if (Object.keys(expression).length === 1 && key !== undefined) {
        const at = `${where}.${key}`;
        switch (key) {
          case 'Condition':
            if (typeof argument !== 'string') break;
            return this.condition(argument, at);
          case 'Fn::Equals': {
            const [left, right] = this.pair(argument, at, 'Fn::Equals');
            return sameValue(this.evaluate(left, `${at}[0]`), this.evaluate(right, `${at}[1]`));
          }
          case 'Fn::Not': {
            if (!Array.isArray(argument) || argument.length !== 1) break;
            return !this.conditionExpression(argument[0], `${at}[0]`);
          }
          case 'Fn::And':
          case 'Fn::Or': {
            if (!Array.isArray(argument) || argument.length < 2 || argument.length > 10) break;
            const values = argument.map((item, index) => this.conditionExpression(item, `${at}[${index}]`));
            return key === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
          }
          default: {
            const value = this.evaluate(expression, where);
            if (typeof value === 'boolean') return value;
            if (value === 'true' || value === 'false') return value === 'true';
          }
        }
      }
    }
    throw new IntrinsicError('INVALID_INTRINSIC', `not a condition: ${JSON.stringify(expression)}`, { where });
  }
}

/** CloudFormation compares condition operands as strings; lists and objects are compared structurally. */
function sameValue(left: unknown, right: unknown): boolean {
  const normalise = (value: unknown): string =>
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : JSON.stringify(value);
  return normalise(left) === normalise(right);
}

function scalarToString(value: unknown, where: string, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new IntrinsicError('INVALID_INTRINSIC', `${what} needs a string here, got ${describeValue(value)}`, { where });
}

function describeValue(value: unknown): string {
  if (value === NO_VALUE) return 'AWS::NoValue';
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : typeof value;
}
