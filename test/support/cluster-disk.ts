import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage, NegotiationMeta, Outcome, PartyState, TeamInit, Transaction } from '@parley/contracts';

/**
 * Reads DATA_DIR the way an auditor would after a crash: every JSON file must parse, every JSONL line
 * must parse except a torn last line (a crash mid-append leaves one; it was never acknowledged), and
 * the negotiations, messages, outcomes and transaction files are returned for the tests' checks.
 */

export interface NegotiationOnDisk {
  id: string;
  owner: string;
  place: 'active' | 'settling' | 'archived';
  dir: string;
  meta: NegotiationMeta | null;
  states: PartyState[];
  outcome: Outcome | null;
  messages: ChatMessage[];
}

export interface DiskAudit {
  negotiations: Map<string, NegotiationOnDisk>;
  /** The same id found in two places (e.g. active and archived): a settlement that went wrong. */
  duplicatePlaces: string[];
  transactions: { team: string; file: string; tx: Transaction }[];
  teams: Map<string, TeamInit>;
  jsonFiles: number;
  jsonlLines: number;
  badJson: string[];
  badLines: { file: string; line: number; tail: boolean }[];
  /** Read while the tree was changing: entries that moved away mid-walk were skipped. */
  live: boolean;
}

const PLACES = [
  ['negotiations', 'active'],
  ['negotiations_settling', 'settling'],
  ['negotiations_archive', 'archived'],
] as const;

/**
 * Reads every negotiation, transaction and order under `dataDir`. `live`: the tree is still being
 * changed (a poll while settlers run), so an entry moved away between its listing and its read is
 * skipped (the next poll finds it in its new place); a quiet tree's audit keeps that an error.
 */
export function auditDisk(dataDir: string, options: { live?: boolean } = {}): DiskAudit {
  const audit: DiskAudit = {
    negotiations: new Map(),
    duplicatePlaces: [],
    transactions: [],
    teams: new Map(),
    jsonFiles: 0,
    jsonlLines: 0,
    badJson: [],
    badLines: [],
    live: options.live ?? false,
  };
  const teamsDir = join(dataDir, 'teams');
  if (!existsSync(teamsDir)) return audit;
  for (const team of list(audit, teamsDir)) {
    const teamDir = join(teamsDir, team);
    if (!isDirectory(audit, teamDir)) continue;
    const init = json<TeamInit>(audit, join(teamDir, 'init.json'));
    if (init) audit.teams.set(team, init);
    for (const [sub, place] of PLACES) {
      const base = join(teamDir, sub);
      if (!existsSync(base)) continue;
      for (const id of list(audit, base)) {
        const dir = join(base, id);
        // a responder holds a symlink to the initiator's directory: read each negotiation once
        if (!isDirectory(audit, dir)) continue;
        const n = readNegotiation(audit, team, id, place, dir);
        if (!n) continue;
        if (audit.negotiations.has(id)) audit.duplicatePlaces.push(id);
        audit.negotiations.set(id, n);
      }
    }
    const txDir = join(teamDir, 'transactions');
    if (existsSync(txDir)) {
      for (const file of list(audit, txDir).filter((f) => f.endsWith('.json'))) {
        const tx = json<Transaction>(audit, join(txDir, file));
        if (tx) audit.transactions.push({ team, file, tx });
      }
    }
    const ordersDir = join(teamDir, 'orders');
    if (existsSync(ordersDir)) for (const f of list(audit, ordersDir).filter((x) => x.endsWith('.json'))) json(audit, join(ordersDir, f));
  }
  return audit;
}

/** Null when the directory moved away meanwhile (a live audit only). */
function readNegotiation(
  audit: DiskAudit,
  owner: string,
  id: string,
  place: NegotiationOnDisk['place'],
  dir: string,
): NegotiationOnDisk | null {
  const n: NegotiationOnDisk = { id, owner, place, dir, meta: null, states: [], outcome: null, messages: [] };
  const files = vanishedAsNull(audit, () => readdirSync(dir));
  if (!files) return null;
  for (const f of files) {
    const p = join(dir, f);
    if (f === 'negotiation.json') n.meta = json(audit, p);
    else if (f === 'outcome.json') n.outcome = json(audit, p);
    else if (f.endsWith('_state.json')) {
      const s = json<PartyState>(audit, p);
      if (s) n.states.push(s);
    } else if (f.endsWith('_messages.jsonl')) n.messages.push(...jsonl<ChatMessage>(audit, p));
  }
  n.messages.sort((a, b) => a.seq - b.seq);
  return n;
}

/** `read()`, or null when a live audit finds the entry moved away (ENOENT); otherwise it throws. */
function vanishedAsNull<T>(audit: DiskAudit, read: () => T): T | null {
  try {
    return read();
  } catch (e) {
    if (audit.live && (e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

const list = (audit: DiskAudit, dir: string) => vanishedAsNull(audit, () => readdirSync(dir)) ?? [];
const isDirectory = (audit: DiskAudit, path: string) => vanishedAsNull(audit, () => lstatSync(path).isDirectory()) ?? false;

function json<T>(audit: DiskAudit, path: string): T | null {
  if (!existsSync(path)) return null;
  const text = vanishedAsNull(audit, () => readFileSync(path, 'utf8'));
  if (text === null) return null;
  audit.jsonFiles++;
  try {
    return JSON.parse(text) as T;
  } catch {
    audit.badJson.push(path);
    return null;
  }
}

function jsonl<T>(audit: DiskAudit, path: string): T[] {
  const text = vanishedAsNull(audit, () => readFileSync(path, 'utf8')) ?? '';
  const lines = text.split('\n');
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    audit.jsonlLines++;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // only the last line can be torn (it has no newline after it)
      audit.badLines.push({ file: path, line: i + 1, tail: i === lines.length - 1 });
    }
  });
  return out;
}

/** JSON files that do not parse and JSONL lines that do not parse other than a torn tail. */
export function corruption(audit: DiskAudit): string[] {
  return [
    ...audit.badJson.map((f) => `unparseable JSON: ${f}`),
    ...audit.badLines.filter((b) => !b.tail).map((b) => `unparseable line ${b.line} (not a torn tail): ${b.file}`),
  ];
}

/** Every message id and seq appears once per negotiation; client_message_ids are not repeated. */
export function duplicateMessages(audit: DiskAudit): string[] {
  const out: string[] = [];
  for (const n of audit.negotiations.values()) {
    const ids = new Set<string>();
    const seqs = new Set<number>();
    const cmids = new Set<string>();
    for (const m of n.messages) {
      if (ids.has(m.id)) out.push(`${n.id}: message id ${m.id} twice`);
      if (seqs.has(m.seq)) out.push(`${n.id}: seq ${m.seq} used twice`);
      const cm = m.client_message_id ? `${m.sender}|${m.client_message_id}` : null;
      if (cm && cmids.has(cm)) out.push(`${n.id}: client_message_id ${cm} saved twice`);
      ids.add(m.id);
      seqs.add(m.seq);
      if (cm) cmids.add(cm);
    }
  }
  return out;
}

/** AI replies per student line (reply_to = the line's seq): lines with none, lines with more than one. */
export function aiReplies(n: NegotiationOnDisk): { studentLines: ChatMessage[]; unanswered: ChatMessage[]; doubled: ChatMessage[] } {
  const studentLines = n.messages.filter((m) => m.sender_type === 'user' && m.kind !== 'offer');
  const replies = new Map<number, number>();
  for (const m of n.messages)
    if (m.sender_type === 'ai' && typeof m.reply_to === 'number') replies.set(m.reply_to, (replies.get(m.reply_to) ?? 0) + 1);
  return {
    studentLines,
    unanswered: studentLines.filter((m) => !replies.get(m.seq)),
    doubled: studentLines.filter((m) => (replies.get(m.seq) ?? 0) > 1),
  };
}

/** A team's holdings from its files alone: init.json plus every transaction (price per unit). */
export function holdingsFromFiles(audit: DiskAudit, team: string): Record<string, number> {
  const init = audit.teams.get(team);
  if (!init) throw new Error(`no init.json for ${team}`);
  const h: Record<string, number> = { ...(init.holdings as unknown as Record<string, number>) };
  for (const { tx } of audit.transactions.filter((t) => t.team === team)) {
    const sign = tx.type === 'buy' ? 1 : -1;
    h.cash -= sign * tx.price * tx.quantity;
    h[tx.chemical] += sign * tx.quantity;
  }
  return h;
}

/**
 * Settled trades: per peer negotiation, its buy and sell files. A completed negotiation must have
 * exactly one of each; any other negotiation none.
 */
export function tradeProblems(audit: DiskAudit): { settled: number; problems: string[]; doubled: number; missing: number } {
  const byNeg = new Map<string, { buy: number; sell: number }>();
  for (const { tx } of audit.transactions) {
    const c = byNeg.get(tx.negotiation_id) ?? { buy: 0, sell: 0 };
    c[tx.type]++;
    byNeg.set(tx.negotiation_id, c);
  }
  const problems: string[] = [];
  let settled = 0;
  let doubled = 0;
  let missing = 0;
  for (const n of audit.negotiations.values()) {
    if (n.meta?.kind !== 'peer') continue;
    const c = byNeg.get(n.id) ?? { buy: 0, sell: 0 };
    byNeg.delete(n.id);
    if (n.outcome?.status === 'completed' && n.place === 'archived') {
      settled++;
      if (c.buy !== 1 || c.sell !== 1) {
        problems.push(`${n.id}: completed with ${c.buy} buy / ${c.sell} sell files`);
        if (c.buy > 1 || c.sell > 1) doubled++;
        else missing++;
      }
    } else if (c.buy || c.sell) {
      problems.push(`${n.id}: ${n.place}, outcome ${n.outcome?.status ?? 'none'}, but ${c.buy} buy / ${c.sell} sell files`);
    }
  }
  for (const [id, c] of byNeg) problems.push(`transaction files for unknown negotiation ${id} (${c.buy} buy / ${c.sell} sell)`);
  return { settled, problems, doubled, missing };
}

/** Responder symlinks that point nowhere (a settler died between archiving and moving the link; the sweep repairs them). */
export function danglingLinks(dataDir: string): string[] {
  const teams = join(dataDir, 'teams');
  if (!existsSync(teams)) return [];
  return readdirSync(teams).flatMap((t) => {
    const d = join(teams, t, 'negotiations');
    return existsSync(d)
      ? readdirSync(d)
          .filter((id) => lstatSync(join(d, id)).isSymbolicLink() && !existsSync(join(d, id)))
          .map((id) => `${t}/${id}`)
      : [];
  });
}

/** Archived peer negotiations whose responder has no link to them (the responder could not open them). */
export function missingResponderLinks(dataDir: string, audit: DiskAudit): string[] {
  const out: string[] = [];
  for (const n of audit.negotiations.values()) {
    if (n.place !== 'archived' || n.meta?.kind !== 'peer') continue;
    for (const p of n.meta.parties) {
      if (p.user === n.owner) continue;
      const link = join(dataDir, 'teams', p.user, 'negotiations_archive', n.id);
      if (!existsSync(link)) out.push(`${p.user} has no link to archived ${n.id}`);
    }
  }
  return out;
}
