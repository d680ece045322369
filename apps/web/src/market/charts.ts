import type { ChartConfiguration } from 'chart.js';
import type { ChemicalAnalytics } from './types';

const BAND = '#2e7d32';
const TRADE = '#1f6feb';
const DEMAND = '#1f6feb';
const SUPPLY = '#b35900';

/** Each trade's price over time, with the competitive equilibrium price band as two lines. */
export function priceChart(c: ChemicalAnalytics, start: number): ChartConfiguration {
  const points = c.trades.map((t) => ({ x: Math.max(0, t.at - start) / 60, y: t.price_cents / 100 }));
  const end = Math.max(1, ...points.map((p) => p.x));
  const line = (label: string, cents: number, dash: number[]) => ({
    type: 'scatter' as const,
    label,
    data: [
      { x: 0, y: cents / 100 },
      { x: end, y: cents / 100 },
    ],
    showLine: true,
    borderColor: BAND,
    borderDash: dash,
    pointRadius: 0,
  });
  return {
    type: 'scatter',
    data: {
      datasets: [
        { label: `${c.chemical} trades`, data: points, backgroundColor: TRADE, pointRadius: 4 },
        line('equilibrium band, low', c.equilibrium.price_low_cents, [6, 4]),
        line('equilibrium band, high', c.equilibrium.price_high_cents, [2, 2]),
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'minutes into the round' } },
        y: { title: { display: true, text: 'price per unit ($)' } },
      },
    },
  };
}

/** The induced demand (values, highest first) and supply (costs, lowest first) as step lines. */
export function curvesChart(c: ChemicalAnalytics): ChartConfiguration {
  const steps = (s: { from: number; to: number; cents: number }[]) =>
    s.flatMap((p) => [
      { x: p.from, y: p.cents / 100 },
      { x: p.to, y: p.cents / 100 },
    ]);
  return {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'demand (values)', data: steps(c.demand), showLine: true, borderColor: DEMAND, backgroundColor: DEMAND, pointRadius: 0 },
        { label: 'supply (costs)', data: steps(c.supply), showLine: true, borderColor: SUPPLY, backgroundColor: SUPPLY, pointRadius: 0 },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: 'units' } }, y: { title: { display: true, text: 'value or cost per unit ($)' } } },
    },
  };
}
