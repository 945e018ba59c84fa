/**
 * Reading a CDK cloud assembly (`cdk.out`). The CDK's own reader (`aws-cdk-lib/cx-api`
 * `CloudAssembly`) reads and validates `manifest.json`, the nested assemblies of CDK `Stage`s, the
 * stacks' templates and the asset manifests. What it does not do is here: finding the folder of an
 * asset by hash, S3 object key or `asset.<hash>` path, and the folder of a Lambda function's code from
 * its template resource, so that the local core runs the bundle that deploys.
 */
import {
  AssetManifestArtifact,
  CloudAssembly as CdkCloudAssembly,
  CloudFormationStackArtifact,
  NestedCloudAssemblyArtifact,
  UNKNOWN_ACCOUNT,
  UNKNOWN_REGION,
} from 'aws-cdk-lib/cx-api';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CloudAssemblyError } from '../errors';
import { parseTemplate, type CloudFormationTemplate, type TemplateResource } from './template';

/** A stack found in a cloud assembly. */
export interface AssemblyStack {
  /** The artifact id in `manifest.json` (for example `Core` or `ProdEdge216B1454`). */
  readonly artifactId: string;
  /** The CloudFormation stack name. */
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
  const manifestPath = join(absolute, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new CloudAssemblyError('MANIFEST_NOT_FOUND', `${manifestPath} does not exist (run \`cdk synth\` first?)`, {
      path: manifestPath,
    });
  }
  let assembly: CdkCloudAssembly;
  try {
    // Manifest order, as the CDK wrote it: the stacks' own dependencies say the deployment order.
    assembly = new CdkCloudAssembly(absolute, { topoSort: false });
  } catch (cause) {
    throw new CloudAssemblyError('INVALID_ASSEMBLY', `${manifestPath} is not a cloud assembly: ${String(cause)}`, {
      path: manifestPath,
      cause,
    });
  }
  const stacks: AssemblyStack[] = [];
  collectStacks(assembly, stacks);
  return { dir: absolute, stacks };
}

/** Appends the stacks of an assembly and of its nested assemblies, in manifest order. */
function collectStacks(assembly: CdkCloudAssembly, stacks: AssemblyStack[]): void {
  const assetDir = assetLookup(assembly);
  for (const artifact of assembly.artifacts) {
    if (NestedCloudAssemblyArtifact.isNestedCloudAssemblyArtifact(artifact)) {
      collectStacks(artifact.nestedAssembly, stacks);
    } else if (CloudFormationStackArtifact.isCloudFormationStackArtifact(artifact)) {
      stacks.push(toStack(artifact, assetDir));
    }
  }
}

function toStack(artifact: CloudFormationStackArtifact, assetDir: (hashOrKey: string) => string): AssemblyStack {
  const templatePath = artifact.templateFullPath;
  if (!existsSync(templatePath)) {
    throw new CloudAssemblyError('TEMPLATE_NOT_FOUND', `${templatePath} does not exist`, { path: templatePath });
  }
  let template: unknown;
  try {
    template = artifact.template;
  } catch (cause) {
    throw new CloudAssemblyError('INVALID_ASSEMBLY', `${templatePath} is not valid JSON`, {
      path: templatePath,
      cause,
    });
  }
  const { account, region } = artifact.environment;
  return {
    artifactId: artifact.id,
    stackName: artifact.stackName,
    displayName: artifact.hierarchicalId,
    environment: {
      ...(account !== UNKNOWN_ACCOUNT ? { account } : {}),
      ...(region !== UNKNOWN_REGION ? { region } : {}),
    },
    dependencies: artifact.dependencies
      .filter((dependency) => !AssetManifestArtifact.isAssetManifestArtifact(dependency))
      .map((dependency) => dependency.id),
    assemblyDir: artifact.assembly.directory,
    templatePath,
    template: parseTemplate(template, templatePath),
    assetDir,
  };
}

/** Asset folders of one assembly, from its asset manifests: by hash and by S3 object key. */
function assetLookup(assembly: CdkCloudAssembly): (hashOrKey: string) => string {
  const byHash = new Map<string, string>();
  const byObjectKey = new Map<string, string>();
  for (const artifact of assembly.artifacts) {
    if (!AssetManifestArtifact.isAssetManifestArtifact(artifact)) continue;
    for (const [hash, entry] of Object.entries(artifact.contents.files ?? {})) {
      if (entry.source.path === undefined) continue;
      const folder = resolve(assembly.directory, entry.source.path);
      byHash.set(hash, folder);
      for (const destination of Object.values(entry.destinations)) byObjectKey.set(destination.objectKey, folder);
    }
  }
  return findAsset(assembly.directory, byHash, byObjectKey);
}

function findAsset(
  assemblyDir: string,
  byHash: ReadonlyMap<string, string> = new Map(),
  byObjectKey: ReadonlyMap<string, string> = new Map(),
): (hashOrKey: string) => string {
  return (hashOrKey) => {
    const bare = hashOrKey.replace(/^.*asset\./, '').replace(/\.zip$/, '');
    const candidates = [
      byObjectKey.get(hashOrKey),
      byHash.get(hashOrKey),
      byHash.get(bare),
      resolve(assemblyDir, `asset.${bare}`),
      resolve(assemblyDir, '..', `asset.${bare}`),
    ];
    for (const candidate of candidates) if (candidate !== undefined && existsSync(candidate)) return candidate;
    throw new CloudAssemblyError('ASSET_NOT_FOUND', `no asset ${hashOrKey} in ${assemblyDir}`, { path: assemblyDir });
  };
}

/**
 * The folder holding a Lambda function's code, for an `AWS::Lambda::Function` synthesized from a local
 * asset (`NodejsFunction`, `lambda.Code.fromAsset`). Uses the resource's `aws:asset:path` metadata
 * (written when the CDK CLI synthesizes, `aws:cdk:enable-asset-metadata`), else the `Code.S3Key`
 * (`<hash>.zip`) as an `asset.<hash>` folder of the assembly.
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
  const candidate = assetFolderOf(assemblyDir, resource, logicalId);
  if (!existsSync(candidate)) {
    throw new CloudAssemblyError('ASSET_NOT_FOUND', `${logicalId}: asset folder ${candidate} does not exist`, {
      path: candidate,
    });
  }
  if (!statSync(candidate).isDirectory()) {
    throw new CloudAssemblyError(
      'FUNCTION_CODE_NOT_LOCAL',
      `${logicalId}: asset ${candidate} is a file, not a folder (zip archives are not unpacked locally)`,
      { path: candidate },
    );
  }
  return candidate;
}

function assetFolderOf(assemblyDir: string, resource: TemplateResource, logicalId: string): string {
  const metadata = resource.Metadata ?? {};
  const assetPath = metadata['aws:asset:path'];
  const assetProperty = metadata['aws:asset:property'];
  if (typeof assetPath === 'string' && (assetProperty === undefined || assetProperty === 'Code')) {
    return resolve(assemblyDir, assetPath);
  }
  const code = resource.Properties?.['Code'];
  const key = isRecord(code) ? code['S3Key'] : undefined;
  if (typeof key !== 'string') {
    const kind =
      isRecord(code) && 'ZipFile' in code
        ? 'inline ZipFile code'
        : isRecord(code) && 'ImageUri' in code
          ? 'a container image'
          : 'no local asset';
    throw new CloudAssemblyError(
      'FUNCTION_CODE_NOT_LOCAL',
      `${logicalId} has ${kind}; only folder assets can run locally`,
      {
        path: assemblyDir,
      },
    );
  }
  try {
    return findAsset(assemblyDir)(key);
  } catch (cause) {
    throw new CloudAssemblyError(
      'FUNCTION_CODE_NOT_LOCAL',
      `${logicalId}: Code.S3Key ${key} is not an asset of the assembly in ${assemblyDir}`,
      { path: assemblyDir, cause },
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
