import { offerView } from '@parley/contracts';
import { randomUUID } from 'node:crypto';
import { ChatMessage, ErrorCode, ErrorCodeName, ParleyError, PartyState, ServerEventName, ServerPayloads, Terms } from '@parley/contracts';
import type { LocatedNegotiation, MessageLog, NegotiationStore } from '@parley/store';
import { Delivery, JobData, Queue, parseJob } from '@parley/queues';
import { agreementKey, canonicalTerms, termsOf } from '@parley/negotiation';
import type { AiTurn, FullScenario, NegotiationEngine, TokenUsage } from '@parley/negotiation';
import { LocalLock, type WriteLock } from './write-lock';

/** The data of an `ai-response` `reply` job. */
export type ReplyJob = JobData<'ai-response', 'reply'>;

export type ReplyOutcome =
  | { status: 'replied'; message: AiChatMessage; state: PartyState | null }
  /** An AI reply to this trigger_seq was already on disk: nothing new written or sent. */
  | { status: 'duplicate'; message: ChatMessage }
  /** The negotiation is gone, settling or archived, or is not an AI negotiation. */
  | { status: 'skipped'; why: string };

export interface ReplyLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Side effects of a reply, each behind a small interface (RoomEmitter, JobProducer, MessageSequence fit). */
export interface AiReplyDeps {
  negotiations: Pick<NegotiationStore, 'locate' | 'readStates' | 'writeState'>;
  messages: Pick<MessageLog, 'append' | 'readParty' | 'readAll' | 'maxSeq'>;
  scenarios: { get(id: string): Promise<FullScenario | null> };
  engine: NegotiationEngine;
  sequence: { next(negotiationId: string, maxOnDisk: () => Promise<number>): Promise<number> };
  room: {
    toNegotiation<E extends ServerEventName & keyof ServerPayloads>(negotiationId: string, event: E, payload: ServerPayloads[E]): void;
  };
  agreementChecks: { enqueueAgreementCheck(data: { negotiation_id: string; owner: string }): Promise<void> };
  usage?: { record(negotiationId: string, usage: TokenUsage): Promise<void> };
  /** Mutual exclusion across processes (RedisLock); an in-process lock when not given. */
  lock?: WriteLock;
  log?: ReplyLogger;
  now?: () => number;
}

const AI = 'ai';

type AiChatMessage = ChatMessage & { ai_metadata: NonNullable<ChatMessage['ai_metadata']> };

type WriteResult =
  { kind: 'raced'; earlier: ChatMessage } | { kind: 'closed' } | { kind: 'written'; message: AiChatMessage; state: PartyState | null };

/**
 * One `reply` job: read the negotiation, ask the engine, write the AI's own files (message first,
 * then its state), tell the room, and hand a final state to the agreement worker.
 *
 * At most one AI reply per trigger_seq: the AI's file is the record of what was answered, checked
 * before asking the engine and again just before writing, so a retried job or a restarted worker
 * finds the earlier reply and sends nothing.
 */
export class AiReplyService {
  private readonly now: () => number;
  private readonly lock: WriteLock;

  constructor(private readonly deps: AiReplyDeps) {
    this.now = deps.now ?? Date.now;
    this.lock = deps.lock ?? new LocalLock();
  }

  async handle(job: ReplyJob, delivery: Delivery = { redelivered: false }): Promise<ReplyOutcome> {
    assertJob(job);
    const { negotiation_id: id, trigger_seq: triggerSeq } = job;
    const located = await this.deps.negotiations.locate(job.owner, id).catch(() => null);
    if (!located) return this.skip(id, 'negotiation not found');
    if (located.place !== 'active') return this.skip(id, `negotiation is ${located.place}`);
    if (located.meta.kind !== 'ai') return this.skip(id, 'not an AI negotiation');
    const aiParty = located.meta.parties.find((p) => p.user === AI);
    const student = located.meta.parties.find((p) => p.user !== AI);
    if (!aiParty || !student) return this.skip(id, 'negotiation has no AI party');

    // one round of reads: the scenario, the transcript (which holds the AI's own lines) and the states
    const [scenario, transcript, states] = await Promise.all([
      located.meta.scenario_id ? this.deps.scenarios.get(located.meta.scenario_id) : null,
      this.deps.messages.readAll(located.dir),
      this.deps.negotiations.readStates(located.dir),
    ]);
    const earlier = replyTo(transcript, triggerSeq);
    if (earlier) return this.duplicate(located, job, earlier, delivery);
    if (!scenario) return this.fail(id, ErrorCode.AiFailed, `scenario ${located.meta.scenario_id ?? '(none)'} is not available`);
    // the opening is for a room where nobody has spoken: once the student has, their own turn answers them
    if (triggerSeq === 0 && transcript.some((m) => m.sender_type !== 'ai')) return this.skip(id, 'the student spoke before the opening');
    const turn = await this.askEngine(id, {
      scenario,
      transcript,
      studentState: states.find((s) => s.user === student.user) ?? null,
      aiState: states.find((s) => s.user === AI) ?? null,
      // only the AI writes ai lines, all into its own file: the transcript holds them all
      aiTurns: transcript.filter((m) => m.sender_type === 'ai' && m.kind !== 'offer').length,
      nowMs: this.now(),
      forceAccept: job.reason === 'dev',
    });

    // the engine may have taken seconds: another run of this job may have answered meanwhile, so
    // check again and write under the negotiation's write lock (one AI writer at a time)
    const written = await this.lock.withLock(`ai-write:${id}`, async (): Promise<WriteResult> => {
      // compare with the state on disk now: another job of this negotiation may have changed it
      const [aiLines, statesNow] = await Promise.all([
        this.deps.messages.readParty(located.dir, AI),
        this.deps.negotiations.readStates(located.dir),
      ]);
      const raced = replyTo(aiLines, triggerSeq);
      if (raced) return { kind: 'raced', earlier: raced };
      const nowMs = this.now();
      const current = statesNow.find((s) => s.user === AI) ?? null;
      const state = nextAiState(turn, current, aiParty.role, nowMs);
      const seq = await this.deps.sequence.next(id, () => this.deps.messages.maxSeq(located.dir));
      const message: AiChatMessage = {
        id: randomUUID(),
        seq,
        negotiation_id: id,
        sender_type: 'ai',
        sender: AI,
        content: turn.content,
        timestamp: new Date(nowMs).toISOString(),
        kind: 'chat',
        reply_to: triggerSeq,
        ai_metadata: turn.metadata,
        read: false,
        // the state change travels with the line, so a crash before the state write can be repaired
        ...(state ? { status: state.status, ...(state.offer ? { terms: termsOf(state.offer)! } : {}) } : {}),
      };
      try {
        await this.deps.messages.append(located.dir, AI, [message]);
      } catch (e) {
        if (isClosed(e)) return { kind: 'closed' };
        throw e;
      }
      const stateWritten = state && (await this.writeState(located, state)) ? state : null;
      // told before the lock is released: the room does not wait for that round trip
      this.typingOff(id);
      this.deps.room.toNegotiation(id, 'ai-message', message);
      if (stateWritten) this.afterStateChange(located, stateWritten);
      return { kind: 'written', message, state: stateWritten };
    });
    if (written.kind === 'raced') return this.duplicate(located, job, written.earlier, delivery);
    if (written.kind === 'closed') return this.skip(id, 'negotiation closed before the reply was written');
    const { message, state } = written;

    if (state && state.status !== 'pending')
      await this.deps.agreementChecks.enqueueAgreementCheck({ negotiation_id: id, owner: job.owner });
    await this.recordUsage(id, turn.usage);
    this.deps.log?.info(
      { negotiation_id: id, seq: message.seq, reply_to: triggerSeq, engine: this.deps.engine.name, state: state?.status },
      'ai replied',
    );
    return { status: 'replied', message, state };
  }

  private async askEngine(id: string, input: Parameters<NegotiationEngine['respond']>[0]): Promise<AiTurn> {
    try {
      return await this.deps.engine.respond(input);
    } catch (e) {
      const code: ErrorCodeName = e instanceof ParleyError && e.code === ErrorCode.AiTimeout ? ErrorCode.AiTimeout : ErrorCode.AiFailed;
      const message =
        code === ErrorCode.AiTimeout
          ? 'The AI counterpart took too long to answer. Send your message again.'
          : 'The AI counterpart could not answer. Send your message again.';
      this.deps.log?.warn({ negotiation_id: id, engine: this.deps.engine.name, err: (e as Error).message }, 'ai engine failed');
      return this.fail(id, code, message);
    }
  }

  /** Tells the room, then throws a ParleyError (AI_TIMEOUT / AI_FAILED): the job fails without retrying. */
  private fail(id: string, code: ErrorCodeName, message: string): never {
    this.typingOff(id);
    this.deps.room.toNegotiation(id, 'error', { code, message, timestamp: new Date(this.now()).toISOString(), negotiation_id: id });
    throw new ParleyError(code, message, 502);
  }

  private skip(id: string, why: string): ReplyOutcome {
    this.typingOff(id);
    this.deps.log?.info({ negotiation_id: id, why }, 'ai reply skipped');
    return { status: 'skipped', why };
  }

  private typingOff(id: string): void {
    this.deps.room.toNegotiation(id, 'ai-typing', { negotiation_id: id, typing: false, estimated_time: 0 });
  }

  /**
   * A reply is already on disk: write no second one. When this job ran before (a worker killed between
   * the write and the emit would otherwise leave the line unseen until a sync), send it to the room
   * again; a fresh job for an answered turn (a second tab's join asking for the opening again) sends
   * nothing, since the run that wrote the line told the room. If it was the AI's latest word and
   * carried a state change that never reached ai_state.json (a crash between the two writes), finish
   * that write.
   */
  private async duplicate(located: LocatedNegotiation, job: ReplyJob, earlier: ChatMessage, delivery: Delivery): Promise<ReplyOutcome> {
    this.typingOff(located.id);
    if (delivery.redelivered && earlier.ai_metadata)
      this.deps.room.toNegotiation(
        located.id,
        'ai-message',
        earlier as ChatMessage & { ai_metadata: NonNullable<ChatMessage['ai_metadata']> },
      );
    this.deps.log?.info({ negotiation_id: located.id, reply_to: job.trigger_seq, seq: earlier.seq }, 'ai reply already written');
    if (!earlier.status) return { status: 'duplicate', message: earlier };
    const lines = await this.deps.messages.readParty(located.dir, AI);
    const latest = lines.reduce((m, x) => (x.seq > m.seq ? x : m), earlier);
    if (latest.id !== earlier.id) return { status: 'duplicate', message: earlier };
    const aiParty = located.meta.parties.find((p) => p.user === AI)!;
    const current = (await this.deps.negotiations.readStates(located.dir)).find((s) => s.user === AI) ?? null;
    const wanted = stateFrom(
      earlier.status,
      earlier.terms ?? termsOf(current?.offer),
      aiParty.role,
      Date.parse(earlier.timestamp) || this.now(),
    );
    if (sameState(current, wanted)) return { status: 'duplicate', message: earlier };
    if (await this.writeState(located, wanted)) {
      this.afterStateChange(located, wanted);
      if (wanted.status !== 'pending')
        await this.deps.agreementChecks.enqueueAgreementCheck({ negotiation_id: located.id, owner: job.owner });
    }
    return { status: 'duplicate', message: earlier };
  }

  private async writeState(located: LocatedNegotiation, state: PartyState): Promise<boolean> {
    try {
      await this.deps.negotiations.writeState(located, AI, state);
      return true;
    } catch (e) {
      if (!isClosed(e)) throw e;
      this.deps.log?.warn({ negotiation_id: located.id }, 'ai state not written: the negotiation is being settled or closed');
      return false;
    }
  }

  private afterStateChange(located: LocatedNegotiation, state: PartyState): void {
    const view = offerView(state);
    this.deps.room.toNegotiation(located.id, 'offer-updated', { ...view, negotiation_id: located.id });
  }

  private async recordUsage(id: string, usage: TokenUsage | undefined): Promise<void> {
    if (!usage || !this.deps.usage) return;
    try {
      await this.deps.usage.record(id, usage);
    } catch (e) {
      this.deps.log?.warn({ negotiation_id: id, err: (e as Error).message }, 'ai usage not recorded');
    }
  }
}

/** The AI's new state after a turn, or null when the turn leaves it as it is. */
export function nextAiState(turn: AiTurn, current: PartyState | null, role: string, nowMs: number): PartyState | null {
  let wanted: PartyState;
  if (turn.accept) wanted = stateFrom('agreed', turn.accept, role, nowMs);
  else if (turn.walk_away) wanted = stateFrom('rejected', termsOf(current?.offer), role, nowMs);
  else if (turn.offer) wanted = stateFrom('pending', turn.offer, role, nowMs);
  else return null;
  return sameState(current, wanted) ? null : wanted;
}

function stateFrom(status: PartyState['status'], terms: Terms | null, role: string, nowMs: number): PartyState {
  const ts = Math.floor(nowMs / 1000);
  return {
    user: AI,
    role,
    offer: terms ? { ...terms, timestamp: ts } : null,
    status,
    ...(status === 'agreed' && terms ? { agreement_key: agreementKey(terms) } : {}),
    last_updated: ts,
  };
}

function sameState(a: PartyState | null, b: PartyState): boolean {
  if (!a || a.status !== b.status) return false;
  const ta = termsOf(a.offer);
  const tb = termsOf(b.offer);
  if (!ta || !tb) return ta === tb;
  return canonicalTerms(ta) === canonicalTerms(tb);
}

/** The AI's line answering `triggerSeq`, if one was written (the AI's file is the record of what was answered). */
function replyTo(lines: ChatMessage[], triggerSeq: number): ChatMessage | null {
  return lines.find((m) => m.sender === AI && m.reply_to === triggerSeq) ?? null;
}

function isClosed(e: unknown): boolean {
  return e instanceof ParleyError && (e.code === ErrorCode.NegotiationClosed || e.code === ErrorCode.NegotiationSettling);
}

function assertJob(job: ReplyJob): void {
  try {
    parseJob(Queue.AiResponse, 'reply', job);
  } catch (e) {
    throw new ParleyError(ErrorCode.InvalidPayload, `invalid ai reply job: ${(e as Error).message}: ${JSON.stringify(job)?.slice(0, 200)}`);
  }
}
