import { z } from 'zod';
import { CHEMICALS, Chemical } from '@parley/contracts';
import { Cents, MAX_PRICE_CENTS, centsToNumber, formatCents, multiplyCents, parseMoney, sumCents } from '../money';

/**
 * A market design: induced values (Smith 1962). Each team has, per chemical it trades, a private value
 * schedule (it buys) or a cost schedule (it sells) as steps: a step of `quantity` units, each worth
 * `cents` to the team. Buyers' values never rise from one step to the next, sellers' costs never fall.
 */
export type MarketSide = 'buy' | 'sell';

export interface Step {
  quantity: number;
  /** A buyer's value or a seller's cost of each unit of the step. */
  cents: Cents;
}

export interface Schedule {
  chemical: Chemical;
  side: MarketSide;
  steps: Step[];
}

export interface TeamHoldings {
  cash_cents: Cents;
  goods: Record<Chemical, number>;
}

export interface TeamDesign {
  /** A team's e-mail, or a slot label (T01, …) that the session gives to a team when it joins. */
  team: string;
  holdings: TeamHoldings;
  schedules: Schedule[];
}

export interface MarketDesign {
  id: string;
  title: string;
  round_seconds: number;
  /** May an order be filled in parts (the rest stays posted)? Default yes. */
  partial_fills?: boolean;
  teams: TeamDesign[];
}

/** One thing wrong with a design: where (a JSON path, or the CSV line) and what. */
export interface DesignProblem {
  path: string;
  line?: number;
  message: string;
}

export type DesignResult = { ok: true; design: MarketDesign } | { ok: false; problems: DesignProblem[] };

export const MAX_UNITS_PER_STEP = 1_000_000;
export const MAX_CASH_CENTS: Cents = 100_000_000_000; // 1,000,000,000.00
export const TEAM_ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,119}$/;
export const DESIGN_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

const money = (label: string, max: Cents) =>
  z.union([z.number(), z.string()], { error: `${label} must be a number` }).transform((v, ctx) => {
    const r = parseMoney(v, { label, max });
    if (r.ok) return r.cents;
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  });

const units = (label: string, min: number, max: number) =>
  z
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(min, `${label} must be at least ${min}`)
    .max(max, `${label} must be at most ${max}`);

const stepJson = z.strictObject({
  quantity: units('quantity', 1, MAX_UNITS_PER_STEP),
  value: money('value', MAX_PRICE_CENTS).optional(),
  cost: money('cost', MAX_PRICE_CENTS).optional(),
});

const scheduleJson = z.strictObject({
  chemical: z.enum(CHEMICALS, { error: `chemical must be one of ${CHEMICALS.join(', ')}` }),
  side: z.enum(['buy', 'sell'], { error: 'side must be buy or sell' }),
  steps: z.array(stepJson).min(1, 'a schedule needs at least one step').max(100, 'at most 100 steps'),
});

const goodsCount = units('goods', 0, Number.MAX_SAFE_INTEGER);
const holdingsJson = z.strictObject({
  cash: money('cash', MAX_CASH_CENTS).optional(),
  C: goodsCount.optional(),
  N: goodsCount.optional(),
  D: goodsCount.optional(),
  Q: goodsCount.optional(),
});

const teamJson = z.strictObject({
  team: z.string({ error: 'team must be a text' }).regex(TEAM_ID, 'team must be letters, digits, . _ @ + - (max 120)'),
  holdings: holdingsJson.optional(),
  schedules: z.array(scheduleJson).min(1, 'a team needs at least one schedule').max(CHEMICALS.length),
});

const designJson = z.strictObject({
  id: z.string({ error: 'id must be a text' }).regex(DESIGN_ID, 'id must be lower-case letters, digits or - (max 64)'),
  title: z.string({ error: 'title must be a text' }).min(1, 'title must not be empty').max(120),
  round_seconds: units('round_seconds', 30, 86_400),
  partial_fills: z.boolean({ error: 'partial_fills must be true or false' }).optional(),
  teams: z.array(teamJson).min(2, 'a market needs at least two teams').max(200, 'at most 200 teams'),
});

type DesignJsonParsed = z.infer<typeof designJson>;

/** Validates a design in its file form (prices as numbers or strings with at most two decimals). */
export function parseDesign(input: unknown): DesignResult {
  const parsed = designJson.safeParse(input);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ path: pathText(i.path), message: i.message })) };
  }
  return checkDesign(parsed.data);
}

/** Reads a design from JSON text. */
export function parseDesignJson(text: string): DesignResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [{ path: '', message: `not valid JSON (${(e as Error).message})` }] };
  }
  return parseDesign(data);
}

/** The file form of a design (the inverse of parseDesign). */
export function designToJson(design: MarketDesign): unknown {
  return {
    id: design.id,
    title: design.title,
    round_seconds: design.round_seconds,
    ...(design.partial_fills === false ? { partial_fills: false } : {}),
    teams: design.teams.map((t) => ({
      team: t.team,
      holdings: { cash: centsToNumber(t.holdings.cash_cents), ...t.holdings.goods },
      schedules: t.schedules.map((s) => ({
        chemical: s.chemical,
        side: s.side,
        steps: s.steps.map((st) => ({ quantity: st.quantity, [s.side === 'buy' ? 'value' : 'cost']: centsToNumber(st.cents) })),
      })),
    })),
  };
}

/** The rules zod cannot say: one side per step key, monotone schedules, holdings that cover them, both sides present. */
function checkDesign(data: DesignJsonParsed): DesignResult {
  const problems: DesignProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const seen = new Map<string, number>();
  const teams: TeamDesign[] = data.teams.map((t, ti) => {
    const at = `teams[${ti}]`;
    if (seen.has(t.team)) add(`${at}.team`, `team ${t.team} appears twice (also teams[${seen.get(t.team)}])`);
    else seen.set(t.team, ti);
    const chemicals = new Set<Chemical>();
    const schedules: Schedule[] = t.schedules.map((s, si) => {
      const sAt = `${at}.schedules[${si}]`;
      if (chemicals.has(s.chemical)) add(`${sAt}.chemical`, `team ${t.team} has two schedules for ${s.chemical}`);
      chemicals.add(s.chemical);
      const key = s.side === 'buy' ? 'value' : 'cost';
      const other = s.side === 'buy' ? 'cost' : 'value';
      const steps = s.steps.map((st, k) => {
        const cents = st[key];
        if (st[other] !== undefined) add(`${sAt}.steps[${k}].${other}`, `a ${s.side} step has a ${key}, not a ${other}`);
        else if (cents === undefined) add(`${sAt}.steps[${k}].${key}`, `a ${s.side} step needs a ${key}`);
        return { quantity: st.quantity, cents: cents ?? 0 };
      });
      for (let k = 1; k < steps.length; k++) {
        const [prev, cur] = [steps[k - 1].cents, steps[k].cents];
        if (s.side === 'buy' && cur > prev)
          add(
            `${sAt}.steps[${k}].value`,
            `value ${formatCents(cur)} is above the previous step's ${formatCents(prev)}: a buyer's values must not rise`,
          );
        if (s.side === 'sell' && cur < prev)
          add(
            `${sAt}.steps[${k}].cost`,
            `cost ${formatCents(cur)} is below the previous step's ${formatCents(prev)}: a seller's costs must not fall`,
          );
      }
      return { chemical: s.chemical, side: s.side, steps };
    });
    const holdings = resolveHoldings(t.holdings, schedules);
    for (const s of schedules) {
      if (s.side !== 'sell') continue;
      const needed = scheduleUnits(s);
      if (holdings.goods[s.chemical] < needed)
        add(`${at}.holdings.${s.chemical}`, `holds ${holdings.goods[s.chemical]} ${s.chemical} but its cost schedule sells ${needed}`);
    }
    const budget = buyBudget(schedules);
    if (holdings.cash_cents < budget)
      add(
        `${at}.holdings.cash`,
        `cash ${formatCents(holdings.cash_cents)} cannot pay for its value schedule at its values (${formatCents(budget)})`,
      );
    return { team: t.team, holdings, schedules };
  });
  for (const chemical of CHEMICALS) {
    const sides = new Set(teams.flatMap((t) => t.schedules.filter((s) => s.chemical === chemical).map((s) => s.side)));
    if (sides.size === 1) add('teams', `${chemical} has ${sides.has('buy') ? 'buyers but no sellers' : 'sellers but no buyers'}`);
  }
  if (problems.length > 0) return { ok: false, problems };
  const partial = data.partial_fills === false ? { partial_fills: false } : {};
  return { ok: true, design: { id: data.id, title: data.title, round_seconds: data.round_seconds, ...partial, teams } };
}

/**
 * Holdings not given in the file: a seller holds exactly the units its cost schedule sells, a buyer has
 * the cash to pay its whole value schedule at its values, everything else is 0.
 */
function resolveHoldings(given: DesignJsonParsed['teams'][number]['holdings'], schedules: Schedule[]): TeamHoldings {
  const goods: Record<Chemical, number> = { C: 0, N: 0, D: 0, Q: 0 };
  for (const s of schedules) if (s.side === 'sell') goods[s.chemical] = scheduleUnits(s);
  for (const c of CHEMICALS) if (given?.[c] !== undefined) goods[c] = given[c]!;
  return { cash_cents: given?.cash ?? buyBudget(schedules), goods };
}

export function scheduleUnits(s: Schedule): number {
  return s.steps.reduce((n, st) => n + st.quantity, 0);
}

/** What a team's value schedules cost if it bought every unit at its value. */
function buyBudget(schedules: Schedule[]): Cents {
  return sumCents(schedules.filter((s) => s.side === 'buy').flatMap((s) => s.steps.map((st) => multiplyCents(st.cents, st.quantity))));
}

/** The chemicals some team trades in the design, in CHEMICALS order. */
export function designChemicals(design: MarketDesign): Chemical[] {
  return CHEMICALS.filter((c) => design.teams.some((t) => t.schedules.some((s) => s.chemical === c)));
}

export function scheduleOf(design: MarketDesign, team: string, chemical: Chemical): Schedule | undefined {
  return design.teams.find((t) => t.team === team)?.schedules.find((s) => s.chemical === chemical);
}

function pathText(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
