/**
 * Everything the local boot needs to evaluate one stack's template: an {@link IntrinsicContext} whose
 * `Ref`/`Fn::GetAtt` answers come from the physical-id rules, plus helpers to resolve a resource's
 * properties and to tell whether a resource is created at all (its `Condition`).
 */
import { IntrinsicError } from '../errors';
import { evaluateCondition, resolveIntrinsics, stackIdFor, type IntrinsicContext } from './intrinsics';
import { physicalResource, type LocalEndpoints, type PhysicalResource } from './physical-ids';
import { parameterValues, type CloudFormationTemplate, type TemplateResource } from './template';

/** Options for {@link createStackContext}. */
export interface StackContextOptions {
  readonly template: CloudFormationTemplate;
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  /** Parameter values that replace the template's defaults. @default the defaults */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Local endpoints and API keys that show up in resource values. @default AWS-shaped URLs, hashed API keys */
  readonly endpoints?: LocalEndpoints;
}

/** An {@link IntrinsicContext} for one stack, with helpers built on it. */
export interface StackContext extends IntrinsicContext {
  readonly template: CloudFormationTemplate;
  /** Evaluates intrinsics in `value`; `where` names its place in the template for errors. */
  resolve(value: unknown, where?: string): unknown;
  /** A resource's `Properties` with every intrinsic evaluated (and `AWS::NoValue` removed). */
  resolveProperties(logicalId: string): Record<string, unknown>;
  /** The resource's `Ref` and attributes, or `undefined` if its type is not modelled or it is not created. */
  physicalResource(logicalId: string): PhysicalResource | undefined;
  /** False when the resource has a `Condition` that evaluates to false. */
  isCreated(logicalId: string): boolean;
  /** Logical ids of created resources of `type`, in template order. */
  resourcesOfType(type: string): string[];
}

/**
 * Builds the evaluation context for one stack.
 *
 * @example
 * const stack = createStackContext({ template, stackName: 'Core', region: 'eu-west-1', accountId: '000000000000',
 *   endpoints: { sqs: 'http://127.0.0.1:9324', appSync: 'http://127.0.0.1:4000' } });
 * stack.resolve({ 'Fn::GetAtt': ['EventsD32975C2', 'Arn'] }); // 'arn:aws:dynamodb:eu-west-1:000000000000:table/Core-EventsD32975C2-…'
 * const env = stack.resolveProperties('Handler886CB40B')['Environment'];
 */
export function createStackContext(options: StackContextOptions): StackContext {
  const { template, stackName, region, accountId } = options;
  const resources: Readonly<Record<string, TemplateResource>> = template.Resources ?? {};
  const endpoints = options.endpoints ?? {};
  const physical = new Map<string, PhysicalResource | undefined>();
  const inProgress: string[] = [];
  const created = new Map<string, boolean>();

  const context: StackContext = {
    template,
    region,
    accountId,
    stackName,
    stackId: stackIdFor(region, accountId, stackName),
    conditions: template.Conditions ?? {},
    mappings: template.Mappings ?? {},
    parameters: parameterValues(template, options.parameters),
    ref: (logicalId) => context.physicalResource(logicalId)?.ref,
    getAtt: (logicalId, attribute) => context.physicalResource(logicalId)?.attributes[attribute],
    describe: (logicalId) => resources[logicalId]?.Type,
    resolve: (value, where = '$') => resolveIntrinsics(value, context, where),
    resolveProperties(logicalId) {
      const resource = resources[logicalId];
      const resolved =
        resource?.Properties === undefined
          ? {}
          : context.resolve(resource.Properties, `Resources.${logicalId}.Properties`);
      return typeof resolved === 'object' && resolved !== null && !Array.isArray(resolved) ? { ...resolved } : {};
    },
    isCreated(logicalId) {
      const known = created.get(logicalId);
      if (known !== undefined) return known;
      const resource = resources[logicalId];
      const value =
        resource !== undefined &&
        (resource.Condition === undefined ||
          evaluateCondition(resource.Condition, context, `Resources.${logicalId}.Condition`));
      created.set(logicalId, value);
      return value;
    },
    resourcesOfType: (type) =>
      Object.keys(resources).filter((id) => resources[id]?.Type === type && context.isCreated(id)),
    physicalResource(logicalId) {
      if (physical.has(logicalId)) return physical.get(logicalId);
      const resource = resources[logicalId];
      if (resource === undefined || !context.isCreated(logicalId)) return undefined;
      if (inProgress.includes(logicalId)) {
        throw new IntrinsicError(
          'CIRCULAR_REFERENCE',
          `circular reference while computing the physical id of ${logicalId}: ${[...inProgress, logicalId].join(' → ')}`,
          { where: `Resources.${logicalId}`, logicalId },
        );
      }
      inProgress.push(logicalId);
      try {
        const value = physicalResource(resource.Type, {
          logicalId,
          stackName,
          region,
          accountId,
          endpoints,
          prop: (name) => context.resolve(resource.Properties?.[name], `Resources.${logicalId}.Properties.${name}`),
        });
        physical.set(logicalId, value);
        return value;
      } finally {
        inProgress.pop();
      }
    },
  };
  return context;
}
