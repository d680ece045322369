import IORedis from 'ioredis';
import { bullPrefix } from '@parley/queues';
import type { ParleyConfig } from '@parley/config';
import { fmt, summarize } from './stats';

export interface WallTimes {
  id: string;
  sent: number;
  ack?: number;
  update?: number;
}

/**
 * Where an agreement's time goes (BENCH_AGREEMENT_STAGES=1): the client's send, ack and update times
 * lined up with the agreement-check queue's own event stream (Redis stream ids carry the server's ms
 * clock; same machine): job added, picked up (active), completed. Returns one log line per stage.
 */
export async function agreementStages(config: ParleyConfig, wall: WallTimes[], sinceMs: number): Promise<string[]> {
  const redis = new IORedis(config.redisUrl, { maxRetriesPerRequest: null });
  const events = new Map<string, { added?: number; active?: number; completed?: number }>();
  try {
    const key = `${bullPrefix(config.redisPrefix)}:agreement-check:events`;
    const rows = (await redis.xrange(key, `${sinceMs}`, '+')) as [string, string[]][];
    for (const [streamId, fields] of rows) {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
      const m = /^check-(.+?)(-followup|-\d+)?$/.exec(f.jobId ?? '');
      if (!m) continue;
      const t = Number(streamId.split('-')[0]);
      const e = events.get(m[1]) ?? {};
      events.set(m[1], e);
      // the first of each: a follow-up job of the same negotiation comes later
      if ((f.event === 'added' || f.event === 'waiting' || f.event === 'duplicated') && e.added === undefined) e.added = t;
      else if (f.event === 'active' && e.active === undefined) e.active = t;
      else if (f.event === 'completed' && e.completed === undefined) e.completed = t;
    }
  } finally {
    redis.disconnect();
  }
  const stages: Record<string, number[]> = {
    'send → ack': [],
    'send → job added': [],
    'added → picked up': [],
    'picked up → completed': [],
    'completed → update at client': [],
    'ack → update': [],
  };
  for (const w of wall) {
    const e = events.get(w.id) ?? {};
    const push = (name: string, a?: number, b?: number) => a !== undefined && b !== undefined && stages[name].push(b - a);
    push('send → ack', w.sent, w.ack);
    push('send → job added', w.sent, e.added);
    push('added → picked up', e.added, e.active);
    push('picked up → completed', e.active, e.completed);
    push('completed → update at client', e.completed, w.update);
    push('ack → update', w.ack, w.update);
  }
  return Object.entries(stages).map(([name, xs]) => {
    const s = summarize(xs);
    return `  ${name}: n ${s.n}, p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms, mean ${fmt(s.mean)} ms`;
  });
}
