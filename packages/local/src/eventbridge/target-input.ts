/**
 * What a target receives: the whole event, a constant (`Input`), a part of the event
 * (`InputPath`) or a template filled from the event (`InputTransformer`).
 *
 * A target's input settings are compiled once, when the bus is built (so mistakes are
 * reported with the rule and target names before any event flows), then rendered per event.
 */
import { EventBridgeConfigError } from '../errors';
import { evaluateJsonPath, parseJsonPath, type JsonPathSegment } from './json-path';
import type { EventEnvelope, LocalTarget } from './types';

/** The reserved template variables EventBridge fills in itself. */
const RESERVED_VARIABLES = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
] as const;
type ReservedVariable = (typeof RESERVED_VARIABLES)[number];

const MAX_INPUT_PATHS = 100;
const MAX_TEMPLATE_LENGTH = 8192;
const VARIABLE_NAME = /^[A-Za-z0-9_-]+$/;
const PLACEHOLDER = /^<([A-Za-z0-9_.-]+)>/;

/** A piece of an input template: literal text, or a placeholder and where it sits. */
type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'placeholder'; readonly name: string; readonly inString: boolean };

/** A target's input settings, checked and ready to render. */
export type TargetInputPlan =
  | { readonly kind: 'event' }
  | { readonly kind: 'constant'; readonly value: unknown }
  | { readonly kind: 'path'; readonly segments: readonly JsonPathSegment[] }
  | {
      readonly kind: 'transform';
      readonly variables: ReadonlyMap<string, readonly JsonPathSegment[]>;
      readonly parts: readonly TemplatePart[];
      /** The template is JSON-shaped (starts with `{`, `[` or `"`): unquoted placeholders take JSON values. */
      readonly jsonMode: boolean;
    };

/** What rendering needs besides the event. */
export interface RenderContext {
  readonly ruleName: string;
  readonly ruleArn: string;
  /** When EventBridge received the event, ISO-8601. */
  readonly ingestionTime: string;
}

/** Rendered input, plus a note when something looked wrong (for the log). */
export interface RenderedInput {
  readonly input: unknown;
  readonly warning?: string;
}

/**
 * Checks a target's `Input`/`InputPath`/`InputTransformer` as `PutTargets` would and
 * compiles it.
 *
 * @throws EventBridgeConfigError with code `INVALID_TARGET`, naming the rule and target
 * @example
 * ```ts
 * const plan = compileTargetInput({ id: 't1', arn, inputPath: '$.detail' }, 'orders-rule');
 * renderTargetInput(plan, envelope, context).input; // envelope.detail
 * ```
 */
export function compileTargetInput(target: LocalTarget, ruleName: string): TargetInputPlan {
  const fail = (problem: string): never => {
    throw new EventBridgeConfigError('INVALID_TARGET', `Rule "${ruleName}", target "${target.id}": ${problem}`, {
      ruleName,
      targetId: target.id,
    });
  };
  const given = [
    target.input !== undefined ? 'Input' : undefined,
    target.inputPath !== undefined ? 'InputPath' : undefined,
    target.inputTransformer !== undefined ? 'InputTransformer' : undefined,
  ].filter((name): name is string => name !== undefined);
  if (given.length > 1) {
    fail(`${given.join(' and ')} are mutually exclusive; keep one`);
  }

  if (target.input !== undefined) {
    try {
      return { kind: 'constant', value: JSON.parse(target.input) as unknown };
    } catch (error) {
      return fail(`Input must be valid JSON text (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  if (target.inputPath !== undefined) {
    const parsed = parseJsonPath(target.inputPath);
    return parsed.ok ? { kind: 'path', segments: parsed.segments } : fail(`InputPath ${parsed.problem}`);
  }

  if (target.inputTransformer !== undefined) {
    return compileTransformer(target.inputTransformer.inputPathsMap ?? {}, target.inputTransformer.inputTemplate, fail);
  }

  return { kind: 'event' };
}

function compileTransformer(
  pathsMap: Record<string, string>,
  template: string,
  fail: (problem: string) => never,
): TargetInputPlan {
  const entries = Object.entries(pathsMap);
  if (entries.length > MAX_INPUT_PATHS) {
    fail(`InputPathsMap has ${entries.length} variables; the limit is ${MAX_INPUT_PATHS}`);
  }
  const variables = new Map<string, readonly JsonPathSegment[]>();
  for (const [name, path] of entries) {
    if (name.toUpperCase().startsWith('AWS.') || (RESERVED_VARIABLES as readonly string[]).includes(name)) {
      fail(`InputPathsMap variable "${name}" is reserved (names can't start with "AWS.")`);
    }
    if (!VARIABLE_NAME.test(name)) {
      fail(`InputPathsMap variable "${name}" may only contain letters, digits, "_" and "-"`);
    }
    const parsed = parseJsonPath(path);
    if (!parsed.ok) {
      fail(`InputPathsMap variable "${name}": ${parsed.problem}`);
    } else {
      variables.set(name, parsed.segments);
    }
  }
  if (template.length === 0 || template.length > MAX_TEMPLATE_LENGTH) {
    fail(`InputTemplate must be 1 to ${MAX_TEMPLATE_LENGTH} characters long`);
  }
  const known = (name: string): boolean =>
    variables.has(name) || (RESERVED_VARIABLES as readonly string[]).includes(name);
  const parts = parseTemplate(template, known);
  if (template.trimStart().startsWith('{')) {
    const key = findPlaceholderUsedAsKey(parts);
    if (key !== undefined) {
      fail(`InputTemplate uses placeholder <${key}> as an object key; placeholders can only be values`);
    }
  }
  return { kind: 'transform', variables, parts, jsonMode: /^[{["]/.test(template.trimStart()) };
}

/**
 * Splits a template into text and placeholders, noting for each placeholder whether it is
 * inside a JSON string literal. `<name>` is a placeholder only when `name` is a defined or
 * reserved variable; anything else stays text.
 */
function parseTemplate(template: string, known: (name: string) => boolean): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let inString = false;
  let i = 0;
  while (i < template.length) {
    const char = template.charAt(i);
    if (inString && char === '\\') {
      text += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (char === '"') {
      inString = !inString;
    } else if (char === '<') {
      const match = PLACEHOLDER.exec(template.slice(i));
      if (match !== null && match[1] !== undefined && known(match[1])) {
        if (text.length > 0) parts.push({ kind: 'text', text });
        text = '';
        parts.push({ kind: 'placeholder', name: match[1], inString });
        i += match[0].length;
        continue;
      }
    }
    text += char;
    i += 1;
  }
  if (text.length > 0) parts.push({ kind: 'text', text });
  return parts;
}

/** Finds a placeholder that is (or is inside) an object key: the next token after it is `:`. */
function findPlaceholderUsedAsKey(parts: readonly TemplatePart[]): string | undefined {
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index];
    if (part?.kind !== 'placeholder') continue;
    // Text after the placeholder, up to the end of the string literal when it sits in one.
    let after = '';
    for (const next of parts.slice(index + 1)) {
      if (next.kind === 'text') after += next.text;
      else if (!part.inString) break;
    }
    const rest = part.inString ? after.slice(closingQuoteIndex(after) + 1) : after;
    if (rest.trimStart().startsWith(':')) return part.name;
  }
  return undefined;
}

function closingQuoteIndex(text: string): number {
  for (let i = 0; i < text.length; i += 1) {
    if (text.charAt(i) === '\\') i += 1;
    else if (text.charAt(i) === '"') return i;
  }
  return text.length;
}

/**
 * Computes what a target receives for one event.
 *
 * @example
 * ```ts
 * renderTargetInput(plan, envelope, { ruleName, ruleArn, ingestionTime: new Date().toISOString() });
 * ```
 */
export function renderTargetInput(
  plan: TargetInputPlan,
  envelope: EventEnvelope,
  context: RenderContext,
): RenderedInput {
  switch (plan.kind) {
    case 'event':
      return { input: envelope };
    case 'constant':
      return { input: plan.value };
    case 'path': {
      const result = evaluateJsonPath(plan.segments, envelope);
      return result.found
        ? { input: result.value }
        : { input: null, warning: 'InputPath matched nothing in the event; the target receives null' };
    }
    case 'transform':
      return renderTemplate(plan, envelope, context);
    default: {
      const unhandled: never = plan;
      throw new Error(`Unhandled input plan ${JSON.stringify(unhandled)}`);
    }
  }
}

function renderTemplate(
  plan: Extract<TargetInputPlan, { kind: 'transform' }>,
  envelope: EventEnvelope,
  context: RenderContext,
): RenderedInput {
  let text = '';
  for (const part of plan.parts) {
    if (part.kind === 'text') {
      text += part.text;
      continue;
    }
    const value = variableValue(part.name, plan.variables, envelope, context);
    text += placeValue(value, part.inString, plan.jsonMode);
  }
  try {
    return { input: JSON.parse(text) as unknown };
  } catch {
    return plan.jsonMode
      ? { input: text, warning: 'InputTemplate did not produce valid JSON; the target receives it as a string' }
      : { input: text };
  }
}

function variableValue(
  name: string,
  variables: ReadonlyMap<string, readonly JsonPathSegment[]>,
  envelope: EventEnvelope,
  context: RenderContext,
): { found: true; value: unknown } | { found: false } {
  const segments = variables.get(name);
  if (segments !== undefined) {
    return evaluateJsonPath(segments, envelope);
  }
  const reserved = name as ReservedVariable;
  switch (reserved) {
    case 'aws.events.rule-arn':
      return { found: true, value: context.ruleArn };
    case 'aws.events.rule-name':
      return { found: true, value: context.ruleName };
    case 'aws.events.event.ingestion-time':
      return { found: true, value: context.ingestionTime };
    case 'aws.events.event': {
      const { detail: _detail, ...withoutDetail } = envelope;
      return { found: true, value: withoutDetail };
    }
    case 'aws.events.event.json':
      return { found: true, value: envelope };
    default: {
      const unhandled: never = reserved;
      throw new Error(`Unknown template variable ${String(unhandled)}`);
    }
  }
}

/**
 * Writes a value into the template: inside a JSON string as escaped text; as a JSON value
 * where the template is JSON; as plain text in a plain-text template. A variable whose path
 * matched nothing becomes `null` as a JSON value and nothing inside text.
 */
function placeValue(
  value: { found: true; value: unknown } | { found: false },
  inString: boolean,
  jsonMode: boolean,
): string {
  if (!value.found) {
    return jsonMode && !inString ? 'null' : '';
  }
  const asText = typeof value.value === 'string' ? value.value : JSON.stringify(value.value);
  if (!jsonMode) {
    return asText;
  }
  return inString ? JSON.stringify(asText).slice(1, -1) : JSON.stringify(value.value);
}
