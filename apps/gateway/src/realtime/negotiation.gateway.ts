import { offerView, outcomeUpdate } from '@parley/contracts';
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
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import {
  Ack,
  ClientEvent,
  ClientPayload,
  ClientPayloads,
  ErrorCode,
  ErrorPayload,
  HISTORY_ON_JOIN,
  ParleyError,
  ServerEvent,
  ServerPayloads,
  negotiationRoom,
  userRoom,
} from '@parley/contracts';
import { termsOf } from '@parley/negotiation';
import { Infra } from '../infra';
import { AuthService, AuthUser } from '../auth/auth.service';
import { AccessService, statusOf, Access } from './access.service';
import { ChatService } from './chat.service';
import { OfferService } from './offer.service';
import { ConnectionLimiter } from './connection-limiter';
import { ActionLimiter } from './action-limiter';
import { storageFailure } from '../storage-failure';
import { TranscriptCache } from './transcript-cache';

type Payload<E extends keyof ClientPayloads> = ClientPayloads[E];
const SYNC_LIMIT = 500;
const OBSERVER_RECHECK_MS = 5000;
const CLOSED_CODES = new Set<string>([ErrorCode.NegotiationClosed, ErrorCode.NegotiationSettling, ErrorCode.NegotiationExpired]);

/**
 * Socket.io events of seed 004 plus Parley's offer and history events. Authentication happens once,
 * at the handshake; every event is validated against its schema and the user's right to the
 * negotiation, and failures answer `error {code, message, timestamp}` (and the ack, if any).
 */
@WebSocketGateway({ maxHttpBufferSize: 64 * 1024, pingInterval: 10000, pingTimeout: 8000 })
export class NegotiationGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown {
  @WebSocketServer() server!: Server;
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly transcripts = new TranscriptCache();
  private observerCheck: NodeJS.Timeout | null = null;

  constructor(
    @Inject(Infra) private readonly infra: Infra,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(ChatService) private readonly chat: ChatService,
    @Inject(OfferService) private readonly offers: OfferService,
    @Inject(ConnectionLimiter) private readonly connections: ConnectionLimiter,
    @Inject(ActionLimiter) private readonly actions: ActionLimiter,
  ) {}

  afterInit(server: Server): void {
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
          this.infra.audit.record({
            who: 'anonymous',
            what: 'connect',
            result: refused === 'Authentication error' ? ErrorCode.AuthenticationError : ErrorCode.RateLimited,
            detail: socket.handshake.address,
          });
          next(new Error(refused));
        });
    });
  }

  handleConnection(socket: Socket): void {
    const user = socket.data.user as AuthUser | undefined;
    if (user) void socket.join(userRoom(user.email));
    this.infra.metrics.socketsConnected.inc();
  }

  handleDisconnect(socket: Socket): void {
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
    this.infra.metrics.socketsConnected.dec();
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
  private endAtExpiry(socket: Socket, user: AuthUser): void {
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
  join(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.JoinNegotiation, body, async (p) => {
      const access = await this.access.find(this.user(socket), p.negotiation_id);
      if (!access.party) socket.data.observing = true;
      await socket.join(negotiationRoom(p.negotiation_id));
      const messages = await this.transcripts.readAll(access.located.dir);
      const state = await this.stateOf(access, this.user(socket), messages.at(-1)?.seq ?? 0);
      socket.emit(ServerEvent.NegotiationState, state);
      const history: ServerPayloads['message-history'] = {
        negotiation_id: p.negotiation_id,
        messages: messages.slice(-HISTORY_ON_JOIN),
        last_seq: messages.at(-1)?.seq ?? 0,
      };
      socket.emit(ServerEvent.MessageHistory, history);
      return { state, history };
    });
  }

  @SubscribeMessage(ClientEvent.LeaveNegotiation)
  leave(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.LeaveNegotiation, body, async (p) => {
      await socket.leave(negotiationRoom(p.negotiation_id));
      return { negotiation_id: p.negotiation_id };
    });
  }

  /** Everything after `after_seq`: how a client fills the gap after a reconnect. */
  @SubscribeMessage(ClientEvent.SyncMessages)
  sync(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.SyncMessages, body, async (p) => {
      const access = await this.access.find(this.user(socket), p.negotiation_id);
      const all = await this.transcripts.readAll(access.located.dir);
      const after = TranscriptCache.after(all, p.after_seq, SYNC_LIMIT);
      const history: ServerPayloads['message-history'] = {
        negotiation_id: p.negotiation_id,
        messages: after,
        last_seq: all.at(-1)?.seq ?? 0,
      };
      socket.emit(ServerEvent.MessageHistory, history);
      return history;
    });
  }

  @SubscribeMessage(ClientEvent.SendMessage)
  send(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.SendMessage, body, async (p) => {
      ChatService.assertLength(p.content);
      const access = await this.access.requireActiveParty(this.user(socket), p.negotiation_id);
      await this.actions.assertRoomForLine(p.negotiation_id);
      const { message, duplicate } = await this.chat.save(access.located, access.party, p.content, p.client_message_id);
      if (!duplicate) {
        this.server.to(negotiationRoom(p.negotiation_id)).emit(ServerEvent.MessageReceived, message);
        if (access.located.meta.kind === 'ai') await this.askAi(access, message.seq, 'message');
      }
      return message;
    });
  }

  @SubscribeMessage(ClientEvent.TypingStart)
  typingStart(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.typing(socket, body, true);
  }

  @SubscribeMessage(ClientEvent.TypingStop)
  typingStop(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.typing(socket, body, false);
  }

  @SubscribeMessage(ClientEvent.ProposeOffer)
  propose(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.ProposeOffer, body, (p) => this.changeOffer(socket, p.negotiation_id, 'pending', p.terms));
  }

  @SubscribeMessage(ClientEvent.AgreeOffer)
  agree(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.AgreeOffer, body, (p) => this.changeOffer(socket, p.negotiation_id, 'agreed', p.terms));
  }

  @SubscribeMessage(ClientEvent.RejectNegotiation)
  reject(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.RejectNegotiation, body, (p) => this.changeOffer(socket, p.negotiation_id, 'rejected', null));
  }

  @SubscribeMessage(ClientEvent.DevTriggerAi)
  devTriggerAi(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.DevTriggerAi, body, async (p) => {
      this.assertDev();
      const access = await this.aiNegotiation(socket, p.negotiation_id);
      const lastSeq = await this.infra.messages.maxSeq(access.located.dir);
      await this.askAi(access, lastSeq, 'message');
      return { negotiation_id: p.negotiation_id, trigger_seq: lastSeq };
    });
  }

  /** Development only: the student agrees to the AI's current terms (or rejects) and the AI accepts. */
  @SubscribeMessage(ClientEvent.DevCompleteNegotiation)
  devComplete(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.handle(socket, ClientEvent.DevCompleteNegotiation, body, async (p) => {
      this.assertDev();
      const access = await this.aiNegotiation(socket, p.negotiation_id);
      if (p.outcome === 'failure') return this.changeOffer(socket, p.negotiation_id, 'rejected', null);
      const ai = (await this.infra.negotiations.readStates(access.located.dir)).find((s) => s.user === 'ai');
      const terms = termsOf(ai?.offer);
      if (!terms) throw new ParleyError(ErrorCode.InvalidOffer, 'the AI has not proposed terms yet');
      const change = await this.offers.change(access, 'agreed', terms);
      this.broadcastOffer(access, change);
      await this.askAi(access, change.line.seq, 'dev');
      return change.view;
    });
  }

  private async changeOffer(
    socket: Socket,
    negotiationId: string,
    status: 'pending' | 'agreed' | 'rejected',
    terms: ClientPayloads['propose-offer']['terms'] | null,
  ) {
    const access = await this.access.requireActiveParty(this.user(socket), negotiationId);
    await this.actions.assertRoomForLine(negotiationId, status !== 'pending');
    // each offer to the AI costs a model call: it spends the chat budget like a message
    if (access.located.meta.kind === 'ai' && status !== 'rejected') await this.actions.consumeAiTurn(access.party.user);
    const change = await this.offers.change(access, status, terms);
    this.broadcastOffer(access, change);
    await this.infra.producer.enqueueAgreementCheck({ negotiation_id: negotiationId, owner: access.located.meta.initiator });
    if (access.located.meta.kind === 'ai' && status !== 'rejected') await this.askAi(access, change.line.seq, 'offer');
    return change.view;
  }

  private broadcastOffer(access: Access, change: Awaited<ReturnType<OfferService['change']>>): void {
    const room = this.server.to(negotiationRoom(access.located.id));
    room.emit(ServerEvent.MessageReceived, change.line);
    room.emit(ServerEvent.OfferUpdated, { negotiation_id: access.located.id, ...change.view });
  }

  private async askAi(access: Access, triggerSeq: number, reason: 'message' | 'offer' | 'dev'): Promise<void> {
    const { id, meta } = access.located;
    this.server.to(negotiationRoom(id)).emit(ServerEvent.AiTyping, { negotiation_id: id, typing: true, estimated_time: 3000 });
    await this.infra.producer.enqueueAiReply({ negotiation_id: id, owner: meta.initiator, trigger_seq: triggerSeq, reason });
  }

  private typing(socket: Socket, body: unknown, typing: boolean) {
    const event = typing ? ClientEvent.TypingStart : ClientEvent.TypingStop;
    return this.handle(socket, event, body, async (p) => {
      const access = await this.access.requireActiveParty(this.user(socket), p.negotiation_id);
      socket
        .to(negotiationRoom(p.negotiation_id))
        .emit(ServerEvent.UserTyping, { negotiation_id: p.negotiation_id, user_id: access.party.user, typing });
      return { typing };
    });
  }

  private async aiNegotiation(socket: Socket, negotiationId: string) {
    const access = await this.access.requireActiveParty(this.user(socket), negotiationId);
    if (access.located.meta.kind !== 'ai') throw new ParleyError(ErrorCode.InvalidPayload, 'not an AI negotiation');
    return access;
  }

  private async stateOf(access: Access, user: AuthUser, lastSeq: number): Promise<ServerPayloads['negotiation-state']> {
    const { located, party, outcome } = access;
    const states = await this.infra.negotiations.readStates(located.dir);
    const sockets = await this.server.in(negotiationRoom(located.id)).fetchSockets();
    return {
      negotiation_id: located.id,
      kind: located.meta.kind,
      status: statusOf(access),
      participant_count: sockets.length,
      ...(located.meta.scenario_id ? { scenario_id: located.meta.scenario_id } : {}),
      ...(located.meta.chemical ? { chemical: located.meta.chemical } : {}),
      my_role: party?.role ?? (user.role === 'instructor' ? 'observer' : 'none'),
      parties: located.meta.parties.map((p) => ({ user: p.user, role: p.role })),
      offers: states.map(offerView),
      last_seq: lastSeq,
      ...(outcome ? { outcome: outcomeUpdate(outcome) } : {}),
    };
  }

  private assertDev(): void {
    if (!this.infra.config.devMode)
      throw new ParleyError(ErrorCode.DevOnly, 'development events are off (NODE_ENV is not development)', 403);
  }

  private record(socket: Socket, event: string, body: unknown, result: string): void {
    this.infra.metrics.events.inc({ event, result });
    if (event === ClientEvent.TypingStart || event === ClientEvent.TypingStop) return;
    this.infra.audit.record({ who: this.user(socket)?.email ?? 'anonymous', what: event, negotiation_id: idOf(body), result });
  }

  private user(socket: Socket): AuthUser {
    return socket.data.user as AuthUser;
  }

  /** Validates the payload, runs the handler, and turns any failure into an `error` event and ack. */
  private async handle<E extends keyof typeof ClientPayload, R>(
    socket: Socket,
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
      await this.actions.consume(this.user(socket).email);
      const data = await fn(parsed.data);
      this.record(socket, event, body, 'ok');
      return { ok: true, data };
    } catch (e) {
      if (e instanceof ParleyError && CLOSED_CODES.has(e.code) && idOf(body)) this.access.forget(this.user(socket), idOf(body)!);
      const err = e instanceof ParleyError ? e : (storageFailure(e) ?? new ParleyError(ErrorCode.Internal, 'internal error'));
      if (!(e instanceof ParleyError)) this.infra.log.error({ event, err: e }, 'event handler failed');
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
