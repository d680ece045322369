import type { ChatMessage } from '@parley/contracts';
import type { SendResult, TrackedClient } from './cluster-client';
import { DiskAudit, aiReplies, corruption, duplicateMessages } from './cluster-disk';

/** One chat send as the test saw it. */
export interface SendRecord {
  client: string;
  negotiation_id: string;
  cmid: string;
  result: SendResult;
}

export interface ChatVerdict {
  attempted: number;
  acknowledged: number;
  /** Acknowledged sends whose message is on disk with the acknowledged id. */
  persisted: number;
  /** Acknowledged sends missing on disk, plus (message, room member) pairs never delivered. */
  lost: number;
  /** Messages saved twice or seqs used twice. */
  duplicated: number;
  /**
   * The same message pushed live again to a client that had it (a retried AI job re-sends its saved
   * reply; clients keep messages by id, so it shows once). Not a duplicate for the user.
   */
  repeatPushes: number;
  /** (message, member) pairs checked for delivery. */
  deliveries: number;
  /** Deliveries that came through a rejoin/sync rather than live. */
  recoveredBySync: number;
  /** Live messages that arrived with a lower seq than one the client had already seen. */
  inversions: number;
  problems: string[];
}

/**
 * The chat checks of every cluster and fault test: every acknowledged message is on disk; every
 * message on disk of a room reached every client that was in that room (live or by rejoin + sync);
 * nothing is on disk twice; no client shows a message that is not on disk. Repeated pushes of one id
 * are counted apart (clients keep messages by id).
 */
export function verifyChat(
  audit: DiskAudit,
  sends: SendRecord[],
  clients: TrackedClient[],
  options: { rooms?: (c: TrackedClient) => string[]; allowTornLines?: boolean } = {},
): ChatVerdict {
  const { rooms } = options;
  const problems: string[] = [];
  const onDisk = new Map<string, ChatMessage>();
  for (const n of audit.negotiations.values()) for (const m of n.messages) onDisk.set(m.id, m);

  let acknowledged = 0;
  let persisted = 0;
  let lost = 0;
  for (const s of sends) {
    if (s.result.status !== 'acked') continue;
    acknowledged++;
    const m = onDisk.get(s.result.message.id);
    if (m && m.client_message_id === s.cmid) persisted++;
    else {
      lost++;
      problems.push(`acked but not on disk: ${s.client} ${s.negotiation_id} ${s.cmid}`);
    }
  }

  let duplicated = 0;
  const dups = duplicateMessages(audit);
  duplicated += dups.length;
  problems.push(...dups);

  let deliveries = 0;
  let recoveredBySync = 0;
  let inversions = 0;
  let repeatPushes = 0;
  for (const c of clients) {
    for (const n of c.livePushes.values()) if (n > 1) repeatPushes += n - 1;
    for (const id of rooms ? rooms(c) : [...c.rooms.keys()]) {
      const n = audit.negotiations.get(id);
      const view = c.rooms.get(id);
      if (!n || !view) {
        problems.push(`${c.name}: room ${id} ${n ? 'never joined' : 'not on disk'}`);
        continue;
      }
      inversions += view.inversions;
      for (const m of n.messages) {
        deliveries++;
        if (!view.messages.has(m.id)) {
          lost++;
          problems.push(`${c.name}: never got seq ${m.seq} of ${id} (${m.sender_type} ${m.kind ?? 'chat'})`);
        } else if (!c.livePushes.has(m.id) && m.reply_to !== 0) {
          // the AI's opening (reply_to 0) is written at a room's first join: later joiners get it in the history
          recoveredBySync++;
        }
      }
      for (const m of view.messages.values()) {
        if (!onDisk.has(m.id)) problems.push(`${c.name}: shows message ${m.id} (seq ${m.seq}) that is not on disk`);
      }
    }
  }
  // a short write on a full disk leaves a torn line that was never acknowledged (an acknowledged
  // message that is torn shows up above as "acked but not on disk")
  problems.push(...(options.allowTornLines ? audit.badJson.map((f) => `unparseable JSON: ${f}`) : corruption(audit)));
  return {
    attempted: sends.length,
    acknowledged,
    persisted,
    lost,
    duplicated,
    repeatPushes,
    deliveries,
    recoveredBySync,
    inversions,
    problems,
  };
}

export interface AiVerdict {
  /** Student lines on disk in the practice negotiations. */
  lines: number;
  answered: number;
  unanswered: number;
  doubled: number;
  problems: string[];
}

/** One AI reply per student line, in every practice negotiation given. */
export function verifyAi(audit: DiskAudit, practiceIds: string[]): AiVerdict {
  const v: AiVerdict = { lines: 0, answered: 0, unanswered: 0, doubled: 0, problems: [] };
  for (const id of practiceIds) {
    const n = audit.negotiations.get(id);
    if (!n) {
      v.problems.push(`practice ${id} not on disk`);
      continue;
    }
    const r = aiReplies(n);
    v.lines += r.studentLines.length;
    v.unanswered += r.unanswered.length;
    v.doubled += r.doubled.length;
    v.answered += r.studentLines.length - r.unanswered.length;
    for (const m of r.unanswered) v.problems.push(`${id}: student line seq ${m.seq} has no AI reply`);
    for (const m of r.doubled) v.problems.push(`${id}: student line seq ${m.seq} has more than one AI reply`);
  }
  return v;
}

export function summarize(label: string, v: { problems: string[] }, max = 25): string {
  if (v.problems.length === 0) return `${label}: ok`;
  return `${label}: ${v.problems.length} problem(s)\n  ${v.problems.slice(0, max).join('\n  ')}${v.problems.length > max ? `\n  ... ${v.problems.length - max} more` : ''}`;
}

/** Messages on disk that a client of the room does not have (yet): what only a sync would bring. */
export function undelivered(audit: DiskAudit, clients: TrackedClient[]): { client: string; message: ChatMessage }[] {
  const out: { client: string; message: ChatMessage }[] = [];
  for (const c of clients) {
    for (const [id, view] of c.rooms) {
      for (const m of audit.negotiations.get(id)?.messages ?? []) if (!view.messages.has(m.id)) out.push({ client: c.name, message: m });
    }
  }
  return out;
}

/** Every client asks for everything after its watermark in every room (as after a reload); returns the failures. */
export async function syncAll(clients: TrackedClient[]): Promise<string[]> {
  const failures: string[] = [];
  for (let i = 0; i < clients.length; i += 25) {
    await Promise.all(
      clients.slice(i, i + 25).map(async (c) => {
        for (const id of c.rooms.keys()) await c.sync(id).catch((e) => failures.push(String((e as Error).message)));
      }),
    );
  }
  return failures;
}
