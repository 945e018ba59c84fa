/**
 * CloudFormation for the local runtime: reading `cdk.out`, evaluating intrinsics, computing the
 * physical names and ARNs CloudFormation would assign, and collecting the template's IAM policies.
 */
export { parameterValues, parseTemplate } from './template';
export type { CloudFormationTemplate, TemplateMappings, TemplateParameter, TemplateResource } from './template';
export { evaluateCondition, partitionOf, resolveIntrinsics, stackIdFor } from './intrinsics';
export type { IntrinsicContext } from './intrinsics';
export { generatedName } from './naming';
export type { GeneratedNameOptions } from './naming';
export {
  MODELLED_RESOURCE_TYPES,
  appSyncApiArn,
  dynamoDbTableArn,
  eventBusArn,
  eventBusNameOf,
  eventRuleArn,
  iamRoleArn,
  lambdaFunctionArn,
  physicalResource,
  sqsQueueArn,
  sqsQueueUrl,
  stateMachineArn,
} from './physical-ids';
export type { LocalEndpoints, PhysicalIdInput, PhysicalResource } from './physical-ids';
export { createStackContext } from './stack-context';
export type { StackContext, StackContextOptions } from './stack-context';
export { collectResourcePolicies, collectRolePolicies } from './iam';
export type { RolePolicies } from './iam';
export { functionAssetPath, loadCloudAssembly } from './assembly';
export type { AssemblyStack, CloudAssembly } from './assembly';
