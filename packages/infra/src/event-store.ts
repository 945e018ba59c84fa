/**
 * An event store is append-only and only its aggregate appends to it: its table's resource policy
 * denies every change to a stored item to every principal, and new items to all but the
 * aggregate's event handler. IAM grants decide who may do what; this is what holds when a grant
 * somewhere is too broad (an administrator's, another service's).
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Item changes no principal may make to an event store. */
export const EVENT_STORE_CHANGES = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;

/** How new items are written; only the appender may. */
export const EVENT_STORE_APPENDS = ['dynamodb:PutItem', 'dynamodb:PartiQLInsert'] as const;

/**
 * Adds the two denials to the table's resource policy.
 *
 * @example
 * protectEventStore(this.table, this.eventHandler.role!);
 */
export function protectEventStore(table: dynamodb.Table, appender: iam.IRole): void {
  table.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AppendOnly',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...EVENT_STORE_CHANGES],
      resources: ['*'],
    }),
  );
  table.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheAggregateAppends',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...EVENT_STORE_APPENDS],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': appender.roleArn } },
    }),
  );
}
