/**
 * An aggregate's event source on the shared bus is its own: its command handler may publish that
 * source (and only its detail types), and the bus refuses that source from every other principal.
 * The event handler stores what the bus delivers, so this is what keeps a forged commit out of the
 * event store.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';

export interface OwnEventSourceProps {
  /** The shared bus (an `EventBus` of this app: an imported bus has no resource policy). */
  readonly eventBus: events.EventBus;
  /** The aggregate's source: `core.reservation`. */
  readonly source: string;
  /** The detail types the publisher puts with it: `Commit`, `Renotify`. */
  readonly detailTypes: readonly string[];
  /** The role that publishes the source: the aggregate's command handler's. */
  readonly publisher: iam.IRole;
  /** The bus policy statement's id, unique on the bus: `ReservationSource`. */
  readonly statementId: string;
}

/**
 * Grants `events:PutEvents` on the bus to the publisher for its source and detail types only
 * (the `events:source` and `events:detail-type` condition keys), and adds a statement to the bus's
 * resource policy that denies `events:PutEvents` of that source to any principal but the
 * publisher's role (`aws:PrincipalArn`).
 *
 * @example
 * grantOwnEventSource({
 *   eventBus: props.eventBus, source: 'core.reservation', detailTypes: ['Commit', 'Renotify'],
 *   publisher: this.commandHandler.role!, statementId: 'ReservationSource',
 * });
 */
export function grantOwnEventSource(props: OwnEventSourceProps): void {
  const { eventBus, source, publisher } = props;
  publisher.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [eventBus.eventBusArn],
      conditions: { StringEquals: { 'events:source': [source], 'events:detail-type': [...props.detailTypes] } },
    }),
  );
  eventBus.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: props.statementId,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['events:PutEvents'],
      resources: [eventBus.eventBusArn],
      conditions: {
        StringEquals: { 'events:source': source },
        ArnNotEquals: { 'aws:PrincipalArn': publisher.roleArn },
      },
    }),
  );
}
