/**
 * DynamoDB tables: every `AWS::DynamoDB::Table` of the templates, created in dynalite unless it
 * exists already (a restart with a data folder keeps the data).
 */
import { ensureTables, tablePropsToCreateTableInput } from '../dynamodb';
import type { LocalStack } from './stacks';

export async function createTables(stacks: readonly LocalStack[], dynamoEndpoint: string): Promise<void> {
  for (const { ctx } of stacks) {
    const tables = ctx
      .resourcesOfType('AWS::DynamoDB::Table')
      .map((id) => tablePropsToCreateTableInput(ctx.resolveProperties(id), String(ctx.ref(id))));
    await ensureTables(dynamoEndpoint, tables);
  }
}
