import { ErrorCode, ParleyError, type Session } from '@parley/contracts';
import {
  ScenarioCatalog,
  anonymiser,
  classDebrief,
  gradesCsv,
  toCsv,
  type FullScenario,
  type NegotiationRecord,
} from '@parley/negotiation';
import type { SessionStore } from '@parley/store';
import type { LoadedNegotiation, SessionRecords } from './session-records';

const TRANSCRIPT_COLUMNS = [
  'negotiation_id',
  'round',
  'scenario',
  'seq',
  'timestamp',
  'name',
  'email',
  'role',
  'kind',
  'content',
  'terms',
] as const;

/** The session's debrief, grade sheet, transcripts and JSON export, from its rounds' negotiations. */
export class SessionReports {
  constructor(
    private readonly sessions: SessionStore,
    private readonly records: SessionRecords,
    private readonly scenarios: ScenarioCatalog,
  ) {}

  /** One class debrief per scenario played (in round `round`, or in every round); `rounds`: the session's round numbers. */
  async debrief(session: Session, round: number | undefined, anonymise: boolean) {
    const rounds = (await this.sessions.rounds(session.id)).map((r) => r.n);
    if (round !== undefined && !rounds.includes(round))
      throw new ParleyError(
        ErrorCode.NotFound,
        rounds.length ? `round ${round} has not been played: rounds ${rounds.join(', ')}` : 'no round has been played yet',
        404,
      );
    const recs = (await this.records.load(session.id, round)).map((l) => l.record);
    const scenarios = await this.scenariosOf(recs);
    return {
      session_id: session.id,
      round: round ?? null,
      rounds,
      anonymised: anonymise,
      debriefs: [...scenarios.values()].map((sc) => classDebrief(sc, recs, anonymise)),
    };
  }

  async gradesCsv(session: Session): Promise<string> {
    return this.gradesCsvOf(await this.records.load(session.id));
  }

  async transcriptsCsv(session: Session): Promise<string> {
    return this.transcriptsCsvOf(await this.records.load(session.id));
  }

  /** One row per student per negotiation (any set of negotiations: a session's, or the whole class's). */
  async gradesCsvOf(loaded: LoadedNegotiation[]): Promise<string> {
    const recs = loaded.map((l) => l.record);
    return gradesCsv(recs, await this.scenariosOf(recs));
  }

  /** One row per chat or offer line, with the sender's name and role. */
  async transcriptsCsvOf(loaded: LoadedNegotiation[]): Promise<string> {
    const scenarios = await this.scenariosOf(loaded.map((l) => l.record));
    const rows = [];
    for (const l of loaded) {
      const seatOf = (sender: string) => l.record.seats.find((s) => s.user === sender) ?? { user: sender, name: sender, role: '' };
      for (const m of await this.records.transcript(l)) {
        const seat = m.sender_type === 'ai' ? (l.record.seats.find((s) => s.user === 'ai') ?? seatOf('ai')) : seatOf(m.sender);
        rows.push({
          negotiation_id: l.record.negotiation_id,
          round: l.record.round,
          scenario: scenarios.get(l.record.scenario_id)?.title ?? l.record.scenario_id,
          seq: m.seq,
          timestamp: m.timestamp,
          name: seat.name,
          email: seat.user === 'ai' ? '' : seat.user,
          role: seat.role,
          kind: m.kind ?? 'chat',
          content: m.content,
          terms: m.terms
            ? Object.entries(m.terms)
                .map(([k, v]) => `${k}=${v}`)
                .join('; ')
            : '',
        });
      }
    }
    return toCsv(TRANSCRIPT_COLUMNS, rows);
  }

  /** Everything of the session in one document: session, members, rounds, negotiations with outcome and transcript, broadcasts. */
  async exportJson(session: Session, anonymise = false) {
    const loaded = await this.records.load(session.id);
    const rename = anonymise ? anonymiser(loaded.map((l) => l.record)) : null;
    const negotiations = [];
    for (const l of loaded) {
      negotiations.push({
        ...l.record,
        seats: rename ? l.record.seats.map((s) => ({ ...s, name: rename(s), user: s.user === 'ai' ? 'ai' : '' })) : l.record.seats,
        outcome: l.outcome,
        transcript: await this.records.transcript(l),
      });
    }
    return {
      session,
      members: await this.sessions.members(session.id),
      rounds: await this.sessions.rounds(session.id),
      negotiations,
      broadcasts: await this.sessions.broadcasts(session.id),
      exported_at: new Date().toISOString(),
    };
  }

  private async scenariosOf(recs: NegotiationRecord[]): Promise<Map<string, FullScenario>> {
    const out = new Map<string, FullScenario>();
    for (const id of new Set(recs.map((r) => r.scenario_id))) {
      const sc = await this.scenarios.get(id).catch(() => null);
      if (sc) out.set(id, sc);
    }
    return out;
  }
}
