import { negotiationStatus, offerView } from '@parley/contracts';
import { Controller, Get, Header, Inject, Logger, UseGuards } from '@nestjs/common';
import type { ChatMessage, ClassNegotiation, ClassTransaction, NegotiationStatus, OfferView, Outcome } from '@parley/contracts';
import { DataPaths, MessageLog, NegotiationStore, TeamStore, readTransactions } from '@parley/store';
import { SessionRecords, SessionReports } from '@parley/sessions';
import type { LocatedNegotiation } from '@parley/store';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard, requireInstructor } from '../auth/http-auth.guard';
import { summary } from './negotiations.controller';

interface Loaded {
  located: LocatedNegotiation;
  status: NegotiationStatus | 'settling';
  outcome: Outcome | null;
  messages: ChatMessage[];
  offers: OfferView[];
}

/** The instructor's view of the whole class: every team's negotiations, trades, the grade sheet and transcripts. */
@Controller('api/instructor')
@UseGuards(HttpAuthGuard)
export class InstructorController {
  private readonly logger = new Logger('instructor');

  constructor(
    @Inject(DataPaths) private readonly paths: DataPaths,
    @Inject(TeamStore) private readonly teams: TeamStore,
    @Inject(NegotiationStore) private readonly store: NegotiationStore,
    @Inject(MessageLog) private readonly messages: MessageLog,
    @Inject(SessionRecords) private readonly records: SessionRecords,
    @Inject(SessionReports) private readonly reports: SessionReports,
  ) {}

  @Get('negotiations')
  async negotiations(@CurrentUser() user: AuthUser): Promise<{ negotiations: ClassNegotiation[] }> {
    requireInstructor(user);
    const [all, names] = await Promise.all([this.loadAll(), this.names()]);
    return {
      negotiations: all.map((n) => ({
        ...summary(n.located.meta, n.status, n.outcome),
        parties: n.located.meta.parties.map((p) => ({ user: p.user, role: p.role, name: names.get(p.user) })),
        last_activity: lastActivity(n),
        message_count: n.messages.filter((m) => m.kind !== 'offer').length,
        offers: n.offers,
      })),
    };
  }

  @Get('transactions')
  async transactions(@CurrentUser() user: AuthUser): Promise<{ transactions: ClassTransaction[] }> {
    requireInstructor(user);
    const [transactions, names] = await Promise.all([this.loadTransactions(), this.names()]);
    return {
      transactions: transactions.map((t) => ({ ...t, team_name: names.get(t.team), counterparty_name: names.get(t.counterparty) })),
    };
  }

  /** The names people read, by e-mail (the AI is "AI"; a removed account has none). */
  private async names(): Promise<Map<string, string>> {
    return this.teams.namesOf(['ai', ...(await this.teams.list())]);
  }

  /**
   * The class's grade sheet (it replaces the old mixed export): one row per student per negotiation —
   * name, e-mail, role, scenario (a trade: its chemical), outcome, terms, each score. Per session:
   * GET /api/sessions/:id/grades.csv.
   */
  @Get('grades.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('cache-control', 'no-store')
  @Header('content-disposition', 'attachment; filename="parley-grades.csv"')
  async gradesCsv(@CurrentUser() user: AuthUser): Promise<string> {
    requireInstructor(user);
    return this.reports.gradesCsvOf(await this.loadRecords());
  }

  /** Every chat and offer line of the class, with names and roles. */
  @Get('transcripts.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('cache-control', 'no-store')
  @Header('content-disposition', 'attachment; filename="parley-transcripts.csv"')
  async transcriptsCsv(@CurrentUser() user: AuthUser): Promise<string> {
    requireInstructor(user);
    return this.reports.transcriptsCsvOf(await this.loadRecords());
  }

  private async loadRecords() {
    return Promise.all((await this.loadAll()).map((n) => this.records.fromLocated(n.located, n.outcome)));
  }

  /** Every negotiation once (a peer trade sits in two namespaces), oldest first. */
  private async loadAll(): Promise<Loaded[]> {
    const { teams, store: negotiations, messages } = this;
    const seen = new Set<string>();
    const out: Loaded[] = [];
    for (const email of await teams.list()) {
      const { active, archived } = await negotiations.listIds(email);
      for (const id of [...active, ...archived]) {
        if (seen.has(id)) continue;
        try {
          const located = await negotiations.locate(email, id);
          if (!located) continue; // a responder's link whose target moved: found from the initiator
          seen.add(id);
          const [outcome, msgs, states] = await Promise.all([
            located.place === 'archived' ? negotiations.readOutcome(located.dir) : Promise.resolve(null),
            messages.readAll(located.dir),
            negotiations.readStates(located.dir),
          ]);
          out.push({
            located,
            status: negotiationStatus(located.place, outcome),
            outcome,
            messages: msgs,
            offers: states.map(offerView),
          });
        } catch (e) {
          // one unreadable negotiation must not hide the rest of the class
          this.logger.warn(`skipping ${id} of ${email}: ${(e as Error).message}`);
        }
      }
    }
    return out.sort((a, b) => a.located.meta.created_at - b.located.meta.created_at || a.located.id.localeCompare(b.located.id));
  }

  private async loadTransactions(): Promise<ClassTransaction[]> {
    const out: ClassTransaction[] = [];
    for (const email of await this.teams.list()) {
      try {
        for (const { file, transaction } of await readTransactions(this.paths, email)) out.push({ ...transaction, team: email, file });
      } catch (e) {
        this.logger.warn(`skipping transactions of ${email}: ${(e as Error).message}`);
      }
    }
    return out.sort((a, b) => a.timestamp - b.timestamp || a.team.localeCompare(b.team) || a.file.localeCompare(b.file));
  }
}

function lastActivity(n: Loaded): number {
  let t = n.located.meta.created_at * 1000;
  for (const m of n.messages) t = Math.max(t, Date.parse(m.timestamp) || 0);
  for (const o of n.offers) t = Math.max(t, (o.last_updated || 0) * 1000);
  if (n.outcome) t = Math.max(t, n.outcome.settled_at * 1000);
  return t;
}
