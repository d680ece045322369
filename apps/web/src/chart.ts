import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { FrontierChart, ZoneChart } from '@parley/negotiation/debrief';

// only the parts drawn here are bundled (Chart.js is tree-shakable)
export { Chart };
Chart.register(BarController, BarElement, CategoryScale, LinearScale, PointElement, LineElement, ScatterController, Legend, Title, Tooltip);

const YOU = '#1f6feb';
const THEM = '#b35900';
const ZONE = '#2e7d32';
const DEAL = '#111111';

const money = (unit?: string) => /^(usd|\$)/i.test((unit ?? '').trim());
/** Axis labels for an issue: "$8k" for large amounts of money, "$42" for small ones, plain numbers otherwise. */
const tick = (unit: string | undefined, max: number) => (v: number | string) => {
  const n = Number(v);
  if (!money(unit)) return n.toLocaleString('en-US');
  return max >= 10000 ? `$${(n / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })}k` : `$${n.toLocaleString('en-US')}`;
};

/** The deal as a chart: the bargaining zone on one issue, or both sides' values with the best possible packages for several. */
export function dealChartConfig(chart: ZoneChart | FrontierChart): ChartConfiguration {
  return (chart.kind === 'zone' ? zoneConfig(chart) : frontierConfig(chart)) as ChartConfiguration;
}

/** The same as the deal chart, in a sentence for screen readers (and its caption). */
export function describeDealChart(c: ZoneChart | FrontierChart): string {
  if (c.kind === 'zone') {
    const zone = c.zone
      ? `Deals both sides could accept lay between ${c.labels.their_walk_away} and ${c.labels.your_walk_away} (${c.issue.label.toLowerCase()}).`
      : `No ${c.issue.label.toLowerCase()} suited both sides: your walk-away was ${c.labels.your_walk_away}, theirs ${c.labels.their_walk_away}.`;
    return `${zone} ${c.labels.deal ? `The deal: ${c.labels.deal}.` : 'There was no deal.'}`;
  }
  const deal = c.deal ? `Your deal: ${c.deal.you} for you, ${c.deal.them} for them.` : 'There was no deal.';
  return `Value of each package to you and to them (out of 100). The line shows the best possible packages; walking away was worth ${c.your_walk_away} to you and ${c.their_walk_away} to them. ${deal}`;
}

const baseOptions = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false as const,
  plugins: { legend: { position: 'bottom' as const, labels: { boxWidth: 12, font: { size: 12 } } } },
};

function zoneConfig(c: ZoneChart): ChartConfiguration<'bar' | 'scatter'> {
  const rows = ['You accept', 'They accept', 'Both accept'];
  const unit = c.issue.unit;
  return {
    type: 'bar',
    data: {
      labels: rows,
      datasets: [
        {
          type: 'bar',
          label: 'Acceptable range',
          data: [c.you_accept, c.they_accept, c.zone ?? [c.issue.min, c.issue.min]] as unknown as number[],
          backgroundColor: [YOU, THEM, ZONE].map((x) => `${x}99`),
          borderColor: [YOU, THEM, ZONE],
          borderWidth: 1,
          barPercentage: 0.7,
        },
        ...(c.deal === null
          ? []
          : [
              {
                type: 'scatter' as const,
                label: `Deal: ${c.labels.deal}`,
                data: rows.map((y) => ({ x: c.deal!, y })) as unknown as number[],
                backgroundColor: DEAL,
                borderColor: '#ffffff',
                pointRadius: 7,
                pointStyle: 'rectRot',
                clip: false as const,
              },
            ]),
      ],
    },
    options: {
      ...baseOptions,
      indexAxis: 'y',
      scales: {
        x: {
          type: 'linear',
          min: c.issue.min,
          max: c.issue.max,
          ticks: { callback: tick(unit, c.issue.max), maxTicksLimit: 6 },
          title: { display: true, text: c.issue.label },
        },
        y: { type: 'category', labels: rows },
      },
    },
  } as ChartConfiguration<'bar' | 'scatter'>;
}

/** A scatter dataset drawn as a plain line (a frontier, a walk-away limit). */
export function lineDataset(points: { x: number; y: number }[], label: string, color: string, dash: number[] = []) {
  return {
    type: 'scatter' as const,
    label,
    data: points,
    showLine: true,
    borderColor: color,
    backgroundColor: color,
    borderDash: dash,
    pointRadius: 0,
    borderWidth: 2,
  };
}

function frontierConfig(c: FrontierChart): ChartConfiguration<'scatter'> {
  const line = lineDataset;
  return {
    type: 'scatter',
    data: {
      datasets: [
        line(
          c.frontier.map((p) => ({ x: p.you, y: p.them })),
          'Best possible packages',
          ZONE,
        ),
        line(
          [
            { x: c.your_walk_away, y: 0 },
            { x: c.your_walk_away, y: 100 },
          ],
          'Your walk-away',
          YOU,
          [6, 4],
        ),
        line(
          [
            { x: 0, y: c.their_walk_away },
            { x: 100, y: c.their_walk_away },
          ],
          'Their walk-away',
          THEM,
          [6, 4],
        ),
        ...(c.deal
          ? [
              {
                label: 'Your deal',
                data: [{ x: c.deal.you, y: c.deal.them }],
                backgroundColor: DEAL,
                pointRadius: 7,
                pointStyle: 'rectRot' as const,
                clip: false as const,
              },
            ]
          : []),
      ],
    },
    options: {
      ...baseOptions,
      scales: {
        x: { min: 0, max: 100, title: { display: true, text: 'Value to you (of 100)' } },
        y: { min: 0, max: 100, title: { display: true, text: 'Value to them (of 100)' } },
      },
    },
  };
}
