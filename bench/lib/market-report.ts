import { formatCents } from '@parley/negotiation';
import type { ZiRoundResult } from './market-bots';

/**
 * The ZI part's figures as markdown, written by the bench into docs/MARKET.md (never by hand): per
 * design and chemical the equilibrium band and Q*, then Parley's and the double auction's efficiency,
 * volume and mean price, with the double auction's trade counts per round.
 */
export function ziSection(kind: string, r: ZiRoundResult): string[] {
  const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
  const money = (c: number | null) => (c === null ? '–' : formatCents(c));
  const da = r.double_auction;
  const perRound = da.trades / r.da_rounds;
  const rows = r.parley.chemicals.map((p) => {
    const d = da.chemicals.find((c) => c.chemical === p.chemical);
    const e = p.equilibrium;
    const q = e.quantity_min === e.quantity_max ? `${e.quantity_max}` : `${e.quantity_min}–${e.quantity_max}`;
    return (
      `| ${p.chemical} | ${money(e.price_low_cents)}–${money(e.price_high_cents)} | ${q} ` +
      `| ${pct(p.efficiency)} | ${p.volume} | ${money(p.mean_price_cents)} ${versusBand(p.mean_price_cents, e)} ` +
      `| ${pct(d?.efficiency ?? null)} | ${d ? d.volume_per_round.toFixed(0) : '–'} | ${money(d?.mean_price_cents ?? null)} ${versusBand(d?.mean_price_cents ?? null, e)} |`
    );
  });
  const refused =
    Object.entries(r.refused)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  const gap = r.parley.efficiency === null ? null : (r.parley.efficiency - da.efficiency) * 100;
  return [
    `**${kind}** (${r.elapsed_s.toFixed(0)} s through Parley; refused at the act: ${refused}):`,
    '',
    '| chemical | equilibrium band | Q* | Parley efficiency | Parley volume | Parley mean price | DA efficiency | DA volume / round | DA mean price |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    `| all | | | ${pct(r.parley.efficiency)} | ${r.parley.trade_count} trades | | ${pct(da.efficiency)} (rounds ${da.efficiency_per_round.map((x) => (x * 100).toFixed(1)).join(', ')}) | ${perRound.toFixed(1)} trades / round (${da.trades} in ${r.da_rounds}) | |`,
    '',
    gap === null
      ? 'No surplus was possible, so no efficiency.'
      : `Parley's bilateral orders reached ${pct(r.parley.efficiency)}, ${Math.abs(gap).toFixed(1)} points ${gap < 0 ? 'below' : 'above'} the double auction's mean.`,
    '',
  ];
}

/** Where a mean price sits against the equilibrium band: "(in band)", "(+1.20 above)", "(−0.35 below)". */
function versusBand(cents: number | null, e: { price_low_cents: number; price_high_cents: number }): string {
  if (cents === null) return '';
  if (cents > e.price_high_cents) return `(+${formatCents(cents - e.price_high_cents)} above)`;
  if (cents < e.price_low_cents) return `(−${formatCents(e.price_low_cents - cents)} below)`;
  return '(in band)';
}
