/** What the market endpoints answer (apps/gateway/src/api/markets.controller.ts). Money is integer cents. */
export interface MarketSummary {
  id: string;
  title: string;
  teams: number;
  anonymise: boolean;
  created_at: number;
  ends_at: number;
  ended_at?: number;
  running: boolean;
}

export interface MyMarket {
  market: MarketSummary;
  team: string;
  schedules: {
    chemical: string;
    side: 'buy' | 'sell';
    units: number;
    traded: number;
    steps: { quantity: number; value_cents?: number; cost_cents?: number }[];
  }[];
  cash_cents: number;
  goods: Record<string, number>;
  can_sell: Record<string, number>;
  profit_cents: number;
  trades: { at: number; chemical: string; side: string; price_cents: number; quantity: number }[];
}

export interface Leaderboard {
  anonymised: boolean;
  rows: { rank: number; team: string; name: string; profit_cents: number; you?: boolean }[];
}

export interface ChemicalAnalytics {
  chemical: string;
  equilibrium: { price_low_cents: number; price_high_cents: number; quantity_min: number; quantity_max: number; max_surplus_cents: number };
  demand: { from: number; to: number; cents: number }[];
  supply: { from: number; to: number; cents: number }[];
  trades: { at: number; price_cents: number; quantity: number }[];
  volume: number;
  mean_price_cents: number | null;
  efficiency: number | null;
}

export interface Analytics {
  market: MarketSummary;
  chemicals: ChemicalAnalytics[];
  efficiency: number | null;
  realised_surplus_cents: number;
  max_surplus_cents: number;
  volume: number;
  trade_count: number;
  teams: { team: string; name: string; email?: string; profit_cents: number }[];
}

export interface BoardOrder {
  id: string;
  owner: string;
  side: 'buy' | 'sell';
  chemical: string;
  price: number;
  quantity: number;
}

export const money = (cents: number | null | undefined): string =>
  cents === null || cents === undefined
    ? '–'
    : `${cents < 0 ? '−' : ''}$${Math.floor(Math.abs(cents) / 100).toLocaleString('en-US')}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
export const percent = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);
