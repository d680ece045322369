import { BeforeApplicationShutdown, Inject } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  Ack,
  ClientEvent,
  ClientPayload,
  ClientPayloads,
  ErrorCode,
  ErrorPayload,
  ParleyError,
  INSTRUCTORS_ROOM,
  ServerEvent,
  userRoom,
  FREE_BOARD_ROOM,
} from '@parley/contracts';
import { LOGGER } from '@parley/config';
import { AuditLog } from '@parley/store';
import { ParleyMetrics } from '@parley/queues';
import { AuthService, AuthUser } from '../auth/auth.service';
import { AccessService } from './access.service';
import { ConnectionLimiter } from './connection-limiter';
import { ActionLimiter } from './action-limiter';
import { NegotiationService } from './negotiation.service';
import { Rooms } from './rooms';
import { SessionRooms } from './session-rooms';
import type { ParleyServer, ParleySocket } from './socket-types';
import { storageFailure } from '../storage-failure';

type Payload<E extends keyof ClientPayloads> = ClientPayloads[E];
const OBSERVER_RECHECK_MS = 5000;
const CLOSED_CODES = new Set<string>([ErrorCode.NegotiationClosed, ErrorCode.NegotiationSettling, ErrorCode.NegotiationExpired]);

/**
 * Socket.io events of seed 004 plus Parley's offer and history events. Transport only: authentication
 * once, at the handshake; every event validated against its schema and counted against the user's
 * ceiling, routed to the NegotiationService, and failures answered `error {code, message, timestamp}`
 * (and the ack, if any).
 */
@WebSocketGateway({ maxHttpBufferSize: 64 * 1024, pingInterval: 10000, pingTimeout: 8000 })
export class NegotiationGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown {
  @WebSocketServer() server!: ParleyServer;
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private observerCheck: NodeJS.Timeout | null = null;

  constructor(
    @Inject(NegotiationService) private readonly negotiations: NegotiationService,
    @Inject(Rooms) private readonly rooms: Rooms,
    @Inject(SessionRooms) private readonly sessionRooms: SessionRooms,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(ConnectionLimiter) private readonly connections: ConnectionLimiter,
    @Inject(ActionLimiter) private readonly actions: ActionLimiter,
    @Inject(ParleyMetrics) private readonly metrics: ParleyMetrics,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  afterInit(server: ParleyServer): void {
    this.rooms.attach(server);
    this.observerCheck = setInterval(() => void this.dropDemotedObservers(), OBSERVER_RECHECK_MS);
    this.observerCheck.unref();
    server.use((socket, next) => {
      this.auth
        .verify(socket.handshake.auth?.token)
        .then(async (user) => {
          socket.data.user = user;
          await this.connections.admit(socket, user.email);
          this.endAtExpiry(socket, user);
          next();
        })
        .catch((e) => {
          const refused = e instanceof ParleyError && e.code === ErrorCode.RateLimited ? e.message : 'Authentication error';
          this.audit.record({
            who: 'anonymous',
            what: 'connect',
            result: refused === 'Authentication error' ? ErrorCode.AuthenticationError : ErrorCode.RateLimited,
            detail: socket.handshake.address,
          });
          next(new Error(refused));
        });
    });
  }

  handleConnection(socket: ParleySocket): void {
    const user = socket.data.user as AuthUser | undefined;
    if (user) void socket.join([userRoom(user.email), FREE_BOARD_ROOM]);
    // the class dashboard's push; a socket whose user loses the role is closed like an observer's
    if (user?.role === 'instructor') {
      void socket.join(INSTRUCTORS_ROOM);
      socket.data.observing = true;
    }
    this.metrics.socketsConnected.inc();
  }

  handleDisconnect(socket: ParleySocket): void {
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
    this.metrics.socketsConnected.dec();
    void this.connections.release(socket);
  }

  /** A socket that joined rooms as an observer is closed once its user is no longer an instructor. */
  private async dropDemotedObservers(): Promise<void> {
    for (const socket of this.server.of('/').sockets.values()) {
      if (!socket.data.observing) continue;
      const still = await this.access.isInstructorNow(this.user(socket)).catch(() => true);
      if (!still) socket.disconnect(true);
    }
  }

  /** A socket lives no longer than its token: at expiry it is closed, and a reconnect needs a new login. */
  private endAtExpiry(socket: ParleySocket, user: AuthUser): void {
    if (!user.exp) return;
    const ms = user.exp * 1000 - Date.now();
    const timer = setTimeout(() => socket.disconnect(true), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    timer.unref();
    // not on socket.data: that is serialized to other gateways (fetchSockets) and must stay plain data
    this.expiryTimers.set(socket.id, timer);
  }

  /** SIGTERM: tell every client here to reconnect (to another replica), then drop the transports. */
  beforeApplicationShutdown(): void {
    if (this.observerCheck) clearInterval(this.observerCheck);
    if (!this.server) return;
    this.server.local.emit(ServerEvent.ServerShutdown, { reconnect_in_ms: 1000 });
    this.server.local.disconnectSockets(true);
  }

  @SubscribeMessage(ClientEvent.JoinNegotiation)
  join(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.JoinNegotiation, body, (p) => this.negotiations.join(socket, this.user(socket), p));
  }

  @SubscribeMessage(ClientEvent.LeaveNegotiation)
  leave(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.LeaveNegotiation, body, (p) => this.negotiations.leave(socket, p));
  }

  @SubscribeMessage(ClientEvent.SyncMessages)
  sync(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.SyncMessages, body, (p) => this.negotiations.sync(socket, this.user(socket), p));
  }

  @SubscribeMessage(ClientEvent.SendMessage)
  send(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.SendMessage, body, (p) => this.negotiations.send(this.user(socket), p));
  }

  @SubscribeMessage(ClientEvent.TypingStart)
  typingStart(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.TypingStart, body, (p) => this.negotiations.typing(socket, this.user(socket), p, true));
  }

  @SubscribeMessage(ClientEvent.TypingStop)
  typingStop(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.TypingStop, body, (p) => this.negotiations.typing(socket, this.user(socket), p, false));
  }

  @SubscribeMessage(ClientEvent.ProposeOffer)
  propose(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.ProposeOffer, body, (p) =>
      this.negotiations.changeOffer(this.user(socket), p.negotiation_id, 'pending', p.terms),
    );
  }

  @SubscribeMessage(ClientEvent.AgreeOffer)
  agree(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.AgreeOffer, body, (p) =>
      this.negotiations.changeOffer(this.user(socket), p.negotiation_id, 'agreed', p.terms),
    );
  }

  @SubscribeMessage(ClientEvent.RejectNegotiation)
  reject(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.RejectNegotiation, body, (p) =>
      this.negotiations.changeOffer(this.user(socket), p.negotiation_id, 'rejected', null),
    );
  }

  @SubscribeMessage(ClientEvent.DevTriggerAi)
  devTriggerAi(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.DevTriggerAi, body, (p) => this.negotiations.devTriggerAi(this.user(socket), p));
  }

  @SubscribeMessage(ClientEvent.DevCompleteNegotiation)
  devComplete(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.DevCompleteNegotiation, body, (p) => this.negotiations.devComplete(this.user(socket), p));
  }

  @SubscribeMessage(ClientEvent.JoinSession)
  joinSession(@ConnectedSocket() socket: ParleySocket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.JoinSession, body, (p) => this.sessionRooms.join(socket, this.user(socket), p));
  }

  private record(socket: ParleySocket, event: string, body: unknown, result: string): void {
    this.metrics.events.inc({ event, result });
    if (event === ClientEvent.TypingStart || event === ClientEvent.TypingStop) return;
    this.audit.record({ who: this.user(socket)?.email ?? 'anonymous', what: event, negotiation_id: idOf(body), result });
  }

  private user(socket: ParleySocket): AuthUser {
    return socket.data.user;
  }

  /** Validates the payload, runs the handler, and turns any failure into an `error` event and ack. */
  private async handle<E extends keyof typeof ClientPayload, R>(
    socket: ParleySocket,
    event: E,
    body: unknown,
    fn: (payload: Payload<E>) => Promise<R>,
  ): Promise<Ack<R>> {
    try {
      const parsed = (ClientPayload[event] as unknown as z.ZodType<Payload<E>>).safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ParleyError(ErrorCode.InvalidPayload, `invalid ${event} payload: ${issue.path.join('.') || 'body'} ${issue.message}`);
      }
      // a chat line spends the budget in the same Redis call as its own checks (ChatService)
      if (event !== ClientEvent.SendMessage) await this.actions.consume(this.user(socket).email);
      const data = await fn(parsed.data);
      this.record(socket, event, body, 'ok');
      return { ok: true, data };
    } catch (e) {
      if (e instanceof ParleyError && CLOSED_CODES.has(e.code) && idOf(body)) this.access.forget(this.user(socket), idOf(body)!);
      const err = e instanceof ParleyError ? e : (storageFailure(e) ?? new ParleyError(ErrorCode.Internal, 'internal error'));
      if (!(e instanceof ParleyError)) this.log.error({ event, err: e }, 'event handler failed');
      this.record(socket, event, body, err.code);
      const negotiationId = idOf(body);
      const payload: ErrorPayload = {
        code: err.code,
        message: err.message,
        timestamp: new Date().toISOString(),
        event,
        ...(negotiationId ? { negotiation_id: negotiationId } : {}),
      };
      socket.emit(ServerEvent.Error, payload);
      return { ok: false, error: { code: err.code, message: err.message } };
    }
  }
}

function idOf(body: unknown): string | undefined {
  const id = (body as { negotiation_id?: unknown } | null)?.negotiation_id;
  return typeof id === 'string' && id.length <= 120 ? id : undefined;
}
