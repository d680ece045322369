import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ChatMessage, ErrorCode, MAX_MESSAGE_LENGTH, ParleyError, PartyRef } from '@parley/contracts';
import type IORedis from 'ioredis';
import type { Logger } from 'pino';
import { CONFIG, LOGGER, ParleyConfig } from '@parley/config';
import { MessageLog, NegotiationStore, closedError, crashPoint, type LocatedNegotiation } from '@parley/store';
import { MessageSequence, ParleyMetrics, REDIS, redisKey } from '@parley/queues';
import { PerUserLimit } from './per-user-limit';
import { ActionLimiter } from './action-limiter';
import { Admission, ChatAdmission } from './chat-admission';

/** Control characters other than tab and newline never reach a file or another browser. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

const MAX_SEEN = 50_000;

export interface SavedMessage {
  message: ChatMessage;
  /** True when the client message id had been saved before: nothing new was written or sent. */
  duplicate: boolean;
}

/**
 * Saves a party's chat line before anyone is told about it: per-user rate limits (in Redis, so they
 * hold across gateways), a claim of the client message id and a sequence number — all in one Redis
 * round trip — then a durable append to the party's own messages file, where a re-send finds it.
 */
@Injectable()
export class ChatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly limit: PerUserLimit;
  private readonly admission: ChatAdmission;
  /** Admissions only: auto-pipelined, so the lines of one tick cost one socket write to Redis and one read back. */
  private readonly admitRedis: IORedis;
  /** negotiation id → the highest seq this gateway saw handed out (forgotten whenever Redis goes away). */
  private readonly seen = new Map<string, number>();
  /** Counts the admission connection's drops: a call that was out during one may have been answered by another Redis. */
  private drops = 0;

  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(MessageSequence) private readonly sequence: MessageSequence,
    @Inject(MessageLog) private readonly messages: MessageLog,
    @Inject(NegotiationStore) private readonly negotiations: NegotiationStore,
    @Inject(ParleyMetrics) private readonly metrics: ParleyMetrics,
    @Inject(ActionLimiter) private readonly actions: ActionLimiter,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.limit = new PerUserLimit(
      redis,
      redisKey(config.redisPrefix, 'rl', 'messages'),
      config.messagesPerMinute,
      (n, s) => `at most ${n} messages a minute; try again in ${s} s`,
    );
    this.admitRedis = redis.duplicate({ enableAutoPipelining: true, connectionName: redisKey(config.redisPrefix, 'chat-admission') });
    this.admitRedis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error (chat admission)'));
    // Redis that restarted may have come back rolled back or empty: read the floors from the files again
    this.admitRedis.on('close', () => {
      this.drops++;
      this.seen.clear();
    });
    this.admission = new ChatAdmission(this.admitRedis, actions.limit, this.limit, config.maxLinesPerNegotiation);
  }

  static clean(content: string): string {
    return content.replace(CONTROL_CHARS, '').trim();
  }

  static assertLength(content: string): void {
    if (content.length > MAX_MESSAGE_LENGTH) {
      throw new ParleyError(
        ErrorCode.MessageTooLong,
        `messages are limited to ${MAX_MESSAGE_LENGTH} characters (this one has ${content.length})`,
      );
    }
  }

  /**
   * Saves a chat line of `actor` (who also pays the event budget) as `party`. A client message id
   * saved before — found in the sender's own file — answers with the saved line.
   */
  async save(
    located: LocatedNegotiation,
    party: PartyRef,
    content: string,
    clientMessageId: string | undefined,
    actor: string,
  ): Promise<SavedMessage> {
    // the caller checked the length; cleaning only removes characters
    const text = ChatService.clean(content);
    if (!text) {
      await this.actions.limit.consume(actor);
      throw new ParleyError(ErrorCode.InvalidPayload, 'empty message');
    }
    const claimKey = clientMessageId ? redisKey(this.config.redisPrefix, 'cmid', located.id, party.prefix, clientMessageId) : null;
    // the sender's file is the truth: a re-send of a saved line (by any gateway, before any crash) is found there
    const saved = clientMessageId ? await this.savedBefore(located, party, clientMessageId) : null;
    if (saved) {
      await this.actions.limit.consume(actor);
      return { message: saved, duplicate: true };
    }
    const admitted = await this.admit(located, party, actor, claimKey);
    if (admitted.kind === 'claimed') {
      // another save holds the id: it may have landed since the look above
      const landed = await this.savedBefore(located, party, clientMessageId!);
      if (landed) return { message: landed, duplicate: true };
      throw new ParleyError(ErrorCode.DuplicateInFlight, 'this message is still being saved; wait for its acknowledgement');
    }
    if (admitted.kind !== 'seq') throw this.refusal(admitted);
    try {
      const message = await this.write(located, party, admitted.seq, { content: text, client_message_id: clientMessageId, kind: 'chat' });
      crashPoint('after-message-append');
      return { message, duplicate: false };
    } catch (e) {
      if (claimKey) await this.admitRedis.del(claimKey).catch(() => undefined);
      throw e;
    }
  }

  /**
   * The Redis admission with the highest seq this gateway has seen in the negotiation as the floor;
   * the files are read for it only the first time, after Redis was away (it may have come back
   * rolled back or empty) or when Redis has no counter.
   */
  private async admit(
    located: LocatedNegotiation,
    party: PartyRef,
    actor: string,
    claimKey: string | null,
  ): Promise<Exclude<Admission, { kind: 'reseed' }>> {
    const args = { actor, sender: party.user, sequenceKey: this.sequence.key(located.id), claimKey };
    const known = this.seen.get(located.id);
    const drops = this.drops;
    let admitted =
      known === undefined
        ? await this.admission.run({ ...args, floor: await this.diskFloor(located), floorFromDisk: true })
        : await this.admission.run({ ...args, floor: known, floorFromDisk: false });
    if (admitted.kind === 'reseed')
      admitted = await this.admission.run({ ...args, floor: await this.diskFloor(located), floorFromDisk: true });
    if (admitted.kind === 'reseed') throw new Error('chat admission asked for a floor from disk twice');
    if (admitted.kind === 'seq' && known !== undefined && this.drops !== drops) {
      // resent after a reconnect with a remembered floor: the counter that answered may be behind the files
      admitted = { kind: 'seq', seq: await this.sequence.next(located.id, () => this.diskFloor(located)) };
    }
    if (admitted.kind === 'seq') this.see(located.id, admitted.seq);
    return admitted;
  }

  /**
   * The sender's line saved under this client id, on disk: a line in the file may be one whose
   * commit is in flight (or failed and was taken back out), so the file is synced and read again.
   */
  private async savedBefore(located: LocatedNegotiation, party: PartyRef, clientMessageId: string): Promise<ChatMessage | null> {
    if (!(await this.messages.findByClientId(located.dir, party.prefix, clientMessageId))) return null;
    try {
      await this.messages.syncParty(located.dir, party.prefix);
    } catch (e) {
      this.log.error({ err: e, negotiation_id: located.id }, 'message file sync failed');
      throw new ParleyError(ErrorCode.StorageFailed, 'the message could not be saved; it was not sent', 503);
    }
    return this.messages.findByClientId(located.dir, party.prefix, clientMessageId);
  }

  private diskFloor(located: LocatedNegotiation): Promise<number> {
    return this.messages.maxSeq(
      located.dir,
      located.meta.parties.map((p) => p.prefix),
    );
  }

  /** Remembers a seq handed out in the negotiation (any one is a safe floor: it is, or may be, on disk). */
  private see(negotiationId: string, seq: number): void {
    if (this.seen.size >= MAX_SEEN && !this.seen.has(negotiationId)) this.seen.clear();
    if (seq > (this.seen.get(negotiationId) ?? 0)) this.seen.set(negotiationId, seq);
  }

  private refusal(a: Exclude<Admission, { kind: 'seq' | 'claimed' | 'reseed' }>): ParleyError {
    if (a.kind === 'full') return this.actions.full();
    return (a.kind === 'actions' ? this.actions.limit : this.limit).refusal(a.msBeforeNext);
  }

  /** Appends one line (an offer record, or the AI's) to the party's own file; returns it once on disk. */
  async append(located: LocatedNegotiation, party: PartyRef, fields: Partial<ChatMessage> & { content: string }): Promise<ChatMessage> {
    const seq = await this.sequence.next(located.id, () => this.messages.maxSeq(located.dir));
    return this.write(located, party, seq, fields);
  }

  private async write(
    located: LocatedNegotiation,
    party: PartyRef,
    seq: number,
    fields: Partial<ChatMessage> & { content: string },
  ): Promise<ChatMessage> {
    const message: ChatMessage = {
      id: randomUUID(),
      seq,
      negotiation_id: located.id,
      sender_type: 'user',
      sender: party.user,
      timestamp: new Date().toISOString(),
      read: false,
      ...fields,
    };
    try {
      await this.messages.append(located.dir, party.prefix, [message]);
      this.metrics.messagesSaved.inc({ sender_type: 'user' });
    } catch (e) {
      if (e instanceof ParleyError && e.code === ErrorCode.NegotiationClosed && party.user !== 'ai') {
        // the directory moved under us: say whether it is being settled (retry) or over
        const now = await this.negotiations.locate(party.user, located.id);
        if (now && now.place !== 'active') throw closedError(now.place);
      }
      if (e instanceof ParleyError) throw e;
      this.log.error({ err: e, negotiation_id: located.id }, 'message append failed');
      throw new ParleyError(ErrorCode.StorageFailed, 'the message could not be saved; it was not sent', 503);
    }
    return message;
  }

  /** Before the gateway listens: lines that gateways gone before their party files were flushed left in their commit logs. */
  async onApplicationBootstrap(): Promise<void> {
    const { segments, restored } = await this.messages.recover();
    if (segments > 0) this.log.info({ segments, restored }, 'chat commit logs of stopped gateways replayed');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.messages.close();
    await this.admitRedis.quit().catch(() => this.admitRedis.disconnect());
  }
}
