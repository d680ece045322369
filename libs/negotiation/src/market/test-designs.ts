import { Chemical } from '@parley/contracts';
import { MarketDesign, parseDesign } from './design';

/**
 * A one-chemical design for tests, through the real parser: buyers B1, B2, … with the given value steps,
 * sellers S1, S2, … with the given cost steps; each step is [quantity, price in money] or a price (1 unit).
 */
export function smallDesign(
  buyers: (number | [number, number])[][],
  sellers: (number | [number, number])[][],
  chemical: Chemical = 'C',
): MarketDesign {
  const steps = (list: (number | [number, number])[], key: 'value' | 'cost') =>
    list.map((s) => (Array.isArray(s) ? { quantity: s[0], [key]: s[1] } : { quantity: 1, [key]: s }));
  const result = parseDesign({
    id: 'test',
    title: 'test',
    round_seconds: 300,
    teams: [
      ...buyers.map((b, i) => ({ team: `B${i + 1}`, schedules: [{ chemical, side: 'buy', steps: steps(b, 'value') }] })),
      ...sellers.map((s, i) => ({ team: `S${i + 1}`, schedules: [{ chemical, side: 'sell', steps: steps(s, 'cost') }] })),
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.design;
}
