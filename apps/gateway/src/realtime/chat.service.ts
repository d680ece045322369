import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ChatMessage, ErrorCode, MAX_MESSAGE_LENGTH, ParleyError, PartyRef } from '@parley/contracts';
import type IORedis from 'ioredis';
import type { Logger } from 'pino';
import { CONFIG, LOGGER, ParleyConfig } from '@parley/config';
import { MessageLog, NegotiationStore, closedError, crashPoint, type LocatedNegotiation } from '@parley/store';
import { MessageSequence, ParleyMetrics, REDIS, redisKey } from '@parley/queues';
import { PerUserLimit } from './per-user-limit';

/** Control characters other than tab and newline never reach a file or another browser. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export interface SavedMessage {
  message: ChatMessage;
  /** True when the client message id had been saved before: nothing new was written or sent. */
  duplicate: boolean;
}

/**
 * Saves a party's chat line before anyone is told about it: per-user rate limit (in Redis, so it
 * holds across gateways), a client message id that makes a re-send a no-op, a sequence number,
 * then an fsynced append to the party's own messages file.
 */
@Injectable()
export class ChatService {
  private readonly limit: PerUserLimit;

  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(MessageSequence) private readonly sequence: MessageSequence,
    @Inject(MessageLog) private readonly messages: MessageLog,
    @Inject(NegotiationStore) private readonly negotiations: NegotiationStore,
    @Inject(ParleyMetrics) private readonly metrics: ParleyMetrics,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.limit = new PerUserLimit(
      redis,
      redisKey(config.redisPrefix, 'rl', 'messages'),
      config.messagesPerMinute,
      (n, s) => `at most ${n} messages a minute; try again in ${s} s`,
    );
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

  async save(located: LocatedNegotiation, party: PartyRef, content: string, clientMessageId?: string): Promise<SavedMessage> {
    // the caller checked the length; cleaning only removes characters
    const text = ChatService.clean(content);
    if (!text) throw new ParleyError(ErrorCode.InvalidPayload, 'empty message');
    const dedupeKey = clientMessageId ? redisKey(this.config.redisPrefix, 'cmid', located.id, party.prefix, clientMessageId) : null;
    if (dedupeKey && clientMessageId) {
      const earlier = await this.earlier(dedupeKey, located, party, clientMessageId);
      if (earlier) return { message: earlier, duplicate: true };
    }
    try {
      await this.limit.consume(party.user);
      const message = await this.append(located, party, { content: text, client_message_id: clientMessageId, kind: 'chat' });
      crashPoint('after-message-append');
      if (dedupeKey) await this.redis.set(dedupeKey, JSON.stringify(message), 'EX', 86400);
      return { message, duplicate: false };
    } catch (e) {
      if (dedupeKey) await this.redis.del(dedupeKey).catch(() => undefined);
      throw e;
    }
  }

  /** Appends one line (chat or offer record) to the party's own file; returns it once on disk. */
  async append(located: LocatedNegotiation, party: PartyRef, fields: Partial<ChatMessage> & { content: string }): Promise<ChatMessage> {
    const seq = await this.sequence.next(located.id, () => this.messages.maxSeq(located.dir));
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
   * The message saved earlier under this client id: from Redis, else from the sender's own file —
   * when Redis does not know the id (it lost it, or the key expired) and when another save holds it
   * "pending" (that gateway may have died between its append and its Redis write).
   */
  private async earlier(key: string, located: LocatedNegotiation, party: PartyRef, clientMessageId: string): Promise<ChatMessage | null> {
    const claimed = await this.redis.set(key, 'pending', 'EX', 60, 'NX');
    if (claimed !== 'OK') {
      const value = await this.redis.get(key);
      if (value && value !== 'pending') return JSON.parse(value) as ChatMessage;
    }
    const onDisk = await this.messages.findByClientId(located.dir, party.prefix, clientMessageId);
    if (onDisk) {
      await this.redis.set(key, JSON.stringify(onDisk), 'EX', 86400);
      return onDisk;
    }
    if (claimed === 'OK') return null;
    throw new ParleyError(ErrorCode.DuplicateInFlight, 'this message is still being saved; wait for its acknowledgement');
  }
}
