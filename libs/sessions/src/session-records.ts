import type {
  ChatMessage,
  LiveView,
  MemberState,
  NegotiationMeta,
  Outcome,
  Round,
  RoundEnd,
  Session,
  SessionMember,
} from '@parley/contracts';
import { partyStatus } from '@parley/contracts';
import type { NegotiationRecord } from '@parley/negotiation';
import { MessageLog, NegotiationStore, SessionStore, TeamStore, type LocatedNegotiation } from '@parley/store';

export interface LoadedNegotiation {
  record: NegotiationRecord;
  meta: NegotiationMeta | null;
  outcome: Outcome | null;
  dir: string | null;
}

/**
 * Reads a session's rounds and the negotiations they list (from the first seat's namespace: a
 * session lists negotiations, never copies them). Shared by the gateway and the agreement-worker.
 */
export class SessionRecords {
  constructor(
    private readonly sessions: SessionStore,
    private readonly negotiations: NegotiationStore,
    private readonly teams: TeamStore,
    private readonly messages: MessageLog,
  ) {}

  /** The session's members with the names people read today (an account renamed since it joined shows its new name). */
  async members(sessionId: string): Promise<SessionMember[]> {
    const members = await this.sessions.members(sessionId);
    const names = await this.teams.namesOf(members.map((m) => m.email));
    return members.map((m) => ({ ...m, name: names.get(m.email)! }));
  }

  /** The running round: the latest one without an end; null between rounds. */
  async currentRound(sessionId: string): Promise<(Round & { end: RoundEnd | null }) | null> {
    const last = (await this.sessions.rounds(sessionId)).at(-1);
    return last && !last.end ? last : null;
  }

  /** Every negotiation of the session (round `round` only, when given), oldest round first. */
  async load(sessionId: string, round?: number): Promise<LoadedNegotiation[]> {
    const out: LoadedNegotiation[] = [];
    for (const r of await this.sessions.rounds(sessionId)) {
      if (round !== undefined && r.n !== round) continue;
      for (const pair of r.pairs) out.push(await this.loadOne(r, pair));
    }
    return out;
  }

  async transcript(loaded: LoadedNegotiation): Promise<ChatMessage[]> {
    return loaded.dir ? this.messages.readAll(loaded.dir) : [];
  }

  private async loadOne(round: Round, pair: Round['pairs'][number]): Promise<LoadedNegotiation> {
    const located = await this.negotiations.locate(pair.a, pair.negotiation_id).catch(() => null);
    const outcome = located?.place === 'archived' ? await this.negotiations.readOutcome(located.dir) : null;
    const seats = [
      { user: pair.a, role: pair.roles.a },
      { user: pair.b, role: pair.roles.b },
    ];
    const loaded = await this.fromSeats(pair.negotiation_id, pair.scenario_id, round.n, seats, located, outcome);
    return loaded;
  }

  /** Any negotiation found on disk (the instructor's class-wide sheets): a trade's "scenario" is its chemical. */
  async fromLocated(located: LocatedNegotiation, outcome: Outcome | null): Promise<LoadedNegotiation> {
    const { meta } = located;
    const subject = meta.scenario_id ?? `trade of ${meta.chemical ?? '?'}`;
    const loaded = await this.fromSeats(meta.id, subject, meta.round ?? 0, meta.parties, located, outcome);
    if (meta.chemical) loaded.record.chemical = meta.chemical;
    return loaded;
  }

  private async fromSeats(
    id: string,
    subject: string,
    round: number,
    seats: { user: string; role: string }[],
    located: LocatedNegotiation | null,
    outcome: Outcome | null,
  ): Promise<LoadedNegotiation> {
    const named = await Promise.all(seats.map(async (s) => ({ user: s.user, role: s.role, name: await this.teams.nameOf(s.user) })));
    const scores: NegotiationRecord['scores'] = {};
    const student = seats.find((s) => s.user !== 'ai');
    if (outcome?.scores) for (const [user, sc] of Object.entries(outcome.scores)) scores[user] = sc.final_score;
    else if (outcome?.final_score && student) scores[student.user] = outcome.final_score;
    return {
      record: {
        negotiation_id: id,
        scenario_id: subject,
        round,
        seats: named,
        status: located ? partyStatus(located.place, outcome) : 'active',
        ...(outcome?.reason ? { reason: outcome.reason } : {}),
        terms: outcome?.deal_terms?.agreed ? outcome.deal_terms.terms : null,
        scores,
      },
      meta: located?.meta ?? null,
      outcome,
      dir: located?.dir ?? null,
    };
  }

  /** Who is waiting, negotiating or done in the current (else the latest) round; deals and no-deals of that round. */
  async live(session: Session): Promise<LiveView> {
    const rounds = await this.sessions.rounds(session.id);
    const latest = rounds.at(-1) ?? null;
    const members = await this.members(session.id);
    const loaded = latest ? await this.load(session.id, latest.n) : [];
    const seatOf = new Map<string, { rec: NegotiationRecord; role: string; partner: string }>();
    for (const { record } of loaded) {
      for (const s of record.seats) {
        const partner = record.seats.find((o) => o !== s);
        if (s.user !== 'ai') seatOf.set(s.user, { rec: record, role: s.role, partner: partner?.name ?? '' });
      }
    }
    const view: LiveView['members'] = members.map((m) => {
      const seat = seatOf.get(m.email);
      const state: MemberState = !seat ? 'waiting' : seat.rec.status === 'active' ? 'negotiating' : 'done';
      return {
        email: m.email,
        name: m.name,
        state,
        ...(seat ? { negotiation_id: seat.rec.negotiation_id, role: seat.role, partner: seat.partner } : {}),
      };
    });
    const closed = loaded.filter((l) => l.record.status !== 'active');
    const deals = closed.filter((l) => l.record.status === 'completed').length;
    return {
      session_id: session.id,
      members: view,
      deals,
      no_deals: closed.length - deals,
      round: latest
        ? {
            n: latest.n,
            started_at: latest.started_at,
            ends_at: latest.ends_at,
            pairs: latest.pairs,
            ...(latest.end ? { ended_at: latest.end.ended_at } : {}),
          }
        : null,
    };
  }
}
