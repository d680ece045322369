/**
 * The contracts the web client imports (`@parley/contracts/browser`): event names, error codes, views and
 * the payload and domain types. Nothing here pulls in zod or Node, so the bundle stays small.
 */
export * from './events';
export * from './errors';
export * from './views';
export { CHEMICALS } from './domain';
export type * from './domain';
export type {
  Ack,
  ClientPayloads,
  ClientToServerEvents,
  NegotiationUpdate,
  OfferView,
  ServerPayloads,
  ServerToClientEvents,
} from './payloads';
export type * from './http';
export * from './sessions';
