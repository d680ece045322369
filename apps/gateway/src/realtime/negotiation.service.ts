import { Inject, Injectable } from '@nestjs/common';
import {
  ClientPayloads,
  ErrorCode,
  HISTORY_ON_JOIN,
  ParleyError,
  ServerEvent,
  ServerPayloads,
  type PartyRef,
  negotiationRoom,
  offerView,
  outcomeUpdate,
  termsOf,
  type Terms,
} from '@parley/contracts';
import { agreementKey } from '@parley/negotiation';
import { CONFIG, ParleyConfig } from '@parley/config';
import { ScenarioCatalog, aiOpens } from '@parley/negotiation';
import { MessageLog, NegotiationStore, TeamStore } from '@parley/store';
import { JobProducer } from '@parley/queues';
import type { AuthUser } from '../auth/auth.service';
import { AccessService, statusOf, Access } from './access.service';
import { ChatService } from './chat.service';
import { OfferChange, OfferService } from './offer.service';
import { Rooms } from './rooms';
import { TranscriptCache } from './transcript-cache';
import { ActionLimiter } from './action-limiter';
import type { ParleySocket } from './socket-types';
import { TradeDesk } from '../api/trade-desk';

const SYNC_LIMIT = 500;

/**
 * What each negotiation event does once the gateway has validated it: read or write through the
 * services, tell the room, and enqueue the agreement check and the AI's turn.
 */
@Injectable()
export class NegotiationService {
  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(MessageLog) private readonly messages: MessageLog,
    @Inject(NegotiationStore) private readonly negotiations: NegotiationStore,
    @Inject(JobProducer) private readonly producer: JobProducer,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(ChatService) private readonly chat: ChatService,
    @Inject(OfferService) private readonly offers: OfferService,
    @Inject(Rooms) private readonly rooms: Rooms,
    @Inject(TranscriptCache) private readonly transcripts: TranscriptCache,
    @Inject(ActionLimiter) private readonly actions: ActionLimiter,
    @Inject(ScenarioCatalog) private readonly scenarios: ScenarioCatalog,
    @Inject(TradeDesk) private readonly desk: TradeDesk,
    @Inject(TeamStore) private readonly teams: TeamStore,
  ) {}

  async join(socket: ParleySocket, user: AuthUser, p: ClientPayloads['join-negotiation']) {
    const access = await this.access.find(user, p.negotiation_id);
    if (!access.party) socket.data.observing = true;
    await socket.join(negotiationRoom(p.negotiation_id));
    const messages = await this.transcripts.readAll(access.located.dir);
    const state = await this.stateOf(access, user, messages.at(-1)?.seq ?? 0);
    socket.emit(ServerEvent.NegotiationState, state);
    const history: ServerPayloads['message-history'] = {
      negotiation_id: p.negotiation_id,
      messages: messages.slice(-HISTORY_ON_JOIN),
      last_seq: messages.at(-1)?.seq ?? 0,
    };
    socket.emit(ServerEvent.MessageHistory, history);
    if (messages.length === 0) await this.openIfAiOpens(access);
    return { state, history };
  }

  async leave(socket: ParleySocket, p: ClientPayloads['leave-negotiation']) {
    await socket.leave(negotiationRoom(p.negotiation_id));
    return { negotiation_id: p.negotiation_id };
  }

  /** Everything after `after_seq`: how a client fills the gap after a reconnect. */
  async sync(socket: ParleySocket, user: AuthUser, p: ClientPayloads['sync-messages']) {
    const access = await this.access.find(user, p.negotiation_id);
    const all = await this.transcripts.readAll(access.located.dir);
    const after = TranscriptCache.after(all, p.after_seq, SYNC_LIMIT);
    const history: ServerPayloads['message-history'] = {
      negotiation_id: p.negotiation_id,
      messages: after,
      last_seq: all.at(-1)?.seq ?? 0,
    };
    socket.emit(ServerEvent.MessageHistory, history);
    return history;
  }

  async send(user: AuthUser, p: ClientPayloads['send-message']) {
    let access: Access & { party: PartyRef };
    try {
      ChatService.assertLength(p.content);
      access = await this.access.requireActiveParty(user, p.negotiation_id);
    } catch (e) {
      // a refused line spends the event budget like any event (checked first, as the gateway does for the others)
      await this.actions.consume(user.email);
      throw e;
    }
    const { message, duplicate } = await this.chat.save(access.located, access.party, p.content, p.client_message_id, user.email);
    if (!duplicate) {
      this.rooms.to(p.negotiation_id).emit(ServerEvent.MessageReceived, message);
      if (access.located.meta.kind === 'ai') await this.askAi(access, message.seq, 'message');
    }
    return message;
  }

  /** Typing goes to the others in the room, not back to the typist. */
  async typing(socket: ParleySocket, user: AuthUser, p: ClientPayloads['typing-start'], typing: boolean) {
    const access = await this.access.requireActiveParty(user, p.negotiation_id);
    socket
      .to(negotiationRoom(p.negotiation_id))
      .emit(ServerEvent.UserTyping, { negotiation_id: p.negotiation_id, user_id: access.party.user, typing });
    return { typing };
  }

  async changeOffer(
    user: AuthUser,
    negotiationId: string,
    status: 'pending' | 'agreed' | 'rejected',
    terms: ClientPayloads['propose-offer']['terms'] | null,
  ) {
    const access = await this.access.requireActiveParty(user, negotiationId);
    await this.actions.assertRoomForLine(negotiationId, status !== 'pending');
    // each offer to the AI costs a model call: it spends the chat budget like a message — except taking the
    // AI's own terms as they stand, which ends the negotiation (a student who chatted fast can still say yes)
    if (access.located.meta.kind === 'ai' && status !== 'rejected' && !(await this.takesAiTerms(access, status, terms)))
      await this.actions.consumeAiTurn(access.party.user);
    // a trade the team could not honour is refused here, before anything is written
    const change = await this.desk.changeOffer(access, status, terms, () => this.offers.change(access, status, terms));
    this.broadcastOffer(access, change);
    await this.producer.enqueueAgreementCheck({ negotiation_id: negotiationId, owner: access.located.meta.initiator });
    if (access.located.meta.kind === 'ai' && status !== 'rejected' && change.line) await this.askAi(access, change.line.seq, 'offer');
    return change.view;
  }

  private async takesAiTerms(access: Access, status: 'pending' | 'agreed' | 'rejected', terms: Terms | null): Promise<boolean> {
    if (status !== 'agreed' || !terms) return false;
    const ai = termsOf((await this.negotiations.readStates(access.located.dir)).find((st) => st.user === 'ai')?.offer);
    return ai !== null && agreementKey(ai) === agreementKey(terms);
  }

  async devTriggerAi(user: AuthUser, p: ClientPayloads['dev-trigger-ai']) {
    this.assertDev();
    const access = await this.aiNegotiation(user, p.negotiation_id);
    const lastSeq = await this.messages.maxSeq(access.located.dir);
    await this.askAi(access, lastSeq, 'message');
    return { negotiation_id: p.negotiation_id, trigger_seq: lastSeq };
  }

  /** Development only: the student agrees to the AI's current terms (or rejects) and the AI accepts. */
  async devComplete(user: AuthUser, p: ClientPayloads['dev-complete-negotiation']) {
    this.assertDev();
    const access = await this.aiNegotiation(user, p.negotiation_id);
    if (p.outcome === 'failure') return this.changeOffer(user, p.negotiation_id, 'rejected', null);
    const ai = (await this.negotiations.readStates(access.located.dir)).find((s) => s.user === 'ai');
    const terms = termsOf(ai?.offer);
    if (!terms) throw new ParleyError(ErrorCode.InvalidOffer, 'the AI has not proposed terms yet');
    const change = await this.offers.change(access, 'agreed', terms);
    this.broadcastOffer(access, change);
    if (change.line) await this.askAi(access, change.line.seq, 'dev');
    return change.view;
  }

  /** To the room; in a market also to both parties' pages of it (their "waiting for you / them"). */
  private broadcastOffer(access: Access, change: OfferChange): void {
    const { id, meta } = access.located;
    const room = this.rooms.to(id);
    if (change.line) room.emit(ServerEvent.MessageReceived, change.line);
    room.emit(ServerEvent.OfferUpdated, { negotiation_id: id, ...change.view });
    const parties = meta.parties.map((p) => p.user).filter((u) => u !== 'ai');
    if (meta.market_id) this.rooms.toUsers(parties).emit(ServerEvent.MarketUpdate, { market_id: meta.market_id, change: 'offer' });
  }

  private async askAi(access: Access, triggerSeq: number, reason: 'message' | 'offer' | 'dev'): Promise<void> {
    const { id, meta } = access.located;
    this.rooms.to(id).emit(ServerEvent.AiTyping, { negotiation_id: id, typing: true, estimated_time: 3000 });
    await this.producer.enqueueAiReply({ negotiation_id: id, owner: meta.initiator, trigger_seq: triggerSeq, reason });
  }

  /**
   * The AI greets and opens a new negotiation when the student first joins it. The reply to
   * trigger_seq 0 is enqueued under one job id and written at most once, so a re-join or a retried
   * join before the greeting lands asks nothing new.
   */
  private async openIfAiOpens(access: Access): Promise<void> {
    const { meta } = access.located;
    if (meta.kind !== 'ai' || !meta.scenario_id || !access.party || access.party.user === 'ai' || access.located.place !== 'active') return;
    const scenario = await this.scenarios.get(meta.scenario_id).catch(() => null);
    if (scenario && aiOpens(scenario)) await this.askAi(access, 0, 'message');
  }

  private async aiNegotiation(user: AuthUser, negotiationId: string) {
    const access = await this.access.requireActiveParty(user, negotiationId);
    if (access.located.meta.kind !== 'ai') throw new ParleyError(ErrorCode.InvalidPayload, 'not an AI negotiation');
    return access;
  }

  private async stateOf(access: Access, user: AuthUser, lastSeq: number): Promise<ServerPayloads['negotiation-state']> {
    const { located, party, outcome } = access;
    const states = await this.negotiations.readStates(located.dir);
    const participants = await this.rooms.count(located.id);
    return {
      negotiation_id: located.id,
      kind: located.meta.kind,
      status: statusOf(access),
      participant_count: participants,
      ...(located.meta.scenario_id ? { scenario_id: located.meta.scenario_id } : {}),
      ...(located.meta.chemical ? { chemical: located.meta.chemical } : {}),
      my_role: party?.role ?? (user.role === 'instructor' ? 'observer' : 'none'),
      parties: await partiesWithNames(this.teams, located.meta.parties),
      offers: states.map(offerView),
      last_seq: lastSeq,
      ...(outcome ? { outcome: outcomeUpdate(outcome) } : {}),
    };
  }

  private assertDev(): void {
    if (!this.config.devMode) throw new ParleyError(ErrorCode.DevOnly, 'development events are off (NODE_ENV is not development)', 403);
  }
}

/** Parties with the names people read (the AI is "AI"; an account without a name shows its e-mail). */
export async function partiesWithNames(teams: TeamStore, parties: { user: string; role: string }[]) {
  return Promise.all(parties.map(async (p) => ({ user: p.user, role: p.role, name: await teams.nameOf(p.user) })));
}
