import type { DefaultEventsMap, Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@parley/contracts';
import type { AuthUser } from '../auth/auth.service';

/** What a socket carries (serialized to other gateways by fetchSockets, so plain data only). */
export interface SocketData {
  user: AuthUser;
  /** Counted against its address's connection limit. */
  counted?: boolean;
}

/** Socket.io's Server and Socket, typed by the contract's event maps. */
export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
