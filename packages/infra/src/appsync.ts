/**
 * The AppSync rules every aggregate follows: what a Lambda data source may invoke, and how an
 * internal notification mutation passes its input through to the subscriptions.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Acknowledges cdk-nag's `AwsSolutions-IAM5` on a Lambda data source's role: CDK grants it its one
 * function and that function's versions and aliases (`<arn>:*`), nothing else.
 *
 * @example
 * const commands = api.addLambdaDataSource('ReservationCommands', commandHandler);
 * acknowledgeInvokeVersions(commands, commandHandler);
 */
export function acknowledgeInvokeVersions(dataSource: appsync.LambdaDataSource, fn: lambda.IFunction): void {
  const logicalId = Stack.of(fn).getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
  Validations.of(dataSource).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
    reason: 'AppSync may invoke this one function, including its versions and aliases; nothing else.',
  });
}

/**
 * The mapping templates of a notification mutation on a NONE data source: the request returns the
 * mutation's `input` as its result, which AppSync then sends to every matching subscription.
 *
 * @example
 * notifications.createResolver('ReservationSaved', {
 *   typeName: 'Mutation',
 *   fieldName: 'reservationSaved',
 *   ...passThroughTemplates(),
 * });
 */
export function passThroughTemplates(): Pick<
  appsync.BaseResolverProps,
  'requestMappingTemplate' | 'responseMappingTemplate'
> {
  return {
    requestMappingTemplate: appsync.MappingTemplate.fromString(
      '{"version": "2018-05-29", "payload": $util.toJson($context.arguments.input)}',
    ),
    responseMappingTemplate: appsync.MappingTemplate.fromString('$util.toJson($context.result)'),
  };
}
