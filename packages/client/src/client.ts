/**
 * The typed face of the client: one object per aggregate, with its commands, its queries and a
 * watcher of its instances, typed from `@core/contracts`.
 */
import type {
  CancelReservationInput,
  ChangeCustomerDetailsInput,
  CreateReservationInput,
  Customer,
  CustomerNotification,
  DeactivateCustomerInput,
  OpenPaymentAccountInput,
  PaymentAccount,
  PaymentNotification,
  RegisterCustomerInput,
  RegisterRoomInput,
  Reservation,
  ReservationNotification,
  Room,
  RoomAvailability,
  RoomNotification,
} from '@core/contracts';
import { AGGREGATES, QUERIES, type AggregateName } from './aggregates';
import { CoreClientEngine, type SendOptions, type SentCommand, type WatchHandlers } from './core-client';
import type { Notification } from './open-commands';
import type { CoreClientOptions } from './options';

/** A command's input as the caller gives it: the client adds its own `replyTo`; `commandId` is optional. */
export type CommandInput<T> = Omit<T, 'replyTo'>;

type Command<Input, State> = (input: CommandInput<Input>, options?: SendOptions) => Promise<SentCommand<State>>;
type Watch<N> = (id: string, handlers: WatchHandlers<N>) => () => void;

export interface ReservationApi {
  /** The stored state is REQUESTED; the saga's CONFIRMED or REJECTED follows as a notification (see `watch`). */
  readonly createReservation: Command<CreateReservationInput, Reservation>;
  readonly cancelReservation: Command<CancelReservationInput, Reservation>;
  getReservationById(id: string, options?: SendOptions): Promise<Reservation | null>;
  listReservationsByUser(userId: string, options?: SendOptions): Promise<Reservation[]>;
  getCommandOutcome(id: string, commandId: string): Promise<ReservationNotification | null>;
  readonly watch: Watch<ReservationNotification>;
}

export interface CustomerApi {
  readonly registerCustomer: Command<RegisterCustomerInput, Customer>;
  readonly changeCustomerDetails: Command<ChangeCustomerDetailsInput, Customer>;
  readonly deactivateCustomer: Command<DeactivateCustomerInput, Customer>;
  getCustomerById(id: string, options?: SendOptions): Promise<Customer | null>;
  getCommandOutcome(id: string, commandId: string): Promise<CustomerNotification | null>;
  readonly watch: Watch<CustomerNotification>;
}

export interface RoomApi {
  readonly registerRoom: Command<RegisterRoomInput, Room>;
  getRoomById(id: string, options?: SendOptions): Promise<Room | null>;
  getRoomAvailability(roomId: string, from: string, to: string, options?: SendOptions): Promise<RoomAvailability>;
  getCommandOutcome(id: string, commandId: string): Promise<RoomNotification | null>;
  readonly watch: Watch<RoomNotification>;
}

export interface PaymentApi {
  readonly openPaymentAccount: Command<OpenPaymentAccountInput, PaymentAccount>;
  getPaymentAccountByCustomerId(customerId: string, options?: SendOptions): Promise<PaymentAccount | null>;
  getCommandOutcome(id: string, commandId: string): Promise<PaymentNotification | null>;
  readonly watch: Watch<PaymentNotification>;
}

export interface CoreClient {
  /** What this client's commands carry and its subscriptions filter on. */
  readonly replyTo: string;
  readonly reservation: ReservationApi;
  readonly customer: CustomerApi;
  readonly room: RoomApi;
  readonly payment: PaymentApi;
  /** Commands sent and not settled yet. */
  readonly openCommands: number;
  /**
   * Opens the real-time connection now (a command opens it too, without waiting): resolves once every
   * aggregate's subscription is acknowledged, rejects when this attempt fails (the client keeps trying).
   */
  connect(): Promise<void>;
  /** Closes the connection; open commands reject with `CLOSED`. */
  close(): Promise<void>;
}

/**
 * A client for one front-end server: one real-time connection, one subscription per aggregate
 * filtered by the client's `replyTo`, for all of the server's commands.
 *
 * @example
 * const core = createCoreClient({ graphqlUrl: process.env.CORE_GRAPHQL_URL!, auth: { type: 'AWS_IAM' } });
 * await core.connect();
 * const { id, settled } = await core.reservation.createReservation({ userId, roomId, dateStart, dateEnd });
 * // show `id` as "being processed", then:
 * const reservation = await settled; // stored (REQUESTED), or a CommandRejectedError with its code
 */
export function createCoreClient(options: CoreClientOptions): CoreClient {
  const engine = new CoreClientEngine(options);
  const command =
    <Input, State>(aggregate: AggregateName, field: string): Command<Input, State> =>
    (input, sendOptions) =>
      engine.send<State>(aggregate, field, input as Record<string, unknown>, sendOptions);
  const outcome =
    <N>(aggregate: AggregateName) =>
    (id: string, commandId: string) =>
      engine.readOutcome(AGGREGATES[aggregate], id, commandId) as Promise<N | null>;
  const watch =
    <N>(aggregate: AggregateName): Watch<N> =>
    (id, handlers) =>
      engine.watch(aggregate, id, handlers as unknown as WatchHandlers<Notification>);
  return {
    replyTo: engine.settings.replyTo,
    get openCommands() {
      return engine.openCommands;
    },
    connect: () => engine.connect(),
    close: () => engine.close(),
    reservation: {
      createReservation: command('reservation', 'createReservation'),
      cancelReservation: command('reservation', 'cancelReservation'),
      getReservationById: (id, o) => engine.query('getReservationById', QUERIES.getReservationById, { id }, o),
      listReservationsByUser: (userId, o) =>
        engine.query('listReservationsByUser', QUERIES.listReservationsByUser, { userId }, o),
      getCommandOutcome: outcome('reservation'),
      watch: watch('reservation'),
    },
    customer: {
      registerCustomer: command('customer', 'registerCustomer'),
      changeCustomerDetails: command('customer', 'changeCustomerDetails'),
      deactivateCustomer: command('customer', 'deactivateCustomer'),
      getCustomerById: (id, o) => engine.query('getCustomerById', QUERIES.getCustomerById, { id }, o),
      getCommandOutcome: outcome('customer'),
      watch: watch('customer'),
    },
    room: {
      registerRoom: command('room', 'registerRoom'),
      getRoomById: (id, o) => engine.query('getRoomById', QUERIES.getRoomById, { id }, o),
      getRoomAvailability: (roomId, from, to, o) =>
        engine.query('getRoomAvailability', QUERIES.getRoomAvailability, { roomId, from, to }, o),
      getCommandOutcome: outcome('room'),
      watch: watch('room'),
    },
    payment: {
      openPaymentAccount: command('payment', 'openPaymentAccount'),
      getPaymentAccountByCustomerId: (customerId, o) =>
        engine.query('getPaymentAccountByCustomerId', QUERIES.getPaymentAccountByCustomerId, { customerId }, o),
      getCommandOutcome: outcome('payment'),
      watch: watch('payment'),
    },
  };
}
