import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { Chemical, Order } from '@parley/contracts';
import { ensureDir, isNotFound, listDir, readJson, writeJsonAtomic } from './files';
import { DataPaths } from './paths';
import { isEmail, isUuid } from './validate';

/** data/teams/<email>/orders/<order_id>.json: each team's open buy/sell orders (the team is the writer). */
export class OrderStore {
  constructor(private readonly paths: DataPaths) {}

  async create(
    owner: string,
    o: { side: 'buy' | 'sell'; chemical: Chemical; price: number; quantity: number; market_id?: string },
  ): Promise<Order> {
    const order: Order = { id: randomUUID(), owner, ...o, created_at: Math.floor(Date.now() / 1000) };
    await ensureDir(this.paths.ordersDir(owner));
    await writeJsonAtomic(this.paths.order(owner, order.id), order);
    return order;
  }

  async listOf(owner: string): Promise<Order[]> {
    const names = (await listDir(this.paths.ordersDir(owner))).filter((n) => n.endsWith('.json') && isUuid(n.slice(0, -5)));
    const orders = await Promise.all(names.map((n) => readJson<Order>(this.paths.order(owner, n.slice(0, -5))).catch(() => null)));
    return orders.filter((o): o is Order => o !== null);
  }

  async listAll(): Promise<Order[]> {
    const teams = (await listDir(this.paths.teamsDir())).filter(isEmail);
    const all = (await Promise.all(teams.map((t) => this.listOf(t)))).flat();
    return all.sort((a, b) => b.created_at - a.created_at || a.id.localeCompare(b.id));
  }

  async find(id: string): Promise<Order | null> {
    if (!isUuid(id)) return null;
    for (const team of (await listDir(this.paths.teamsDir())).filter(isEmail)) {
      const o = await readJson<Order>(this.paths.order(team, id)).catch(() => null);
      if (o) return o;
    }
    return null;
  }

  /** Returns false when the order did not exist. */
  async remove(owner: string, id: string): Promise<boolean> {
    try {
      await unlink(this.paths.order(owner, id));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}
