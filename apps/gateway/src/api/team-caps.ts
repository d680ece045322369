import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type IORedis from 'ioredis';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { CONFIG, ParleyConfig } from '@parley/config';
import { REDIS, redisKey } from '@parley/queues';
import { NegotiationStore, OrderStore } from '@parley/store';

const LOCK_MS = 10_000;
const WAIT_STEP_MS = 20;
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

  /** `orderId`: the order being answered, at most one open negotiation per order and responder. */
  async openNegotiation<T>(team: string, orderId: string | null, create: () => Promise<T>): Promise<T> {
    return this.locked(team, 'negotiations', async () => {
      const { active } = await this.negotiations.listIds(team);
      const max = this.config.maxOpenNegotiationsPerTeam;
      if (active.length >= max) throw capError(`at most ${max} open negotiations per team; finish or reject one first`);
      if (orderId) {
        for (const id of active) {
          const found = await this.negotiations.locate(team, id).catch(() => null);
          if (found?.meta.order_id === orderId && found.place === 'active') {
            throw new ParleyError(ErrorCode.Conflict, `you already have an open negotiation on this order (${id})`, 409);
          }
        }
      }
      return create();
    });
  }

  private async locked<T>(team: string, what: string, fn: () => Promise<T>): Promise<T> {
    const key = redisKey(this.config.redisPrefix, 'cap-lock', what, team);
    const token = randomUUID();
    const deadline = Date.now() + WAIT_MAX_MS;
    while ((await this.redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new ParleyError(ErrorCode.RateLimited, 'too many requests for this team at once; try again', 429);
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const capError = (message: string) => new ParleyError(ErrorCode.Conflict, message, 409);
