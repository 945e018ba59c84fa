/**
 * Reading a CDK cloud assembly (`cdk.out`): the stacks, their templates, and where each asset's files
 * are on disk.
 *
 * Layout (cloud-assembly schema as written by aws-cdk-lib 2.x):
 * - `manifest.json` lists artifacts. `aws:cloudformation:stack` artifacts name their `templateFile`
 *   (and `stackName` when it differs from the artifact id); `cdk:asset-manifest` artifacts name a
 *   `*.assets.json`; `cdk:cloud-assembly` artifacts (one per CDK `Stage`) name a nested `directoryName`
 *   with its own `manifest.json`.
 * - An asset manifest maps each asset hash to `source.path` (relative to its assembly's directory;
 *   `../asset.<hash>` in a nested assembly) and to the S3 `objectKey` (`<hash>.zip`) it would be
 *   uploaded to.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CloudAssemblyError } from './errors';
import { parseTemplate, type CloudFormationTemplate, type TemplateResource } from './template';

/** A stack found in a cloud assembly. */
export interface AssemblyStack {
  /** The artifact id in `manifest.json` (for example `Core` or `ProdEdge216B1454`). */
  readonly artifactId: string;
  /** The CloudFormation stack name (`properties.stackName`, else the artifact id). */
  readonly stackName: string;
  /** The construct path shown by the CDK (`Prod/Edge`). */
  readonly displayName: string;
  /** Account and region from the artifact's `environment`, when they are concrete. */
  readonly environment: { readonly account?: string; readonly region?: string };
  /** Artifact ids of the stacks this one depends on (asset manifests left out). */
  readonly dependencies: readonly string[];
  /** The directory of the (possibly nested) assembly holding this stack; asset paths are relative to it. */
  readonly assemblyDir: string;
  readonly templatePath: string;
  readonly template: CloudFormationTemplate;
  /**
   * The absolute path of an asset's files, found by asset hash, by S3 object key (`<hash>.zip`), or by
   * `asset.<hash>` path.
   * @throws CloudAssemblyError `ASSET_NOT_FOUND`
   */
  assetDir(hashOrKey: string): string;
}

/** What {@link loadCloudAssembly} returns. */
export interface CloudAssembly {
  readonly dir: string;
  /** Every stack, nested assemblies included, in manifest order; see `dependencies` for deployment order. */
  readonly stacks: readonly AssemblyStack[];
}

type JsonObject = Record<string, unknown>;

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readJson(
  path: string,
  missingCode: 'MANIFEST_NOT_FOUND' | 'TEMPLATE_NOT_FOUND' | 'INVALID_ASSEMBLY',
): unknown {
  if (!existsSync(path)) {
    throw new CloudAssemblyError(
      `${path} does not exist${missingCode === 'MANIFEST_NOT_FOUND' ? ' (run `cdk synth` first?)' : ''}`,
      {
        code: missingCode,
        path,
      },
    );
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (cause) {
    throw new CloudAssemblyError(`${path} is not valid JSON`, { code: 'INVALID_ASSEMBLY', path, cause });
  }
}

function stringProperty(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

/** `aws://123456789012/eu-west-1` → its parts; `unknown-account`/`unknown-region` are left out. */
function parseEnvironment(value: unknown): { account?: string; region?: string } {
  const match = typeof value === 'string' ? /^aws:\/\/([^/]+)\/(.+)$/.exec(value) : null;
  if (!match) return {};
  const [, account, region] = match;
  return {
    ...(account && account !== 'unknown-account' ? { account } : {}),
    ...(region && region !== 'unknown-region' ? { region } : {}),
  };
}

/** Asset lookups for one assembly directory: by hash and by S3 object key. */
interface AssetIndex {
  readonly byHash: Map<string, string>;
  readonly byObjectKey: Map<string, string>;
}

function readAssetManifest(assemblyDir: string, file: string, index: AssetIndex): void {
  const path = join(assemblyDir, file);
  const manifest = readJson(path, 'INVALID_ASSEMBLY');
  const files = isRecord(manifest) && isRecord(manifest['files']) ? manifest['files'] : {};
  for (const [hash, entry] of Object.entries(files)) {
    if (!isRecord(entry) || !isRecord(entry['source'])) continue;
    const sourcePath = stringProperty(entry['source'], 'path');
    if (sourcePath === undefined) continue;
    const absolute = resolve(assemblyDir, sourcePath);
    index.byHash.set(hash, absolute);
    const destinations = isRecord(entry['destinations']) ? Object.values(entry['destinations']) : [];
    for (const destination of destinations) {
      const key = isRecord(destination) ? stringProperty(destination, 'objectKey') : undefined;
      if (key !== undefined) index.byObjectKey.set(key, absolute);
    }
  }
}

function assetLookup(assemblyDir: string, index: AssetIndex): (hashOrKey: string) => string {
  return (hashOrKey) => {
    const bare = hashOrKey.replace(/^.*asset\./, '').replace(/\.zip$/, '');
    const candidates = [
      index.byObjectKey.get(hashOrKey),
      index.byHash.get(hashOrKey),
      index.byHash.get(bare),
      resolve(assemblyDir, `asset.${bare}`),
      resolve(assemblyDir, '..', `asset.${bare}`),
    ];
    for (const candidate of candidates) if (candidate !== undefined && existsSync(candidate)) return candidate;
    throw new CloudAssemblyError(`no asset ${hashOrKey} in ${assemblyDir}`, {
      code: 'ASSET_NOT_FOUND',
      path: assemblyDir,
    });
  };
}

function loadAssembly(assemblyDir: string, stacks: AssemblyStack[], seen: Set<string>): void {
  if (seen.has(assemblyDir)) return;
  seen.add(assemblyDir);
  const manifestPath = join(assemblyDir, 'manifest.json');
  const manifest = readJson(manifestPath, 'MANIFEST_NOT_FOUND');
  if (!isRecord(manifest) || !isRecord(manifest['artifacts'])) {
    throw new CloudAssemblyError(`${manifestPath} has no artifacts`, { code: 'INVALID_ASSEMBLY', path: manifestPath });
  }
  const artifacts = Object.entries(manifest['artifacts']).filter((entry): entry is [string, JsonObject] =>
    isRecord(entry[1]),
  );
  const index: AssetIndex = { byHash: new Map(), byObjectKey: new Map() };
  const assetManifestIds = new Set<string>();
  for (const [id, artifact] of artifacts) {
    const properties = isRecord(artifact['properties']) ? artifact['properties'] : {};
    const file = stringProperty(properties, 'file');
    if (artifact['type'] === 'cdk:asset-manifest' && file !== undefined) {
      assetManifestIds.add(id);
      readAssetManifest(assemblyDir, file, index);
    }
  }
  const assetDir = assetLookup(assemblyDir, index);
  for (const [id, artifact] of artifacts) {
    const properties = isRecord(artifact['properties']) ? artifact['properties'] : {};
    if (artifact['type'] === 'cdk:cloud-assembly') {
      const directoryName = stringProperty(properties, 'directoryName');
      if (directoryName !== undefined) loadAssembly(resolve(assemblyDir, directoryName), stacks, seen);
      continue;
    }
    if (artifact['type'] !== 'aws:cloudformation:stack') continue;
    const templateFile = stringProperty(properties, 'templateFile');
    if (templateFile === undefined) {
      throw new CloudAssemblyError(`stack ${id} in ${manifestPath} has no templateFile`, {
        code: 'INVALID_ASSEMBLY',
        path: manifestPath,
      });
    }
    const templatePath = resolve(assemblyDir, templateFile);
    const dependencies = Array.isArray(artifact['dependencies'])
      ? artifact['dependencies'].filter((dep): dep is string => typeof dep === 'string' && !assetManifestIds.has(dep))
      : [];
    stacks.push({
      artifactId: id,
      stackName: stringProperty(properties, 'stackName') ?? id,
      displayName: stringProperty(artifact, 'displayName') ?? id,
      environment: parseEnvironment(artifact['environment']),
      dependencies,
      assemblyDir,
      templatePath,
      template: parseTemplate(readJson(templatePath, 'TEMPLATE_NOT_FOUND'), templatePath),
      assetDir,
    });
  }
}

/**
 * Reads a cloud assembly directory (usually `cdk.out`), nested stage assemblies included.
 *
 * @throws CloudAssemblyError `MANIFEST_NOT_FOUND`, `TEMPLATE_NOT_FOUND` or `INVALID_ASSEMBLY`.
 *
 * @example
 * const { stacks } = loadCloudAssembly('apps/core/cdk.out');
 * for (const stack of stacks) console.log(stack.stackName, Object.keys(stack.template.Resources ?? {}).length);
 */
export function loadCloudAssembly(dir: string): CloudAssembly {
  const absolute = resolve(dir);
  const stacks: AssemblyStack[] = [];
  loadAssembly(absolute, stacks, new Set());
  return { dir: absolute, stacks };
}

/**
 * The folder holding a Lambda function's code, for an `AWS::Lambda::Function` synthesized from a local
 * asset (`NodejsFunction`, `lambda.Code.fromAsset`). Uses the resource's `aws:asset:path` metadata
 * (written when the CDK CLI synthesizes, `aws:cdk:enable-asset-metadata`), else the `Code.S3Key`
 * (`<hash>.zip`) looked up in the assembly's asset manifests.
 *
 * `assemblyDir` is the directory of the assembly that holds the stack (`AssemblyStack.assemblyDir`).
 *
 * @throws CloudAssemblyError `FUNCTION_CODE_NOT_LOCAL` for inline code, container images or an S3 object
 * that is not an asset of the assembly; `ASSET_NOT_FOUND` when the asset folder is missing.
 *
 * @example
 * const stack = loadCloudAssembly('cdk.out').stacks[0]!;
 * const dir = functionAssetPath(stack.assemblyDir, stack.template.Resources!['Handler886CB40B']!, 'Handler886CB40B');
 * // '/…/cdk.out/asset.2d2188de…' containing index.js
 */
export function functionAssetPath(assemblyDir: string, resource: TemplateResource, logicalId = 'the function'): string {
  const metadata = resource.Metadata ?? {};
  const assetPath = metadata['aws:asset:path'];
  const assetProperty = metadata['aws:asset:property'];
  let candidate: string | undefined;
  if (typeof assetPath === 'string' && (assetProperty === undefined || assetProperty === 'Code')) {
    candidate = resolve(assemblyDir, assetPath);
  } else {
    const code = resource.Properties?.['Code'];
    const key = isRecord(code) ? code['S3Key'] : undefined;
    if (typeof key !== 'string') {
      const kind =
        isRecord(code) && 'ZipFile' in code
          ? 'inline ZipFile code'
          : isRecord(code) && 'ImageUri' in code
            ? 'a container image'
            : 'no local asset';
      throw new CloudAssemblyError(`${logicalId} has ${kind}; only folder assets can run locally`, {
        code: 'FUNCTION_CODE_NOT_LOCAL',
        path: assemblyDir,
      });
    }
    const index: AssetIndex = { byHash: new Map(), byObjectKey: new Map() };
    try {
      candidate = assetLookup(assemblyDir, index)(key);
    } catch (cause) {
      throw new CloudAssemblyError(
        `${logicalId}: Code.S3Key ${key} is not an asset of the assembly in ${assemblyDir}`,
        {
          code: 'FUNCTION_CODE_NOT_LOCAL',
          path: assemblyDir,
          cause,
        },
      );
    }
  }
  if (!existsSync(candidate)) {
    throw new CloudAssemblyError(`${logicalId}: asset folder ${candidate} does not exist`, {
      code: 'ASSET_NOT_FOUND',
      path: candidate,
    });
  }
  if (!statSync(candidate).isDirectory()) {
    throw new CloudAssemblyError(
      `${logicalId}: asset ${candidate} is a file, not a folder (zip archives are not unpacked locally)`,
      {
        code: 'FUNCTION_CODE_NOT_LOCAL',
        path: candidate,
      },
    );
  }
  return candidate;
}
