import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import type { Machine } from './machine';
import { fmt } from './stats';

/** One benchmark's part of docs/BENCHMARKS.md. */
export interface Section {
  id: string;
  title: string;
  /** Markdown body: setup, tables, notes. */
  body: string;
  /** Rows of the summary table at the top. */
  headline: Headline[];
}

export interface Headline {
  what: string;
  parley: string;
  baseline: string;
  ratio: string;
  target: string;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cell = (c: string | number) => (typeof c === 'number' ? fmt(c) : c).replace(/\|/g, '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

export function notMeasured(id: string, title: string, why: string, what: string[]): Section {
  return {
    id,
    title,
    body: `**Not measured yet:** ${why}\n`,
    headline: what.map((w) => ({ what: w, parley: 'not measured yet', baseline: '–', ratio: '–', target: '' })),
  };
}

const ANALYSIS_START = '<!-- analysis:start -->';
const ANALYSIS_END = '<!-- analysis:end -->';

/**
 * Writes the report. The hand-written analysis between the analysis markers of the existing file is
 * kept, so re-running the benchmark refreshes the numbers without losing the discussion.
 */
export function writeReport(
  path: string,
  opts: { command: string; machine: Machine; date: string; smoke: boolean; sections: Section[]; totalMs: number; analysis?: string },
): string {
  let analysis = opts.analysis ?? '';
  if (existsSync(path)) {
    const old = readFileSync(path, 'utf8');
    const a = old.indexOf(ANALYSIS_START);
    const b = old.indexOf(ANALYSIS_END);
    if (a >= 0 && b > a) analysis = old.slice(a + ANALYSIS_START.length, b).trim();
  }
  const m = opts.machine;
  const headlines = opts.sections.flatMap((s) => s.headline);
  const md = [
    '# Parley benchmarks',
    '',
    `Measured ${opts.date}${opts.smoke ? ' — **smoke run (tiny sizes; the numbers mean nothing)**' : ''}. Every figure is printed next to its baseline,`,
    'measured in the same run on the same machine, and the ratio of the two. Targets are what we aim for, not assertions.',
    '',
    `Reproduce: \`${opts.command}\` (${fmt(opts.totalMs / 1000)} s for this run).${opts.smoke ? '' : ' `npm run bench:smoke` runs the same code on tiny sizes (CI).'}`,
    '',
    '## Machine',
    '',
    table(
      [
        'cores',
        'CPU',
        'memory',
        'OS',
        'Node',
        'Redis',
        'open files (ulimit -n)',
        'libuv threadpool',
        'load average (1/5/15 min) at start → end',
      ],
      [
        [
          String(m.cores),
          m.cpuModel,
          `${fmt(m.memoryGiB)} GiB (${fmt(m.freeGiB)} free)`,
          m.os,
          m.node,
          m.redis,
          m.fileLimit,
          m.uvThreadpool,
          `${m.loadAvg.map((x) => x.toFixed(2)).join(' / ')} → ${loadavg()
            .map((x) => x.toFixed(2))
            .join(' / ')}`,
        ],
      ],
    ),
    '',
    'Processes: the server under test (gateway, bare Socket.io server, workers) runs in its own child process, the',
    'socket.io clients in one or more other child processes, Redis in its own; all on the same cores, so client and',
    'Redis CPU is taken from the server. Traffic is on 127.0.0.1 only. Each run uses a private temp DATA_DIR and a',
    'unique Redis key prefix, removed at the end.',
    '',
    '## Summary',
    '',
    table(
      ['what', 'Parley', 'baseline (same run)', 'ratio', 'target'],
      headlines.map((h) => [h.what, h.parley, h.baseline, h.ratio, h.target]),
    ),
    '',
    ...opts.sections.flatMap((s) => [`## ${s.title}`, '', s.body.trim(), '']),
    '## Findings: the slowest part and the plan',
    '',
    ANALYSIS_START,
    analysis || '_Not written yet: run the full benchmark and describe what the numbers show._',
    ANALYSIS_END,
    '',
  ].join('\n');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, md);
  return md;
}
