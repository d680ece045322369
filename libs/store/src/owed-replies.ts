import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NegotiationMeta } from '@parley/contracts';
import { listDir, readJson } from './files';
import { maxSeqInFile } from './message-index';
import { DataPaths, NegotiationFiles } from './paths';
import { isEmail, isUuid } from './validate';

export interface OwedAiTurn {
  negotiation_id: string;
  owner: string;
  /** The student's latest line, which no AI line follows. */
  trigger_seq: number;
}

/**
 * Active AI negotiations whose student spoke last, longer than `olderThanMs` ago: a reply job that
 * Redis lost (restarted empty) leaves exactly this behind. Cheap per negotiation: the highest
 * sequence number of each party's file comes from the incremental message index.
 */
export async function owedAiTurns(paths: DataPaths, olderThanMs: number, nowMs = Date.now()): Promise<OwedAiTurn[]> {
  const out: OwedAiTurn[] = [];
  for (const owner of (await listDir(paths.teamsDir())).filter(isEmail)) {
    // AI negotiations have UUIDs (NegotiationStore.createAi): a trade's `{initiator}_{responder}_…` is not read
    for (const id of (await listDir(paths.negotiationsDir(owner))).filter(isUuid)) {
      const dir = paths.negotiation(owner, id);
      const meta = await readJson<NegotiationMeta>(join(dir, NegotiationFiles.meta)).catch(() => null);
      if (meta?.kind !== 'ai' || meta.initiator !== owner) continue;
      const student = meta.parties.find((p) => p.user !== 'ai');
      if (!student) continue;
      const studentFile = join(dir, NegotiationFiles.messages(student.prefix));
      const [said, answered, st] = await Promise.all([
        maxSeqInFile(studentFile).catch(() => 0),
        maxSeqInFile(join(dir, NegotiationFiles.messages('ai'))).catch(() => 0),
        stat(studentFile).catch(() => null),
      ]);
      if (said > answered && st && nowMs - st.mtimeMs >= olderThanMs) out.push({ negotiation_id: id, owner, trigger_seq: said });
    }
  }
  return out;
}
