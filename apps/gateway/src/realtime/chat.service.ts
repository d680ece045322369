import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
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

export interface SavedMessage {
  message: ChatMessage;
  /** True when the client message id had been saved before: nothing new was written or sent. */
  duplicate: boolean;
}

/**
 * Saves a party's chat line before anyone is told about it: per-user rate limits (in Redis, so they
 * hold across gateways), a client message id that makes a re-send a no-op and a sequence number —
 * all in one Redis round trip — then a durable append to the party's own messages file.
 */
@Injectable()
export class ChatService {
  private readonly limit: PerUserLimit;
  private readonly admission: ChatAdmission;

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
    this.admission = new ChatAdmission(redis, actions.limit, this.limit, config.maxLinesPerNegotiation);
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
   * saved before — known to Redis or found in the sender's own file — answers with the saved line.
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
    const [floor, onDisk] = await Promise.all([
      this.messages.maxSeq(
        located.dir,
        located.meta.parties.map((p) => p.prefix),
      ),
      clientMessageId ? this.messages.findByClientId(located.dir, party.prefix, clientMessageId) : null,
    ]);
    if (onDisk && claimKey) {
      // the sender's file is the truth: Redis lost the id, or the gateway that saved it died before telling Redis
      await this.actions.limit.consume(actor);
      this.remember(claimKey, onDisk);
      return { message: onDisk, duplicate: true };
    }
    const admitted = await this.admission.run({ actor, sender: party.user, sequenceKey: this.sequence.key(located.id), claimKey, floor });
    if (admitted.kind === 'claimed') {
      if (admitted.value && admitted.value !== 'pending') return { message: JSON.parse(admitted.value) as ChatMessage, duplicate: true };
      throw new ParleyError(ErrorCode.DuplicateInFlight, 'this message is still being saved; wait for its acknowledgement');
    }
    if (admitted.kind !== 'seq') throw this.refusal(admitted);
    try {
      const message = await this.write(located, party, admitted.seq, { content: text, client_message_id: clientMessageId, kind: 'chat' });
      crashPoint('after-message-append');
      if (claimKey) this.remember(claimKey, message);
      return { message, duplicate: false };
    } catch (e) {
      if (claimKey) await this.redis.del(claimKey).catch(() => undefined);
      throw e;
    }
  }

  private refusal(a: Exclude<Admission, { kind: 'seq' | 'claimed' }>): ParleyError {
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

  /**
   * The saved line under its client id, for re-sends (not awaited: until it lands the id reads
   * "pending", and a re-send then finds the line in the sender's file).
   */
  private remember(key: string, message: ChatMessage): void {
    this.redis
      .set(key, JSON.stringify(message), 'EX', 86400)
      .catch((err) => this.log.warn({ err }, 'client message id not recorded in Redis'));
  }
}
