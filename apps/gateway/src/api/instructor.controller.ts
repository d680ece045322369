import { negotiationStatus, offerView } from '@parley/contracts';
import { Controller, Get, Header, Inject, Logger, UseGuards } from '@nestjs/common';
import type { ChatMessage, ClassNegotiation, ClassTransaction, NegotiationStatus, OfferView, Outcome } from '@parley/contracts';
import { AuditLog, DataPaths, MessageLog, NegotiationStore, TeamStore, readAudit, readTransactions, type AuditEntry } from '@parley/store';
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

/** The instructor's view of the whole class: every team's negotiations, trades, and a grading CSV. */
@Controller('api/instructor')
@UseGuards(HttpAuthGuard)
export class InstructorController {
  private readonly logger = new Logger('instructor');

  constructor(
    @Inject(DataPaths) private readonly paths: DataPaths,
    @Inject(TeamStore) private readonly teams: TeamStore,
    @Inject(NegotiationStore) private readonly store: NegotiationStore,
    @Inject(MessageLog) private readonly messages: MessageLog,
    @Inject(AuditLog) private readonly auditLog: AuditLog,
  ) {}

  @Get('negotiations')
  async negotiations(@CurrentUser() user: AuthUser): Promise<{ negotiations: ClassNegotiation[] }> {
    requireInstructor(user);
    const all = await this.loadAll();
    return {
      negotiations: all.map((n) => ({
        ...summary(n.located.meta, n.status, n.outcome),
        last_activity: lastActivity(n),
        message_count: n.messages.filter((m) => m.kind !== 'offer').length,
        offers: n.offers,
      })),
    };
  }

  @Get('transactions')
  async transactions(@CurrentUser() user: AuthUser): Promise<{ transactions: ClassTransaction[] }> {
    requireInstructor(user);
    return { transactions: await this.loadTransactions() };
  }

  /** One CSV for grading: transcript lines, outcomes, transactions and the audit trail, told apart by `row_type`. */
  @Get('export.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('cache-control', 'no-store')
  @Header('content-disposition', 'attachment; filename="parley-export.csv"')
  async exportCsv(@CurrentUser() user: AuthUser): Promise<string> {
    requireInstructor(user);
    await this.auditLog.flush();
    const [negotiations, transactions, audit] = await Promise.all([this.loadAll(), this.loadTransactions(), readAudit(this.paths)]);
    return buildExportCsv(negotiations, transactions, audit);
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

export const CSV_COLUMNS = [
  'row_type',
  'negotiation_id',
  'kind',
  'subject',
  'status',
  'timestamp',
  'team',
  'counterparty',
  'seq',
  'sender',
  'message_kind',
  'content',
  'terms',
  'side',
  'chemical',
  'price',
  'quantity',
  'claiming_value',
  'creating_value',
  'managing_relationships',
  'overall',
  'notes',
] as const;
type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null | undefined>>;

function buildExportCsv(negotiations: Loaded[], transactions: ClassTransaction[], audit: AuditEntry[] = []): string {
  const rows: CsvRow[] = [];
  for (const n of negotiations) {
    const { meta } = n.located;
    const humans = meta.parties.filter((p) => p.user !== 'ai');
    const base: CsvRow = {
      negotiation_id: meta.id,
      kind: meta.kind,
      subject: meta.scenario_id ?? meta.chemical ?? '',
      team: humans[0]?.user ?? '',
      counterparty: meta.parties.find((p) => p.user !== humans[0]?.user)?.user ?? '',
    };
    for (const m of n.messages) {
      rows.push({
        ...base,
        row_type: 'transcript',
        status: m.status ?? '',
        timestamp: m.timestamp,
        seq: m.seq,
        sender: m.sender,
        message_kind: m.kind ?? 'chat',
        content: m.content,
        terms: m.terms ? formatTerms(m.terms) : '',
      });
    }
    if (n.outcome) {
      const s = n.outcome.final_score;
      const ex = n.outcome.score_explanations;
      const notes = [n.outcome.reason, ...(ex ? Object.entries(ex).map(([k, v]) => `${k}: ${v}`) : [])].filter(Boolean).join('\n');
      rows.push({
        ...base,
        row_type: 'outcome',
        status: n.outcome.status,
        timestamp: new Date(n.outcome.settled_at * 1000).toISOString(),
        terms: n.outcome.deal_terms?.terms ? formatTerms(n.outcome.deal_terms.terms) : '',
        price: meta.kind === 'peer' ? n.outcome.deal_terms?.terms?.price : undefined,
        quantity: meta.kind === 'peer' ? n.outcome.deal_terms?.terms?.quantity : undefined,
        chemical: meta.chemical,
        claiming_value: s?.claiming_value,
        creating_value: s?.creating_value,
        managing_relationships: s?.managing_relationships,
        overall: s?.overall,
        notes,
      });
    }
  }
  for (const t of transactions) {
    rows.push({
      row_type: 'transaction',
      negotiation_id: t.negotiation_id,
      kind: 'peer',
      subject: t.chemical,
      status: t.settled ? 'settled' : 'unsettled',
      timestamp: new Date(t.timestamp * 1000).toISOString(),
      team: t.team,
      counterparty: t.counterparty,
      side: t.type,
      chemical: t.chemical,
      price: t.price,
      quantity: t.quantity,
      notes: t.file,
    });
  }
  for (const a of audit) {
    rows.push({
      row_type: 'audit',
      negotiation_id: a.negotiation_id,
      status: a.result,
      timestamp: a.at,
      team: a.who,
      content: a.what,
      notes: [a.service, a.detail].filter(Boolean).join(' '),
    });
  }
  return toCsv(CSV_COLUMNS, rows);
}

function formatTerms(terms: Record<string, number>): string {
  return Object.keys(terms)
    .sort()
    .map((k) => `${k}=${terms[k]}`)
    .join('; ');
}

/**
 * RFC 4180: fields with a comma, quote, CR or LF are quoted and quotes doubled; lines end with CRLF.
 * Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe, since transcripts are written by students.
 */
export function toCsv<C extends string>(columns: readonly C[], rows: Partial<Record<C, string | number | null | undefined>>[]): string {
  const cell = (v: string | number | null | undefined): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
    const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
