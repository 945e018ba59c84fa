/**
 * The parts of a CloudFormation template the local runtime reads, and a light shape check.
 */
import { CloudAssemblyError } from '../errors';

/** A resource in a template's `Resources` section. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  /** Name of a condition; when it is false the resource is not created. */
  readonly Condition?: string;
  readonly DependsOn?: string | readonly string[];
}

/** A template parameter; only `Type` and `Default` matter locally. */
export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: unknown;
}

/** `Mappings`: map name → top-level key → second-level key → value. */
export type TemplateMappings = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;

/** A CloudFormation template as synthesized by the CDK (JSON). */
export interface CloudFormationTemplate {
  readonly Resources?: Readonly<Record<string, TemplateResource>>;
  readonly Parameters?: Readonly<Record<string, TemplateParameter>>;
  readonly Conditions?: Readonly<Record<string, unknown>>;
  readonly Mappings?: TemplateMappings;
  readonly Outputs?: Readonly<Record<string, unknown>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that `value` looks like a CloudFormation template (sections are objects, every resource has a
 * `Type`) and returns it typed. `source` names the file in the error.
 *
 * @example
 * const template = parseTemplate(JSON.parse(fs.readFileSync(file, 'utf8')), file);
 */
export function parseTemplate(value: unknown, source: string): CloudFormationTemplate {
  const fail = (what: string): never => {
    throw new CloudAssemblyError('INVALID_ASSEMBLY', `${source} is not a CloudFormation template: ${what}`, {
      path: source,
    });
  };
  if (!isRecord(value)) return fail('the top level is not an object');
  for (const section of ['Resources', 'Parameters', 'Conditions', 'Mappings', 'Outputs']) {
    if (value[section] !== undefined && !isRecord(value[section])) fail(`${section} is not an object`);
  }
  const resources = value['Resources'];
  if (isRecord(resources)) {
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (!isRecord(resource) || typeof resource['Type'] !== 'string') fail(`resource ${logicalId} has no Type`);
      else if (resource['Properties'] !== undefined && !isRecord(resource['Properties']))
        fail(`resource ${logicalId} has Properties that are not an object`);
    }
  }
  return value as CloudFormationTemplate;
}

/**
 * Parameter values for a stack: each parameter's `Default`, replaced by `overrides` where given.
 * `CommaDelimitedList` and `List<…>` parameters become arrays, as `Ref` returns them.
 *
 * @example
 * parameterValues(template, { Stage: 'local' }); // { Stage: 'local', BootstrapVersion: '/cdk-bootstrap/…' }
 */
export function parameterValues(
  template: CloudFormationTemplate,
  overrides: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    const raw = name in overrides ? overrides[name] : parameter.Default;
    if (raw === undefined) continue;
    const isList = parameter.Type === 'CommaDelimitedList' || parameter.Type.startsWith('List<');
    values[name] = isList && typeof raw === 'string' ? raw.split(',').map((item) => item.trim()) : raw;
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in values)) values[name] = value;
  }
  return values;
}
