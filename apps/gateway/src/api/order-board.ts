import { Inject, Injectable } from '@nestjs/common';
import { BoardOrder, Order } from '@parley/contracts';
import { DataPaths, isEmail, isUuid, readJson, listDir, TeamStore } from '@parley/store';

/**
 * The order board for GET /api/orders. An order file is written once and only ever deleted, so each
 * is parsed once and kept (dropped when its file is gone); a scan is then one directory listing per
 * team. Concurrent loads share scans: at most one runs and one waits, and every request gets a scan
 * that started after it arrived, so a team always sees the order it just posted.
 */
@Injectable()
export class OrderBoard {
  private readonly parsed = new Map<string, Order>();
  private running: Promise<Order[]> | null = null;
  private queued: Promise<Order[]> | null = null;

  constructor(
    @Inject(DataPaths) private readonly paths: DataPaths,
    @Inject(TeamStore) private readonly teams: TeamStore,
  ) {}

  /**
   * Orders as people read them: those of the free board with their owners' names, read afresh (an
   * account can be renamed). A market's board shows no owner, as its teams may be anonymised.
   */
  async named(orders: Order[]): Promise<BoardOrder[]> {
    const names = await this.teams.namesOf(orders.filter((o) => !o.market_id).map((o) => o.owner));
    return orders.map((o) => (o.market_id ? o : { ...o, owner_name: names.get(o.owner) }));
  }

  list(): Promise<Order[]> {
    if (!this.running) {
      this.running = this.scan().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.queued ??= this.running.then(
      () => this.next(),
      () => this.next(),
    );
    return this.queued;
  }

  private next(): Promise<Order[]> {
    this.queued = null;
    return this.list();
  }

  private async scan(): Promise<Order[]> {
    const teams = (await listDir(this.paths.teamsDir())).filter(isEmail);
    const seen = new Set<string>();
    const perTeam = await Promise.all(
      teams.map(async (team) => {
        const names = (await listDir(this.paths.ordersDir(team))).filter((n) => n.endsWith('.json') && isUuid(n.slice(0, -5)));
        const orders: Order[] = [];
        for (const name of names) {
          const path = this.paths.order(team, name.slice(0, -5));
          seen.add(path);
          let order = this.parsed.get(path);
          if (!order) {
            const read = await readJson<Order>(path).catch(() => null);
            if (!read) continue;
            order = read;
            this.parsed.set(path, order);
          }
          orders.push(order);
        }
        return orders;
      }),
    );
    for (const path of this.parsed.keys()) if (!seen.has(path)) this.parsed.delete(path);
    return perTeam.flat().sort((a, b) => b.created_at - a.created_at || a.id.localeCompare(b.id));
  }
}
