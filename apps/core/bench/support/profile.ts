/**
 * Where a bundle's time goes: a V8 CPU profile (`.cpuprofile`) summarised per package, by mapping each
 * sampled frame's position in the bundle through the bundle's source map to the file it came from.
 * A sample in Node's own code is charged to the nearest bundle frame that called it (the package that
 * asked for it); samples with no bundle frame above them are named by what Node was doing (compiling
 * the bundle, loading a built-in module, collecting garbage).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A decoded source map: for each generated line, its segments as [column, source index], by column. */
export interface BundleMap {
  readonly sources: string[];
  readonly lines: [number, number][][];
}

export function readBundleMap(mapFile: string): BundleMap {
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string };
  let source = 0;
  const lines = map.mappings.split(';').map((line) => {
    const segments: [number, number][] = [];
    let column = 0;
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const fields = decodeVlq(segment);
      column += fields[0] ?? 0;
      if (fields.length >= 4) {
        source += fields[1] ?? 0;
        segments.push([column, source]);
      }
    }
    return segments;
  });
  return { sources: map.sources, lines };
}

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let shift = 0;
  let value = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** The package a source file belongs to: `@smithy/core`, `@core/runtime`. */
export function packageOf(source: string): string {
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(source);
  if (dependency?.[1] !== undefined) return dependency[1];
  const workspace = /packages\/([^/]+)\//.exec(source);
  return workspace?.[1] === undefined ? source : `@core/${workspace[1]}`;
}

/** The package at a 0-based line and column of the bundle, or undefined outside every mapping (the banner). */
export function packageAt(map: BundleMap, line: number, column: number): string | undefined {
  const segments = map.lines[line] ?? [];
  let low = 0;
  let high = segments.length - 1;
  let found: [number, number] | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const segment = segments[middle] as [number, number];
    if (segment[0] <= column) {
      found = segment;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found === undefined ? undefined : packageOf(map.sources[found[1]] ?? '');
}

/** Bytes of the bundle per package, from the generated ranges of the source map. */
export function bytesPerPackage(map: BundleMap, code: string): Map<string, number> {
  const bytes = new Map<string, number>();
  code.split('\n').forEach((text, line) => {
    const segments = map.lines[line] ?? [];
    segments.forEach(([column, source], index) => {
      const end = segments[index + 1]?.[0] ?? text.length;
      const name = packageOf(map.sources[source] ?? '');
      bytes.set(name, (bytes.get(name) ?? 0) + Buffer.byteLength(text.slice(column, end)));
    });
  });
  return bytes;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  readonly children?: number[];
}

export interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** What Node does when no bundle frame is on the stack, by the frame that names it. */
const NODE_WORK: [RegExp, string][] = [
  [/^(compileSourceTextModule|wrapSafe)$/, 'V8: compiling the bundle'],
  [/^(compileForInternalLoader|compileForPublicLoader|requireBuiltin|getESMFacade)$/, 'Node: loading built-in modules'],
  [/^\(garbage collector\)$/, 'V8: garbage collection'],
  [/^\(idle\)$/, 'waiting for I/O'],
  [/^\(program\)$/, 'V8/Node native code'],
];

/** Names the owner of a frame (a package, or what Node was doing), or undefined to look at its caller. */
export type FrameOwner = (frame: ProfileNode['callFrame']) => string | undefined;

/** Frames of a bundle, by its source map; the bundle's top level is `bundle: module evaluation`. */
export function bundleFrames(bundle: string, map: BundleMap): FrameOwner {
  const url = pathToFileURL(bundle).href;
  return (frame) =>
    frame.url === url || frame.url === bundle
      ? (packageAt(map, frame.lineNumber, frame.columnNumber) ?? 'bundle: module evaluation')
      : undefined;
}

/** Frames of files on disk outside the bundles (dynalite, the transaction front, this harness), by their path. */
export const fileFrames: FrameOwner = (frame) => {
  if (/\/apps\/core\/bench\//.test(frame.url)) return 'benchmark harness (clients, bus, AppSync endpoint)';
  return /node_modules|packages\//.test(frame.url) ? packageOf(frame.url) : undefined;
};

/** What Node was doing, for frames that no other owner claims. */
export const nodeFrames: FrameOwner = (frame) => NODE_WORK.find(([pattern]) => pattern.test(frame.functionName))?.[1];

/**
 * Milliseconds per owner: for each sample, the first frame from the top of its stack that an owner
 * claims; Node's event-loop work when none does.
 */
export function attribute(profile: CpuProfile, owners: FrameOwner[]): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const ownerOf = new Map<number, string>();
  const owner = (id: number): string => {
    const known = ownerOf.get(id);
    if (known !== undefined) return known;
    let found: string | undefined;
    for (let at: number | undefined = id; at !== undefined && found === undefined; at = parent.get(at)) {
      const frame = (byId.get(at) as ProfileNode).callFrame;
      for (const claim of owners) found ??= claim(frame);
    }
    const result = found ?? 'Node: its own JavaScript (module loader, sockets, HTTP, timers)';
    ownerOf.set(id, result);
    return result;
  };
  const millis = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const name = owner(id);
    millis.set(name, (millis.get(name) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return millis;
}
