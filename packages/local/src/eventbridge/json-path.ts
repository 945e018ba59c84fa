/**
 * The JSONPath subset EventBridge supports in `InputPath` and `InputPathsMap`: `$`, dot
 * notation with names made of letters, digits, dashes, underscores and forward slashes,
 * array indices (`[0]`) and wildcards (`.*`, `[*]`). Pure functions, no I/O.
 */

/** One step of a parsed path. */
export type JsonPathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

/** A parsed path, or why it can't be parsed. */
export type ParsedJsonPath =
  | { readonly ok: true; readonly segments: readonly JsonPathSegment[] }
  | { readonly ok: false; readonly problem: string };

const NAME = /^[A-Za-z0-9_\-/]+/;
const BRACKET = /^\[(\d+|\*)\]/;

/**
 * Parses a path of the supported subset.
 *
 * @example
 * ```ts
 * parseJsonPath('$.detail.items[0].sku'); // { ok: true, segments: [key detail, key items, index 0, key sku] }
 * parseJsonPath("$['detail']");           // { ok: false, problem: '…bracket notation…' }
 * ```
 */
export function parseJsonPath(path: string): ParsedJsonPath {
  if (!path.startsWith('$')) {
    return { ok: false, problem: `"${path}" must start with "$"` };
  }
  const segments: JsonPathSegment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      rest = rest.slice(1);
      if (rest.startsWith('*')) {
        segments.push({ kind: 'wildcard' });
        rest = rest.slice(1);
        continue;
      }
      const name = NAME.exec(rest);
      if (name === null) {
        return { ok: false, problem: `"${path}": expected a name after "." (letters, digits, "-", "_", "/")` };
      }
      segments.push({ kind: 'key', key: name[0] });
      rest = rest.slice(name[0].length);
      continue;
    }
    const bracket = BRACKET.exec(rest);
    if (bracket !== null && bracket[1] !== undefined) {
      segments.push(bracket[1] === '*' ? { kind: 'wildcard' } : { kind: 'index', index: Number(bracket[1]) });
      rest = rest.slice(bracket[0].length);
      continue;
    }
    return {
      ok: false,
      problem: `"${path}": unsupported syntax at "${rest}" (EventBridge supports dot notation, [index] and *; no bracket notation for names, no filters)`,
    };
  }
  return { ok: true, segments };
}

/** The value a path points at, or `found: false` when the event has nothing there. */
export type JsonPathResult = { readonly found: true; readonly value: unknown } | { readonly found: false };

/**
 * Reads the value at a parsed path. A path with a wildcard yields the array of every
 * value it reaches (possibly empty).
 *
 * @example
 * ```ts
 * const path = parseJsonPath('$.detail.items[*].sku');
 * if (path.ok) evaluateJsonPath(path.segments, event); // { found: true, value: ['a', 'b'] }
 * ```
 */
export function evaluateJsonPath(segments: readonly JsonPathSegment[], root: unknown): JsonPathResult {
  const hasWildcard = segments.some((s) => s.kind === 'wildcard');
  let current: unknown[] = [root];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      next.push(...step(segment, value));
    }
    current = next;
  }
  if (hasWildcard) {
    return { found: true, value: current };
  }
  return current.length === 0 ? { found: false } : { found: true, value: current[0] };
}

function step(segment: JsonPathSegment, value: unknown): unknown[] {
  switch (segment.kind) {
    case 'wildcard':
      if (Array.isArray(value)) return value;
      if (isObject(value)) return Object.values(value);
      return [];
    case 'index':
      return Array.isArray(value) && segment.index < value.length ? [value[segment.index]] : [];
    case 'key':
      if (Array.isArray(value) && /^\d+$/.test(segment.key)) {
        const index = Number(segment.key);
        return index < value.length ? [value[index]] : [];
      }
      return isObject(value) && Object.prototype.hasOwnProperty.call(value, segment.key) ? [value[segment.key]] : [];
    default: {
      const unhandled: never = segment;
      throw new Error(`Unhandled JSONPath segment ${JSON.stringify(unhandled)}`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
