import { parse } from 'csv-parse/sync';
import { CHEMICALS } from '@parley/contracts';
import { MAX_PRICE_CENTS, parseMoney } from '../money';
import { DesignProblem, DesignResult, MAX_CASH_CENTS, MAX_UNITS_PER_STEP, parseDesign } from './design';

/**
 * A design as CSV, one row per schedule step or holding (`#` starts a comment line):
 *
 *   team,type,chemical,quantity,amount
 *   T01,buy,C,1,12.00      a value step: 1 unit of C worth 12.00 to T01 (steps in row order)
 *   T02,sell,C,1,4.00      a cost step: 1 unit of C costs T02 4.00
 *   T02,cash,,,20.00       starting cash (optional)
 *   T02,hold,C,3,          starting units of C (optional)
 *
 * Id, title and round length come with the upload, not in the file.
 */
export interface DesignCsvOptions {
  id: string;
  title: string;
  round_seconds: number;
}

export const DESIGN_CSV_COLUMNS = ['team', 'type', 'chemical', 'quantity', 'amount'] as const;
const TYPES = ['buy', 'sell', 'cash', 'hold'];

interface TeamInput {
  team: string;
  holdings: Record<string, unknown>;
  schedules: { chemical: string; side: string; steps: Record<string, unknown>[] }[];
}

export function parseDesignCsv(text: string, options: DesignCsvOptions): DesignResult {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      comment: '#',
      bom: true,
      trim: true,
      info: true,
    });
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    return { ok: false, problems: [{ path: '', line, message: `not a readable CSV (${(e as Error).message})` }] };
  }
  const header = rows[0] ? Object.keys(rows[0].record) : [];
  const missing = DESIGN_CSV_COLUMNS.filter((c) => !header.includes(c));
  if (rows.length === 0)
    return { ok: false, problems: [{ path: '', line: 1, message: `no rows; the header is ${DESIGN_CSV_COLUMNS.join(',')}` }] };
  if (missing.length > 0) return { ok: false, problems: [{ path: '', line: 1, message: `missing column(s): ${missing.join(', ')}` }] };

  const problems: DesignProblem[] = [];
  const teamsWithBadRows = new Set<string>();
  const lines = new Map<string, number>();
  const teams: TeamInput[] = [];
  const byTeam = new Map<string, number>();
  for (const { record, info } of rows) {
    const line = info.lines;
    const bad = (message: string) => {
      problems.push({ path: '', line, message });
      teamsWithBadRows.add(record.team);
    };
    const { team, type, chemical, quantity, amount } = record;
    if (!team) {
      bad('team is empty');
      continue;
    }
    if (!TYPES.includes(type)) {
      bad(`type must be one of ${TYPES.join(', ')} (got "${type}")`);
      continue;
    }
    const needsChemical = type !== 'cash';
    if (needsChemical && !(CHEMICALS as readonly string[]).includes(chemical)) {
      bad(`chemical must be one of ${CHEMICALS.join(', ')} (got "${chemical}")`);
      continue;
    }
    const cellProblem = checkCells(type, quantity, amount);
    if (cellProblem) {
      bad(cellProblem);
      continue;
    }
    if (!byTeam.has(team)) {
      byTeam.set(team, teams.length);
      lines.set(`teams[${teams.length}]`, line);
      teams.push({ team, holdings: {}, schedules: [] });
    }
    const ti = byTeam.get(team)!;
    const t = teams[ti];
    if (type === 'cash' || type === 'hold') {
      const key = type === 'cash' ? 'cash' : chemical;
      if (key in t.holdings) {
        bad(`a second ${type} row for team ${team}${type === 'hold' ? ` and ${chemical}` : ''}`);
        continue;
      }
      t.holdings[key] = type === 'cash' ? amount : Number(quantity);
      lines.set(`teams[${ti}].holdings.${key}`, line);
      continue;
    }
    let si = t.schedules.findIndex((s) => s.chemical === chemical);
    if (si < 0) {
      si = t.schedules.length;
      t.schedules.push({ chemical, side: type, steps: [] });
      lines.set(`teams[${ti}].schedules[${si}]`, line);
    } else if (t.schedules[si].side !== type) {
      bad(`team ${team} both buys and sells ${chemical}; a team has one schedule per chemical`);
      continue;
    }
    const steps = t.schedules[si].steps;
    lines.set(`teams[${ti}].schedules[${si}].steps[${steps.length}]`, line);
    steps.push({ quantity: Number(quantity), [type === 'buy' ? 'value' : 'cost']: amount });
  }
  teams.forEach((t, ti) => {
    if (t.schedules.length === 0 && !teamsWithBadRows.has(t.team))
      problems.push({ path: '', line: lines.get(`teams[${ti}]`), message: `team ${t.team} has no buy or sell rows` });
  });
  // the rows that read well are still checked as a design, so one upload lists every problem; problems of
  // the whole market (a side missing, too few teams) wait until the rows are right, as they may follow from them
  const kept = teams.map((_, ti) => ti).filter((ti) => teams[ti].schedules.length > 0);
  const result = parseDesign({
    ...options,
    teams: kept.map((ti) => ({ ...teams[ti], holdings: Object.keys(teams[ti].holdings).length > 0 ? teams[ti].holdings : undefined })),
  });
  if (result.ok && problems.length === 0) return result;
  const rowsPath = (path: string) => path.replace(/^teams\[(\d+)\]/, (_, k: string) => `teams[${kept[Number(k)]}]`);
  const designProblems = result.ok ? [] : result.problems.map((p) => ({ ...p, line: lineOf(rowsPath(p.path), lines) }));
  const shown = problems.length > 0 ? designProblems.filter((p) => p.line !== undefined) : designProblems;
  return { ok: false, problems: [...problems, ...shown].sort(byLine) };
}

/** The quantity and amount cells of one row, by its type; null when they read well. */
function checkCells(type: string, quantity: string, amount: string): string | null {
  const needsQuantity = type !== 'cash';
  const min = type === 'hold' ? 0 : 1;
  if (
    needsQuantity &&
    !(
      /^\d{1,15}$/.test(quantity) &&
      Number(quantity) >= min &&
      Number(quantity) <= (type === 'hold' ? Number.MAX_SAFE_INTEGER : MAX_UNITS_PER_STEP)
    )
  )
    return quantity === '' ? 'quantity is empty' : `quantity must be a whole number of at least ${min} (got "${quantity}")`;
  if (type === 'hold') return amount === '' ? null : 'a hold row has a quantity, not an amount';
  if (amount === '') return 'amount is empty';
  const label = type === 'buy' ? 'value' : type === 'sell' ? 'cost' : 'cash';
  const r = parseMoney(amount, { label, max: type === 'cash' ? MAX_CASH_CENTS : MAX_PRICE_CENTS });
  return r.ok ? null : r.error;
}

/** The line of the longest known prefix of a problem's path ("teams[2].schedules[0].steps[1].value" → that step's row). */
function lineOf(path: string, lines: Map<string, number>): number | undefined {
  for (let p = path; p; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
    const line = lines.get(p);
    if (line !== undefined) return line;
    if (!/(\.[^.[\]]+|\[\d+\])$/.test(p)) break;
  }
  return undefined;
}

const byLine = (a: DesignProblem, b: DesignProblem) => (a.line ?? Infinity) - (b.line ?? Infinity);

/** "line 4: value 12.00 is above …" — one line per problem, for an upload's error list. */
export function describeProblems(problems: DesignProblem[]): string[] {
  return problems.map((p) => (p.line !== undefined ? `line ${p.line}: ${p.message}` : p.path ? `${p.path}: ${p.message}` : p.message));
}
