import { stat } from 'node:fs/promises';
import { DataPaths } from '@parley/store';
import { SettlementResult, sweepOnce } from '@parley/settlement';

/**
 * `npm run parley -- sweep`: one agreement pass over DATA_DIR without Redis (nobody to tell, so no
 * events). Works on trees written by seed 000's program too. Prints one line per negotiation it
 * settled, failed, rejected or could not judge, then a summary. Returns the exit code.
 */
export async function sweepCommand(dataDir: string, out: (line: string) => void): Promise<number> {
  const paths = new DataPaths(dataDir);
  if (
    !(await stat(paths.root).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    out(`error: DATA_DIR ${paths.root} does not exist`);
    return 1;
  }
  const results = await sweepOnce(paths);
  const counts: Record<string, number> = {};
  for (const r of results) {
    counts[r.action] = (counts[r.action] ?? 0) + 1;
    const line = describe(r);
    if (line) out(line);
  }
  const n = (a: string) => counts[a] ?? 0;
  out(
    `sweep: ${n('settled')} settled, ${n('failed')} failed, ${n('rejected')} rejected, ${n('untouched')} still open` +
      (n('busy') ? `, ${n('busy')} being settled by another process` : '') +
      (n('skipped') ? `, ${n('skipped')} skipped` : '') +
      (n('error') ? `, ${n('error')} errors` : ''),
  );
  return n('error') ? 1 : 0;
}

function describe(r: SettlementResult): string | null {
  const where = r.owner ? `${r.negotiation_id} (${r.owner})` : r.negotiation_id;
  switch (r.action) {
    case 'settled': {
      const t = r.outcome?.deal_terms.terms ?? {};
      const terms = Object.entries(t)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      const score = r.outcome?.final_score ? `, score ${r.outcome.final_score.overall}` : '';
      return `settled ${where}: ${terms}${score}`;
    }
    case 'failed':
    case 'rejected':
    case 'expired':
    case 'skipped':
    case 'error':
      return `${r.action} ${where}: ${r.reason ?? ''}`.trimEnd();
    default:
      return null;
  }
}
