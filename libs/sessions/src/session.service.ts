import { randomInt, randomUUID } from 'node:crypto';
import { ErrorCode, ParleyError, Round, RoundPair, ServerEvent, Session, SessionMember } from '@parley/contracts';
import { ScenarioCatalog, pairRound, manualProblem, type FullScenario, type Seat } from '@parley/negotiation';
import type { JobProducer, RoomEmitter } from '@parley/queues';
import { JOIN_CODE_ALPHABET, NegotiationStore, SessionStore, TeamStore } from '@parley/store';
import type { SessionRecords } from './session-records';
import type { SessionPush } from './session-push';

/** Who is asking (the verified token's user). */
export interface Caller {
  email: string;
  role: 'student' | 'instructor';
}

/** What an instructor sends to create a session; the service fills in the rest of session.json. */
export type NewSession = Omit<Session, 'id' | 'code' | 'instructor' | 'created_at' | 'round' | 'start_when_all_joined'> & {
  start_when_all_joined?: boolean;
};

/** A negotiation outlives its round by this much, so the round's end (not the stale cleanup) closes it. */
const TTL_MARGIN_MS = 60 * 60 * 1000;

export const notFound = () => new ParleyError(ErrorCode.SessionNotFound, 'session not found', 404);

/**
 * Class sessions: create with a join code, join, rounds (pairs, negotiations, the scheduled end),
 * broadcast. Every instructor route is for the session's own instructor; a student reaches a session
 * only as its member, and sees only their own pair. Writes: session.json and rounds by the instructor's
 * requests, a member file by that student's join.
 */
export class SessionService {
  /** Market mode: opens each round's market and closes it with the round (set by the gateway). */
  marketRounds?: { open(session: Session, round: Round): Promise<void>; end(session: Session, round: number): Promise<void> };

  constructor(
    private readonly sessions: SessionStore,
    private readonly teams: TeamStore,
    private readonly negotiations: NegotiationStore,
    private readonly scenarios: ScenarioCatalog,
    private readonly producer: Pick<JobProducer, 'enqueueRoundEnd'>,
    private readonly emitter: RoomEmitter,
    private readonly records: SessionRecords,
    private readonly push: SessionPush,
    private readonly rng: () => number = Math.random,
  ) {}

  async create(caller: Caller, body: NewSession): Promise<Session & { join_url: string }> {
    await this.requireInstructor(caller);
    if (body.mode !== 'market') {
      if (!body.scenario_ids.length) throw new ParleyError(ErrorCode.InvalidPayload, 'scenario_ids: choose at least one scenario');
      for (const id of body.scenario_ids) {
        if (!(await this.scenarios.get(id).catch(() => null)))
          throw new ParleyError(ErrorCode.InvalidPayload, `scenario_ids: no scenario ${JSON.stringify(id)}`);
      }
    }
    if (body.pairing === 'column' && !body.pairing_column)
      throw new ParleyError(ErrorCode.InvalidPayload, 'pairing_column: name the roster column to pair by');
    if (body.start_when_all_joined && !body.expected_members)
      throw new ParleyError(ErrorCode.InvalidPayload, 'expected_members: say how many students must join before round 1 starts by itself');
    if (body.start_when_all_joined && body.pairing === 'manual' && body.mode === 'peer')
      throw new ParleyError(
        ErrorCode.InvalidPayload,
        'start_when_all_joined: a session paired by hand starts when the instructor sends the pairs',
      );
    for (let attempt = 0; attempt < 50; attempt++) {
      const session: Session = {
        id: randomUUID(),
        code: joinCode(),
        title: body.title,
        mode: body.mode,
        scenario_ids: body.scenario_ids,
        ...(body.market_design_id ? { market_design_id: body.market_design_id } : {}),
        round_seconds: body.round_seconds,
        pairing: body.pairing,
        ...(body.pairing_column ? { pairing_column: body.pairing_column } : {}),
        start_when_all_joined: body.start_when_all_joined ?? false,
        ...(body.expected_members ? { expected_members: body.expected_members } : {}),
        instructor: caller.email,
        created_at: Date.now(),
      };
      if (await this.sessions.create(session)) return withUrl(session);
    }
    throw new ParleyError(ErrorCode.Internal, 'could not draw a free join code', 500);
  }

  /** Instructor: the sessions they created. Student: the sessions they joined. */
  async list(caller: Caller): Promise<(Session & { join_url: string })[]> {
    const all = await this.sessions.list();
    if (await this.isInstructor(caller)) return all.filter((s) => s.instructor === caller.email).map(withUrl);
    const mine: Session[] = [];
    for (const s of all) if (await this.sessions.member(s.id, caller.email)) mine.push(s);
    return mine.map(withUrl);
  }

  /** The session's instructor: everything. A member: the session, names of the members, and their own pair only. */
  async view(caller: Caller, id: string) {
    const { session, isOwner } = await this.reach(caller, id);
    const members = await this.records.members(session.id);
    const current = await this.records.currentRound(session.id);
    const rounds = await this.sessions.rounds(session.id);
    if (isOwner) return { session: withUrl(session), members, rounds, current_round: current };
    const own = (r: Round) => r.pairs.filter((p) => p.a === caller.email || p.b === caller.email);
    return {
      session: studentSession(session),
      members: members.map((m) => ({ name: m.name })),
      rounds: rounds.map((r) => ({ n: r.n, started_at: r.started_at, ends_at: r.ends_at, end: r.end, pairs: own(r) })),
      current_round: current ? { n: current.n, started_at: current.started_at, ends_at: current.ends_at, pairs: own(current) } : null,
    };
  }

  /** A student joins by code; joining twice is a no-op. With "start when all have joined", the last one starts round 1. */
  async join(caller: Caller, rawCode: string): Promise<ReturnType<typeof studentSession>> {
    const code = String(rawCode ?? '')
      .trim()
      .toUpperCase();
    const session = await this.sessions.byCode(code).catch(() => null);
    if (!session) throw new ParleyError(ErrorCode.BadJoinCode, 'no session has that join code', 404);
    if (await this.isInstructor(caller)) throw new ParleyError(ErrorCode.Forbidden, 'instructors run sessions; students join them', 403);
    await this.addMember(session, caller.email);
    return studentSession(session);
  }

  /**
   * A member file (the student's join, or the roster import's pre-assignment). Its roster columns are
   * the import's, else those the account was imported with, so pairing by a column works either way.
   */
  async addMember(session: Session, email: string, rosterColumns?: Record<string, string>): Promise<boolean> {
    const team = await this.teams.read(email);
    if (!team) throw new ParleyError(ErrorCode.NotFound, `no account ${email}`, 404);
    const columns = rosterColumns ?? team.columns;
    const member: SessionMember = { email, name: team.name || email, joined_at: Date.now(), ...(columns ? { columns } : {}) };
    const added = await this.sessions.addMember(session.id, member);
    if (added) {
      await this.push.changed(session.id);
      await this.startWhenAllJoined(session);
    }
    return added;
  }

  async byCode(code: string): Promise<Session | null> {
    return this.sessions.byCode(code);
  }

  /**
   * Starts the next round: pairs (round 2+ swap roles and partners), one negotiation per pair in the
   * first seat's namespace (a symlink for the second), the AI in an empty seat, and the round-end job
   * at ends_at. Refused while a round runs.
   */
  async startRound(caller: Caller, id: string, manual?: { a: string; b: string }[]): Promise<Round> {
    const { session } = await this.reachAsOwner(caller, id);
    return this.startNextRound(session, manual);
  }

  private async startNextRound(session: Session, manual?: { a: string; b: string }[]): Promise<Round> {
    const rounds = await this.sessions.rounds(session.id);
    const last = rounds.at(-1);
    if (last && !last.end) throw new ParleyError(ErrorCode.RoundAlreadyRunning, `round ${last.n} is still running; end it first`, 409);
    const members = await this.sessions.members(session.id);
    if (!members.length) throw new ParleyError(ErrorCode.NotEnoughMembers, 'nobody has joined this session yet', 409);
    const n = (last?.n ?? 0) + 1;
    const scenario = session.mode === 'market' ? null : await this.scenarioOfRound(session, n);
    const emails = members.map((m) => m.email);
    if (session.pairing === 'manual' && session.mode === 'peer' && !manual?.length)
      throw new ParleyError(ErrorCode.InvalidPayload, 'pairs: this session is paired by hand: send the pairs to start a round');
    if (manual?.length) {
      if (session.mode !== 'peer')
        throw new ParleyError(ErrorCode.InvalidPayload, 'pairs: only a peer role-play session is paired by hand');
      const problem = manualProblem(emails, manual);
      if (problem) throw new ParleyError(ErrorCode.InvalidPayload, `pairs: ${problem}`);
    }
    const seats: Seat[] =
      session.mode === 'market'
        ? []
        : session.mode === 'ai'
          ? emails.map((e) => ({ first: e, second: 'ai' }))
          : pairRound({
              members,
              rule: session.pairing,
              column: session.pairing_column,
              manual,
              previous: last?.pairs.map((p) => ({ first: p.a, second: p.b })),
              rng: this.rng,
            });
    const startedAt = Date.now();
    const round: Round = {
      n,
      started_at: startedAt,
      ends_at: startedAt + session.round_seconds * 1000,
      pairs: scenario ? seats.map((s) => pairOf(s, scenario)) : [],
    };
    // a market that cannot open (a design that does not fit the class) refuses the round before it exists
    if (session.mode === 'market') await this.marketRounds?.open(session, round);
    if (!(await this.sessions.createRound(session.id, round)))
      throw new ParleyError(ErrorCode.RoundAlreadyRunning, `round ${n} was started just now`, 409);
    const ttlMs = session.round_seconds * 1000 + TTL_MARGIN_MS;
    const ref = { session_id: session.id, round: n };
    for (const p of round.pairs) {
      if (p.b === 'ai')
        await this.negotiations.createAi(p.a, p.scenario_id, p.roles.a, p.roles.b, ttlMs, { session: ref, id: p.negotiation_id });
      else
        await this.negotiations.createRoleplay({
          a: { user: p.a, role: p.roles.a },
          b: { user: p.b, role: p.roles.b },
          scenarioId: p.scenario_id,
          ttlMs,
          session: ref,
          id: p.negotiation_id,
        });
    }
    await this.producer.enqueueRoundEnd({ session_id: session.id, round: n }, 'time', round.ends_at - Date.now());
    for (const p of round.pairs) {
      for (const [me, other, role] of [
        [p.a, p.b, p.roles.a],
        [p.b, p.a, p.roles.b],
      ] as const) {
        if (me === 'ai') continue;
        this.emitter.toUser(me, ServerEvent.RoundStarted, {
          session_id: session.id,
          round: n,
          ends_at: round.ends_at,
          negotiation_id: p.negotiation_id,
          role,
          partner: await this.teams.nameOf(other),
        });
      }
    }
    await this.push.changed(session.id);
    return round;
  }

  /** The instructor ends the running round now; the agreement-worker closes what is unfinished. */
  async endRound(caller: Caller, id: string): Promise<Round & { ended_at: number }> {
    const { session } = await this.reachAsOwner(caller, id);
    const current = await this.records.currentRound(session.id);
    if (!current) throw new ParleyError(ErrorCode.RoundNotRunning, 'no round is running', 409);
    const ended_at = Date.now();
    if (session.mode === 'market') await this.marketRounds?.end(session, current.n);
    if (await this.sessions.endRound(session.id, { n: current.n, ended_at, by: 'instructor' })) {
      this.emitter.toSession(session.id, ServerEvent.RoundEnded, { session_id: session.id, round: current.n, by: 'instructor' });
    }
    await this.producer.enqueueRoundEnd({ session_id: session.id, round: current.n }, 'now');
    await this.push.changed(session.id);
    const { end: _end, ...round } = current;
    return { ...round, ended_at };
  }

  async broadcast(caller: Caller, id: string, text: string): Promise<{ text: string; at: string }> {
    const { session } = await this.reachAsOwner(caller, id);
    const b = { text, at: new Date().toISOString() };
    await this.sessions.addBroadcast(session.id, b);
    this.emitter.toSession(session.id, ServerEvent.SessionBroadcast, { session_id: session.id, ...b });
    return b;
  }

  /** The session for its instructor (isOwner) or a member; anyone else: SESSION_NOT_FOUND, as for an id that does not exist. */
  async reach(caller: Caller, id: string): Promise<{ session: Session; isOwner: boolean }> {
    const session = await this.sessions.read(id).catch(() => null);
    if (!session) throw notFound();
    if (session.instructor === caller.email && (await this.isInstructor(caller))) return { session, isOwner: true };
    if (await this.sessions.member(session.id, caller.email)) return { session, isOwner: false };
    throw notFound();
  }

  /** Instructor routes: the session's own instructor only (a member gets NOT_SESSION_MEMBER's 403, an outsider 404). */
  async reachAsOwner(caller: Caller, id: string): Promise<{ session: Session }> {
    const { session, isOwner } = await this.reach(caller, id);
    if (!isOwner) throw new ParleyError(ErrorCode.NotSessionMember, "only the session's instructor may do that", 403);
    return { session };
  }

  private async startWhenAllJoined(session: Session): Promise<void> {
    if (!session.start_when_all_joined || !session.expected_members) return;
    if ((await this.sessions.members(session.id)).length < session.expected_members) return;
    if ((await this.sessions.rounds(session.id)).length) return;
    await this.startNextRound(session).catch((e) => {
      // two last joins at once: one of them starts it
      if (!(e instanceof ParleyError && e.code === ErrorCode.RoundAlreadyRunning)) throw e;
    });
  }

  private async scenarioOfRound(session: Session, n: number): Promise<FullScenario> {
    const id = session.scenario_ids[(n - 1) % session.scenario_ids.length];
    const scenario = await this.scenarios.get(id).catch(() => null);
    if (!scenario) throw new ParleyError(ErrorCode.NotFound, `the session's scenario ${id} is no longer available`, 404);
    return scenario;
  }

  private async isInstructor(caller: Caller): Promise<boolean> {
    return caller.role === 'instructor' && (await this.teams.read(caller.email))?.role === 'instructor';
  }

  private async requireInstructor(caller: Caller): Promise<void> {
    if (!(await this.isInstructor(caller))) throw new ParleyError(ErrorCode.Forbidden, 'instructors only', 403);
  }
}

function pairOf(seat: Seat, sc: FullScenario): RoundPair {
  return {
    a: seat.first,
    b: seat.second,
    scenario_id: sc.id,
    roles: { a: sc.student_role, b: sc.ai_role },
    negotiation_id: randomUUID(),
  };
}

function joinCode(): string {
  return Array.from({ length: 6 }, () => JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)]).join('');
}

function withUrl(s: Session): Session & { join_url: string } {
  return { ...s, join_url: `/join/${s.code}` };
}

/** What a member sees of the session: no instructor-only fields beyond the title, mode and round length. */
function studentSession(s: Session) {
  return {
    id: s.id,
    code: s.code,
    title: s.title,
    mode: s.mode,
    scenario_ids: s.scenario_ids,
    round_seconds: s.round_seconds,
    ...(s.market_design_id ? { market_design_id: s.market_design_id } : {}),
  };
}
