/**
 * The aggregates as the client sees them: each one's command mutations, its notification (the
 * subscription and the outcome query select the same fields) and its queries, as GraphQL documents.
 * Listed by hand, like everything an aggregate adds: a new aggregate adds its entry here, and the
 * unit tests check every document against the merged schema.
 */

export type AggregateName = 'reservation' | 'customer' | 'room' | 'payment';

export interface AggregateDescription {
  readonly name: AggregateName;
  /** `on<Name>Saved`: filtered by `replyTo`, one subscription for all of this client's commands. */
  readonly subscriptionField: string;
  /** `get<Name>CommandOutcome(id, commandId)`. */
  readonly outcomeField: string;
  /** The notification's field that holds the state after the command. */
  readonly stateField: string;
  /** Every field of that state's type. */
  readonly stateSelection: string;
  /** More of the notification, beside the state (a room's hold). */
  readonly extraSelection: string;
  /** Mutation field → its input type. */
  readonly commands: Readonly<Record<string, string>>;
}

const RESERVATION_FIELDS =
  'id userId roomId dateStart dateEnd status version cancellationReason rejectionReason totalPrice currency';
const CUSTOMER_FIELDS = 'id email name status version';
const ROOM_FIELDS = 'id name nightlyPrice currency version';
const PAYMENT_ACCOUNT_FIELDS = 'id customerId creditLimit currency authorized captured refunded available version';

export const AGGREGATES: Readonly<Record<AggregateName, AggregateDescription>> = {
  reservation: {
    name: 'reservation',
    subscriptionField: 'onReservationSaved',
    outcomeField: 'getReservationCommandOutcome',
    stateField: 'reservation',
    stateSelection: RESERVATION_FIELDS,
    extraSelection: '',
    commands: { createReservation: 'CreateReservationInput', cancelReservation: 'CancelReservationInput' },
  },
  customer: {
    name: 'customer',
    subscriptionField: 'onCustomerSaved',
    outcomeField: 'getCustomerCommandOutcome',
    stateField: 'customer',
    stateSelection: CUSTOMER_FIELDS,
    extraSelection: '',
    commands: {
      registerCustomer: 'RegisterCustomerInput',
      changeCustomerDetails: 'ChangeCustomerDetailsInput',
      deactivateCustomer: 'DeactivateCustomerInput',
    },
  },
  room: {
    name: 'room',
    subscriptionField: 'onRoomSaved',
    outcomeField: 'getRoomCommandOutcome',
    stateField: 'room',
    stateSelection: ROOM_FIELDS,
    extraSelection: 'hold { reservationId dateStart dateEnd status totalPrice currency }',
    commands: { registerRoom: 'RegisterRoomInput' },
  },
  payment: {
    name: 'payment',
    subscriptionField: 'onPaymentSaved',
    outcomeField: 'getPaymentCommandOutcome',
    stateField: 'account',
    stateSelection: PAYMENT_ACCOUNT_FIELDS,
    extraSelection: '',
    commands: { openPaymentAccount: 'OpenPaymentAccountInput' },
  },
};

export const AGGREGATE_NAMES = Object.keys(AGGREGATES) as AggregateName[];

function notificationSelection(aggregate: AggregateDescription): string {
  const { stateField, stateSelection, extraSelection } = aggregate;
  return `id commandId fingerprint replyTo status version ${stateField} { ${stateSelection} } ${extraSelection} error { code message }`;
}

/** The one subscription of an aggregate for this client's notifications. */
export function subscriptionDocument(aggregate: AggregateDescription): string {
  const field = aggregate.subscriptionField;
  return `subscription ${capitalized(field)}($replyTo: String) { ${field}(replyTo: $replyTo) { ${notificationSelection(aggregate)} } }`;
}

export function outcomeDocument(aggregate: AggregateDescription): string {
  const field = aggregate.outcomeField;
  return `query ${capitalized(field)}($id: ID!, $commandId: ID!) { ${field}(id: $id, commandId: $commandId) { ${notificationSelection(aggregate)} } }`;
}

export function commandDocument(field: string, inputType: string): string {
  return `mutation ${capitalized(field)}($input: ${inputType}!) { ${field}(input: $input) { id commandId fingerprint deadline } }`;
}

/** The queries the client offers beside the commands, by field: the document and how to call it. */
export const QUERIES = {
  getReservationById: `query GetReservationById($id: ID!) { getReservationById(id: $id) { ${RESERVATION_FIELDS} } }`,
  listReservationsByUser: `query ListReservationsByUser($userId: ID!) { listReservationsByUser(userId: $userId) { ${RESERVATION_FIELDS} } }`,
  getCustomerById: `query GetCustomerById($id: ID!) { getCustomerById(id: $id) { ${CUSTOMER_FIELDS} } }`,
  getRoomById: `query GetRoomById($id: ID!) { getRoomById(id: $id) { ${ROOM_FIELDS} } }`,
  getRoomAvailability: `query GetRoomAvailability($roomId: ID!, $from: AWSDate!, $to: AWSDate!) { getRoomAvailability(roomId: $roomId, from: $from, to: $to) { roomId from to available } }`,
  getPaymentAccountByCustomerId: `query GetPaymentAccountByCustomerId($customerId: ID!) { getPaymentAccountByCustomerId(customerId: $customerId) { ${PAYMENT_ACCOUNT_FIELDS} } }`,
} as const;

export type QueryField = keyof typeof QUERIES;

function capitalized(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
