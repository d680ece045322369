import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type IORedis from 'ioredis';
import { ErrorCode, NegotiationMeta, ParleyError } from '@parley/contracts';
import { CONFIG, ParleyConfig } from '@parley/config';
import { REDIS, redisKey, releaseLock } from '@parley/queues';
import { NegotiationStore, OrderStore } from '@parley/store';

const LOCK_MS = 10_000;
const WAIT_FIRST_MS = 1;
const WAIT_STEP_MAX_MS = 20;
const WAIT_MAX_MS = 5_000;

/**
 * How much one team can open: orders, negotiations, one negotiation per (order, responder). A count
 * and the create it allows run under a short per-team Redis lock, so a burst of parallel requests
 * on any number of gateways cannot all pass the same count.
 */
@Injectable()
export class TeamCaps {
  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(NegotiationStore) private readonly negotiations: NegotiationStore,
  ) {}

  async createOrder<T>(team: string, create: () => Promise<T>): Promise<T> {
    return this.locked(team, 'orders', async () => {
      const open = (await this.orders.listOf(team)).length;
      const max = this.config.maxOpenOrdersPerTeam;
      if (open >= max) throw capError(`at most ${max} open orders per team; cancel one first`);
      return create();
    });
  }

  /**
   * `orderId`: the order being answered: one open negotiation per order and responder, so answering
   * twice gives back the open one (`existing`) instead of a second.
   */
  async openNegotiation(
    team: string,
    orderId: string | null,
    create: () => Promise<NegotiationMeta>,
  ): Promise<{ meta: NegotiationMeta; existing: boolean }> {
    return this.locked(team, 'negotiations', async () => {
      if (orderId) {
        const open = await this.openOn(team, orderId);
        if (open) return { meta: open, existing: true };
      }
      const { active } = await this.negotiations.listIds(team);
      const max = this.config.maxOpenNegotiationsPerTeam;
      if (active.length >= max) throw capError(`at most ${max} open negotiations per team; finish or reject one first`);
      return { meta: await create(), existing: false };
    });
  }

  /** The team's open negotiation on an order, if any. */
  async openOn(team: string, orderId: string): Promise<NegotiationMeta | null> {
    for (const id of (await this.negotiations.listIds(team)).active) {
      const found = await this.negotiations.locate(team, id).catch(() => null);
      if (found?.meta.order_id === orderId && found.place === 'active') return found.meta;
    }
    return null;
  }

  /**
   * Runs `fn` holding the promise locks of every team it changes (taken in name order, so two teams
   * taking each other's orders cannot wait on each other): a check of what a team can honour and the
   * write it allows cannot interleave with another of the same team's, on any gateway.
   */
  async withPromiseLocks<T>(teams: string[], fn: () => Promise<T>): Promise<T> {
    const [first, ...rest] = [...new Set(teams)].sort();
    if (!first) return fn();
    return this.locked(first, 'promises', () => (rest.length ? this.withPromiseLocks(rest, fn) : fn()));
  }

  /** Per lock key, the end of this process's queue: its requests wait here in turn, not by polling Redis. */
  private readonly queues = new Map<string, Promise<unknown>>();

  /**
   * Runs `fn` holding `what`'s lock of `team`. Requests of one process queue in order in memory,
   * so only the head of the queue asks Redis (other gateways hold the same key), retrying from
   * 1 ms with jittered backoff; the whole wait is bounded by WAIT_MAX_MS.
   */
  private async locked<T>(team: string, what: string, fn: () => Promise<T>): Promise<T> {
    const key = redisKey(this.config.redisPrefix, 'cap-lock', what, team);
    const deadline = Date.now() + WAIT_MAX_MS;
    const before = this.queues.get(key) ?? Promise.resolve();
    const turn = before.then(() => this.holdingRedisLock(key, deadline, fn));
    const tail = turn.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return turn;
  }

  private async holdingRedisLock<T>(key: string, deadline: number, fn: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    let step = WAIT_FIRST_MS;
    while ((await this.redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new ParleyError(ErrorCode.RateLimited, 'too many requests for this team at once; try again', 429);
      await new Promise((r) => setTimeout(r, step / 2 + Math.random() * step));
      step = Math.min(step * 2, WAIT_STEP_MAX_MS);
    }
    try {
      return await fn();
    } finally {
      await releaseLock(this.redis, key, token).catch(() => undefined);
    }
  }
}

const capError = (message: string) => new ParleyError(ErrorCode.Conflict, message, 409);
