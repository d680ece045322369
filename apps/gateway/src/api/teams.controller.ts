import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import type { TeamTransaction } from '@parley/contracts';
import { DataPaths, NegotiationStore, OrderStore, readTransactions, teamHoldings, TeamStore } from '@parley/store';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard } from '../auth/http-auth.guard';

/** The team's own dashboard: holdings (init + transactions), transactions newest first (with the other team's name), open orders. */
@Controller('api/teams')
@UseGuards(HttpAuthGuard)
export class TeamsController {
  constructor(
    @Inject(DataPaths) private readonly paths: DataPaths,
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(NegotiationStore) private readonly negotiations: NegotiationStore,
    @Inject(TeamStore) private readonly teams: TeamStore,
  ) {}

  @Get('me')
  async me(@CurrentUser() user: AuthUser) {
    const { paths, orders, negotiations } = this;
    const [holdings, stored, open, ids] = await Promise.all([
      teamHoldings(paths, user.email),
      readTransactions(paths, user.email),
      orders.listOf(user.email),
      negotiations.listIds(user.email),
    ]);
    const names = await this.teams.namesOf(stored.map((s) => s.transaction.counterparty));
    const transactions: TeamTransaction[] = stored
      .map(({ file, transaction }) => ({ file, ...transaction, counterparty_name: names.get(transaction.counterparty)! }))
      .sort((a, b) => b.timestamp - a.timestamp || b.file.localeCompare(a.file));
    return {
      user,
      holdings,
      transactions,
      orders: open.sort((a, b) => b.created_at - a.created_at),
      negotiations: { active: ids.active, archived: ids.archived },
    };
  }
}
