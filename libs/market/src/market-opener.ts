import { randomUUID } from 'node:crypto';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { MarketFile, MarketStore, TeamStore } from '@parley/store';
import { BuiltinKind, DesignProblem, MarketDesign, assignTeams, builtinDesign, designToJson, parseDesign } from '@parley/negotiation';

export const BUILTIN_DESIGN_ID = /^builtin-(symmetric|asymmetric)$/;

export interface NewMarket {
  instructor: string;
  design_id: string;
  members: string[];
  title?: string;
  /** unix seconds; default now + the design's round length */
  ends_at?: number;
  round_seconds?: number;
  anonymise?: boolean;
  seed?: string;
  session_id?: string;
  /** default: a new UUID */
  id?: string;
}

/**
 * Opens a market: the design (a built-in one made for the number of teams, or an uploaded one), the
 * members seated on its teams, the clock. Written once by the instructor's request (or the session
 * round that opens it); later only its end is added.
 */
export class MarketOpener {
  constructor(
    private readonly markets: MarketStore,
    private readonly teams: TeamStore,
    /** Told once when a market's trading is closed early (the page's push: `market-update`). */
    private readonly ended: (market: MarketFile) => void = () => undefined,
  ) {}

  async open(input: NewMarket): Promise<MarketFile> {
    const members = [...new Set(input.members)];
    for (const email of members) if (!(await this.teams.read(email))) throw new ParleyError(ErrorCode.NotFound, `no team ${email}`, 404);
    const base = await this.design(input.design_id, members.length, input.seed ?? randomUUID());
    const seated = assignTeams(base, members);
    if (!seated.ok) throw designError(seated.problems.map((message) => ({ path: 'teams', message })));
    const now = Math.floor(Date.now() / 1000);
    const market: MarketFile = {
      id: input.id ?? randomUUID(),
      title: input.title ?? seated.design.title,
      instructor: input.instructor,
      ...(input.session_id ? { session_id: input.session_id } : {}),
      design: designToJson(seated.design),
      assignment: seated.assignment,
      anonymise: input.anonymise ?? false,
      created_at: now,
      ends_at: input.ends_at ?? now + (input.round_seconds ?? seated.design.round_seconds),
    };
    await this.markets.writeMarket(market);
    return market;
  }

  /** Closes trading now (idempotent). */
  async end(id: string): Promise<MarketFile | null> {
    const market = await this.markets.readMarket(id);
    if (!market || market.ended_at !== undefined) return market;
    const ended = { ...market, ended_at: Math.floor(Date.now() / 1000) };
    await this.markets.writeMarket(ended);
    this.ended(ended);
    return ended;
  }

  private async design(id: string, teams: number, seed: string): Promise<MarketDesign> {
    const builtin = BUILTIN_DESIGN_ID.exec(id);
    if (builtin) {
      if (teams < 2 || teams > 200) throw designError([{ path: 'teams', message: 'a built-in market needs 2 – 200 teams' }]);
      return builtinDesign({ kind: builtin[1] as BuiltinKind, teams, seed });
    }
    const stored = await this.markets.readDesign(id);
    if (!stored) throw new ParleyError(ErrorCode.NotFound, `no market design ${JSON.stringify(id)}`, 404);
    const parsed = parseDesign(stored);
    if (!parsed.ok) throw designError(parsed.problems);
    return parsed.design;
  }
}

/** INVALID_DESIGN with every problem in `problems` and the first in the message. */
export function designError(problems: DesignProblem[]): ParleyError {
  const first = problems[0];
  const where = first ? (first.line ? `line ${first.line}: ` : first.path ? `${first.path}: ` : '') : '';
  return new ParleyError(
    ErrorCode.InvalidDesign,
    `the design has ${problems.length} problem${problems.length === 1 ? '' : 's'}; first: ${where}${first?.message ?? ''}`,
    400,
    { problems },
  );
}
