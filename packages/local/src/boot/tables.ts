/**
 * DynamoDB tables: every `AWS::DynamoDB::Table` of the templates, created in dynalite unless it
 * exists already (a restart with a data folder keeps the data).
 */
import { ensureTables, tablePropsToCreateTableInput } from '../dynamodb';
import type { LocalStack } from './stacks';

/** Creates the tables; answers their names by construct path (`Reservation/Events`). */
export async function createTables(
  stacks: readonly LocalStack[],
  dynamoEndpoint: string,
): Promise<ReadonlyMap<string, string>> {
  const names = new Map<string, string>();
  for (const { stack, ctx } of stacks) {
    const ids = ctx.resourcesOfType('AWS::DynamoDB::Table');
    const tables = ids.map((id) => tablePropsToCreateTableInput(ctx.resolveProperties(id), String(ctx.ref(id))));
    await ensureTables(dynamoEndpoint, tables);
    for (const id of ids) {
      const cdkPath = String(stack.template.Resources?.[id]?.Metadata?.['aws:cdk:path'] ?? `${stack.stackName}/${id}`);
      names.set(cdkPath.split('/').slice(1, -1).join('/') || id, String(ctx.ref(id)));
    }
  }
  return names;
}
