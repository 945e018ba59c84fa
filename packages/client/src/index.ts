/**
 * The typed client of the core for Node front-end servers: `createCoreClient(options)`, its
 * options, and its one family of errors.
 */
export {
  createCoreClient,
  type CommandInput,
  type CoreClient,
  type CustomerApi,
  type PaymentApi,
  type ReservationApi,
  type RoomApi,
} from './client';
export type { ActingFor, SendOptions, SentCommand, WatchHandlers } from './core-client';
export type { Backoff, ClientAuth, CoreClientOptions, Diagnostic } from './options';
export type { AggregateName } from './aggregates';
export * from './errors';
