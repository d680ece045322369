import { join } from 'node:path';
import { ErrorCode, ParleyError, Round, RoundEnd, Session, SessionMember } from '@parley/contracts';
import { appendLines, createFileExclusive, ensureDir, listDir, readJson, readJsonLines, writeJsonAtomic } from './files';
import { DataPaths } from './paths';
import { isEmail, isJoinCode, isSessionId } from './validate';

export interface Broadcast {
  text: string;
  at: string;
}

/**
 * sessions/<id>/{session.json, members/<email>.json, rounds/<n>.json, rounds/<n>.end.json,
 * broadcasts.jsonl} and join_codes/<CODE>.json (docs/SESSIONS.md). session.json, rounds and
 * broadcasts are written by the instructor's requests; a member file by that student's join; a
 * round's end file is created exclusively by whoever ends it first (instructor or the round-end job).
 */
export class SessionStore {
  constructor(private readonly paths: DataPaths) {}

  /** Creates the session under a fresh code; false when that code is taken (the caller draws another). */
  async create(session: Session): Promise<boolean> {
    const claimed = await createFileExclusive(this.paths.joinCodesDir(), this.paths.joinCodeFileName(session.code), {
      session_id: session.id,
    });
    if (!claimed) return false;
    await ensureDir(this.paths.session(session.id));
    await writeJsonAtomic(this.paths.sessionFile(session.id), session);
    return true;
  }

  async read(id: string): Promise<Session | null> {
    if (!isSessionId(id)) return null;
    return readJson<Session>(this.paths.sessionFile(id));
  }

  async byCode(code: string): Promise<Session | null> {
    if (!isJoinCode(code)) return null;
    const ref = await readJson<{ session_id: string }>(join(this.paths.joinCodesDir(), this.paths.joinCodeFileName(code)));
    return ref ? this.read(ref.session_id) : null;
  }

  async list(): Promise<Session[]> {
    const ids = (await listDir(this.paths.sessionsDir())).filter(isSessionId);
    const out: Session[] = [];
    for (const id of ids) {
      const s = await this.read(id).catch(() => null);
      if (s) out.push(s);
    }
    return out.sort((a, b) => a.created_at - b.created_at);
  }

  /** The student's own member file; a second join changes nothing and answers false. */
  async addMember(sessionId: string, member: SessionMember): Promise<boolean> {
    return createFileExclusive(this.paths.membersDir(sessionId), this.paths.memberFileName(member.email), member);
  }

  async member(sessionId: string, email: string): Promise<SessionMember | null> {
    if (!isEmail(email)) return null;
    return readJson<SessionMember>(this.paths.member(sessionId, email));
  }

  async members(sessionId: string): Promise<SessionMember[]> {
    const names = (await listDir(this.paths.membersDir(sessionId))).filter((n) => n.endsWith('.json') && isEmail(n.slice(0, -5)));
    const out: SessionMember[] = [];
    for (const n of names) {
      const m = await readJson<SessionMember>(join(this.paths.membersDir(sessionId), n)).catch(() => null);
      if (m) out.push(m);
    }
    return out.sort((a, b) => a.joined_at - b.joined_at || a.email.localeCompare(b.email));
  }

  /** Round n is created once: false when it already exists (two starts at once make one round). */
  async createRound(sessionId: string, round: Round): Promise<boolean> {
    return createFileExclusive(this.paths.roundsDir(sessionId), this.paths.roundFileName(round.n), round);
  }

  async round(sessionId: string, n: number): Promise<Round | null> {
    return readJson<Round>(join(this.paths.roundsDir(sessionId), this.paths.roundFileName(n)));
  }

  /** Every round, in order, with its end if it has one. */
  async rounds(sessionId: string): Promise<(Round & { end: RoundEnd | null })[]> {
    const ns = (await listDir(this.paths.roundsDir(sessionId)))
      .map((f) => /^(\d+)\.json$/.exec(f)?.[1])
      .filter((n): n is string => !!n)
      .map(Number)
      .sort((a, b) => a - b);
    const out: (Round & { end: RoundEnd | null })[] = [];
    for (const n of ns) {
      const r = await this.round(sessionId, n);
      if (r) out.push({ ...r, end: await this.roundEnd(sessionId, n) });
    }
    return out;
  }

  /** Marks round n ended; true for the one caller that did it (exactly once, whatever the number of processes). */
  async endRound(sessionId: string, end: RoundEnd): Promise<boolean> {
    if (!(await this.round(sessionId, end.n))) throw new ParleyError(ErrorCode.RoundNotRunning, `there is no round ${end.n}`, 409);
    return createFileExclusive(this.paths.roundsDir(sessionId), this.paths.roundEndFileName(end.n), end);
  }

  async roundEnd(sessionId: string, n: number): Promise<RoundEnd | null> {
    return readJson<RoundEnd>(join(this.paths.roundsDir(sessionId), this.paths.roundEndFileName(n)));
  }

  async addBroadcast(sessionId: string, b: Broadcast): Promise<void> {
    await appendLines(this.paths.broadcastsFile(sessionId), [JSON.stringify(b)]);
  }

  broadcasts(sessionId: string): Promise<Broadcast[]> {
    return readJsonLines<Broadcast>(this.paths.broadcastsFile(sessionId));
  }
}
