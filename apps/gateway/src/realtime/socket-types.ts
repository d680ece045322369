import type { DefaultEventsMap, Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@parley/contracts';
import type { AuthUser } from '../auth/auth.service';

/** What a socket carries (serialized to other gateways by fetchSockets, so plain data only). */
export interface SocketData {
  user: AuthUser;
  /** The user it was counted for against the connection limits (address, user). */
  counted?: string;
  /** Joined a room as an observer (an instructor): dropped if the role is taken away. */
  observing?: boolean;
}

/** Socket.io's Server and Socket, typed by the contract's event maps. */
export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
