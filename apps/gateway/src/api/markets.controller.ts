import { Body, Controller, Get, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { MarketFile, MarketStore, TeamStore, isEmail } from '@parley/store';
import { BUILTIN_DESIGN_ID, LoadedMarket, MarketBook, MarketOpener, designError } from '@parley/market';
import {
  BUILTIN_DESIGNS,
  DesignResult,
  MARKET_RULES,
  designToJson,
  marketAnalytics,
  marketResults,
  parseDesign,
  parseDesignCsv,
  scheduleUnits,
} from '@parley/negotiation';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard, requireInstructor } from '../auth/http-auth.guard';
import { parseBody } from './parse-body';

const uploadSchema = z.union([
  z.object({ design: z.unknown() }).strict(),
  z
    .object({
      csv: z.string().max(2_000_000),
      id: z.string(),
      title: z.string(),
      round_seconds: z.number().int(),
      partial_fills: z.boolean().optional(),
    })
    .strict(),
]);
const createSchema = z
  .object({
    design_id: z.string().max(64),
    teams: z.array(z.string().refine(isEmail, 'every team must be a registered e-mail')).min(2).max(200),
    title: z.string().min(1).max(120).optional(),
    round_seconds: z.number().int().min(30).max(86_400).optional(),
    anonymise: z.boolean().optional(),
    seed: z.string().max(64).optional(),
    session_id: z.string().max(64).optional(),
  })
  .strict();

/**
 * Markets with induced values: designs (built-in or uploaded as CSV/JSON), market runs, each team's
 * own view, the leaderboard and the instructor's analytics. Scores are computed from the transactions
 * and the schedules on every request, never stored.
 */
@Controller('api')
@UseGuards(HttpAuthGuard)
export class MarketsController {
  constructor(
    @Inject(MarketStore) private readonly store: MarketStore,
    @Inject(MarketBook) private readonly book: MarketBook,
    @Inject(TeamStore) private readonly teams: TeamStore,
    @Inject(MarketOpener) private readonly opener: MarketOpener,
  ) {}

  @Get('market/rules')
  rules() {
    return { rules: MARKET_RULES };
  }

  @Get('market/designs')
  async designs(@CurrentUser() user: AuthUser) {
    requireInstructor(user);
    const uploaded = [];
    for (const id of await this.store.listDesignIds()) {
      const r = parseDesign(await this.store.readDesign(id).catch(() => null));
      if (r.ok) uploaded.push({ id, title: r.design.title, teams: r.design.teams.length, round_seconds: r.design.round_seconds });
    }
    return { builtin: BUILTIN_DESIGNS.map((d) => ({ id: `builtin-${d.kind}`, ...d, teams: '2–200 (made for the class)' })), uploaded };
  }

  /** A design as JSON ({design}) or CSV ({csv, id, title, round_seconds}); refused with every problem and its line. */
  @Post('market/designs')
  async upload(@CurrentUser() user: AuthUser, @Body() body: unknown) {
    requireInstructor(user);
    const input = parseBody(uploadSchema, body);
    let result: DesignResult =
      'csv' in input
        ? parseDesignCsv(input.csv, { id: input.id, title: input.title, round_seconds: input.round_seconds })
        : parseDesign(input.design);
    if (result.ok && 'csv' in input && input.partial_fills === false)
      result = { ok: true, design: { ...result.design, partial_fills: false } };
    if (!result.ok) throw designError(result.problems);
    if (BUILTIN_DESIGN_ID.test(result.design.id)) throw designError([{ path: 'id', message: 'ids starting with builtin- are reserved' }]);
    await this.store.saveDesign(result.design.id, designToJson(result.design));
    return { id: result.design.id, title: result.design.title, teams: result.design.teams.length };
  }

  @Post('markets')
  async create(@CurrentUser() user: AuthUser, @Body() body: unknown) {
    requireInstructor(user);
    const { teams, ...rest } = parseBody(createSchema, body);
    return this.summary(await this.opener.open({ instructor: user.email, members: teams, ...rest }));
  }

  @Get('markets')
  async list(@CurrentUser() user: AuthUser) {
    const all = await this.store.listMarkets();
    const mine = all.filter((m) => (user.role === 'instructor' ? m.instructor === user.email : m.assignment[user.email] !== undefined));
    return { markets: mine.map((m) => this.summary(m)) };
  }

  @Post('markets/:id/end')
  async end(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.owned(user, id);
    return this.summary((await this.opener.end(id))!);
  }

  /** A team's own page: its schedules, what it holds and may still sell, its profit. Nothing of anyone else's. */
  @Get('markets/:id/me')
  async me(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    const market = await this.member(user, id);
    const team = market.teamOf(user.email)!;
    const trades = await this.book.trades(market);
    const position = await this.book.position(user.email, market);
    const profit = marketResults(market.design, trades).teams.find((t) => t.team === team.team)!;
    return {
      market: this.summary(market.file),
      team: team.team,
      schedules: team.schedules.map((s) => ({
        chemical: s.chemical,
        side: s.side,
        units: scheduleUnits(s),
        traded: s.side === 'buy' ? profit.bought[s.chemical] : profit.sold[s.chemical],
        steps: s.steps.map((st) => ({ quantity: st.quantity, [s.side === 'buy' ? 'value_cents' : 'cost_cents']: st.cents })),
      })),
      cash_cents: position.cash_cents,
      goods: position.goods,
      can_sell: position.sell_limit ?? {},
      profit_cents: profit.profit_cents,
      trades: trades
        .filter((t) => t.buyer === team.team || t.seller === team.team)
        .map((t) => ({
          at: t.at,
          chemical: t.chemical,
          side: t.buyer === team.team ? 'buy' : 'sell',
          price_cents: t.price_cents,
          quantity: t.quantity,
        })),
    };
  }

  /** Profit per team, best first. Anonymised for students when the market says so (their own row is always named). */
  @Get('markets/:id/leaderboard')
  async leaderboard(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query('anonymise') anonymise?: string) {
    const market = await this.member(user, id);
    const instructor = market.file.instructor === user.email;
    const hide = anonymise === '1' || (!instructor && market.file.anonymise);
    const results = marketResults(market.design, await this.book.trades(market));
    const rows = [];
    let rank = 0;
    for (const t of [...results.teams].sort((a, b) => b.profit_cents - a.profit_cents || a.team.localeCompare(b.team))) {
      const email = market.emailOf(t.team);
      const you = email === user.email;
      const name = hide && !you ? `Team ${t.team}` : email ? await this.teams.nameOf(email) : t.team;
      rows.push({ rank: ++rank, team: t.team, name, profit_cents: t.profit_cents, ...(you ? { you: true } : {}) });
    }
    return { market: this.summary(market.file), anonymised: hide, rows };
  }

  /** The instructor's view, live and in the debrief: prices against the equilibrium band, curves, efficiency, volume, profits. */
  @Get('markets/:id/analytics')
  async analytics(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    const market = await this.owned(user, id);
    const a = marketAnalytics(market.design, await this.book.trades(market));
    const names = await this.teams.namesOf(Object.keys(market.file.assignment));
    return {
      market: this.summary(market.file),
      ...a,
      teams: a.teams.map((t) => {
        const email = market.emailOf(t.team);
        return { ...t, name: email ? names.get(email)! : t.team, email };
      }),
    };
  }

  private async member(user: AuthUser, id: string): Promise<LoadedMarket> {
    const market = await this.book.load(id).catch(() => null);
    if (!market || (market.file.instructor !== user.email && !market.teamOf(user.email)))
      throw new ParleyError(ErrorCode.NotFound, 'no such market', 404);
    return market;
  }

  private async owned(user: AuthUser, id: string): Promise<LoadedMarket> {
    requireInstructor(user);
    const market = await this.book.load(id).catch(() => null);
    if (!market || market.file.instructor !== user.email) throw new ParleyError(ErrorCode.NotFound, 'no such market', 404);
    return market;
  }

  private summary(m: MarketFile) {
    const now = Math.floor(Date.now() / 1000);
    return {
      id: m.id,
      title: m.title,
      ...(m.session_id ? { session_id: m.session_id } : {}),
      teams: Object.keys(m.assignment).length,
      anonymise: m.anonymise,
      created_at: m.created_at,
      ends_at: m.ends_at,
      ...(m.ended_at !== undefined ? { ended_at: m.ended_at } : {}),
      running: m.ended_at === undefined && now < m.ends_at,
    };
  }
}
