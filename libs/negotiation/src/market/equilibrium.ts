import { Chemical } from '@parley/contracts';
import { Cents, multiplyCents } from '../money';
import { MarketDesign, Step } from './design';

/** Induced demand (values, highest first) and supply (costs, lowest first) of one chemical, as steps. */
export interface Curves {
  chemical: Chemical;
  demand: Step[];
  supply: Step[];
}

/**
 * The competitive equilibrium of a step market. Unit k of demand is the k-th highest value v_k, unit k
 * of supply the k-th lowest cost c_k. Q* is the largest k with v_k ≥ c_k (0 if none). A price clears
 * the market exactly when max(c_Q*, v_Q*+1) ≤ p ≤ min(v_Q*, c_Q*+1), with c_0 = 0, v_0 = c_none = ∞ and
 * v_none = 0: every price in that band, and no other, leaves no buyer or seller wanting to trade more.
 * Ties at the margin (v_k = c_k) make the quantity a range: [Q>, Q*], Q> the largest k with v_k > c_k.
 */
export interface Equilibrium {
  chemical: Chemical;
  price_low_cents: Cents;
  price_high_cents: Cents;
  quantity_min: number;
  quantity_max: number;
  /** Σ (v_k − c_k) over k ≤ Q*: the most gains from trade any allocation can realise. */
  max_surplus_cents: Cents;
}

export function curves(design: MarketDesign, chemical: Chemical): Curves {
  const demand: Step[] = [];
  const supply: Step[] = [];
  for (const t of design.teams)
    for (const s of t.schedules) if (s.chemical === chemical) (s.side === 'buy' ? demand : supply).push(...s.steps);
  return { chemical, demand: mergeSteps(demand, (a, b) => b - a), supply: mergeSteps(supply, (a, b) => a - b) };
}

/** Sorted by price, one step per price. */
function mergeSteps(steps: Step[], order: (a: Cents, b: Cents) => number): Step[] {
  const out: Step[] = [];
  for (const s of [...steps].sort((a, b) => order(a.cents, b.cents))) {
    const last = out[out.length - 1];
    if (last && last.cents === s.cents) last.quantity += s.quantity;
    else out.push({ ...s });
  }
  return out;
}

export function equilibrium({ chemical, demand, supply }: Curves): Equilibrium {
  if (demand.length === 0 || supply.length === 0) throw new Error(`${chemical}: a market needs buyers and sellers`);
  let q = 0;
  let qStrict = 0;
  let surplus = 0;
  let i = 0;
  let j = 0;
  let leftD = demand[0].quantity;
  let leftS = supply[0].quantity;
  while (i < demand.length && j < supply.length && demand[i].cents >= supply[j].cents) {
    const n = Math.min(leftD, leftS);
    q += n;
    surplus += multiplyCents(demand[i].cents - supply[j].cents, n);
    if (demand[i].cents > supply[j].cents) qStrict = q;
    leftD -= n;
    leftS -= n;
    if (leftD === 0 && ++i < demand.length) leftD = demand[i].quantity;
    if (leftS === 0 && ++j < supply.length) leftS = supply[j].quantity;
  }
  const low = Math.max(q > 0 ? unitPrice(supply, q)! : 0, unitPrice(demand, q + 1) ?? 0);
  const high = Math.min(q > 0 ? unitPrice(demand, q)! : Infinity, unitPrice(supply, q + 1) ?? Infinity);
  return { chemical, price_low_cents: low, price_high_cents: high, quantity_min: qStrict, quantity_max: q, max_surplus_cents: surplus };
}

export function designEquilibria(design: MarketDesign, chemicals: Chemical[]): Equilibrium[] {
  return chemicals.map((c) => equilibrium(curves(design, c)));
}

/** The price of unit k (1-based) of a sorted step list, or undefined past its end. */
export function unitPrice(steps: Step[], k: number): Cents | undefined {
  let seen = 0;
  for (const s of steps) {
    seen += s.quantity;
    if (k <= seen) return s.cents;
  }
  return undefined;
}

/** Points for a step chart: each step covers units (from, to] at its price. */
export function stepChart(steps: Step[]): { from: number; to: number; cents: Cents }[] {
  let to = 0;
  return steps.map((s) => ({ from: to, to: (to += s.quantity), cents: s.cents }));
}
