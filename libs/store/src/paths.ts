import { join, resolve, sep } from 'node:path';
import {
  assertEmail,
  assertJoinCode,
  assertMarketId,
  assertNegotiationId,
  assertScenarioId,
  assertSessionId,
  assertUuid,
  isPrefix,
  isTransactionFileName,
} from './validate';

/** The only place that knows where things live under DATA_DIR. Every argument is validated first. */
export class DataPaths {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = resolve(dataDir);
  }

  teamsDir = () => this.inside('teams');
  teamDir = (email: string) => this.inside('teams', assertEmail(email));
  init = (email: string) => join(this.teamDir(email), 'init.json');
  ordersDir = (email: string) => join(this.teamDir(email), 'orders');
  order = (email: string, orderId: string) => join(this.ordersDir(email), `${assertUuid(orderId, 'order id')}.json`);
  transactionsDir = (email: string) => join(this.teamDir(email), 'transactions');
  transaction = (email: string, fileName: string) => {
    if (!isTransactionFileName(fileName)) throw new Error(`invalid transaction file name ${fileName}`);
    return join(this.transactionsDir(email), fileName);
  };
  negotiationsDir = (email: string) => join(this.teamDir(email), 'negotiations');
  negotiation = (email: string, id: string) => join(this.negotiationsDir(email), assertNegotiationId(id));
  archiveDir = (email: string) => join(this.teamDir(email), 'negotiations_archive');
  archivedNegotiation = (email: string, id: string) => join(this.archiveDir(email), assertNegotiationId(id));
  /** Where the agreement worker moves a negotiation while it settles it (the claim). */
  claimedDir = (email: string) => join(this.teamDir(email), 'negotiations_settling');
  claimedNegotiation = (email: string, id: string) => join(this.claimedDir(email), assertNegotiationId(id));
  /** The team's trade legs, one exclusively created file per sequence number (see ledger.ts). */
  ledgerDir = (email: string) => join(this.teamDir(email), 'ledger');
  /** Outcomes of the peer negotiations this team initiated, one exclusively created file each (see ledger.ts). */
  tradeDecisionsDir = (email: string) => join(this.teamDir(email), 'trade_decisions');
  tradeDecision = (owner: string, negotiationId: string) =>
    join(this.tradeDecisionsDir(owner), `${assertNegotiationId(negotiationId)}.json`);

  /** chat_log/<host>.<pid>.<random>.jsonl: each gateway's commit log of chat lines (see ChatLog). */
  chatLogDir = () => this.inside('chat_log');

  scenariosDir = () => this.inside('scenarios');
  scenario = (id: string) => join(this.scenariosDir(), `${assertScenarioId(id)}.json`);
  auditDir = () => this.inside('audit');
  /** Uploaded market designs (built-ins ship in the code), one file each, written by the instructor's upload. */
  marketDesignsDir = () => this.inside('market-designs');
  marketDesign = (id: string) => join(this.marketDesignsDir(), `${assertMarketId(id, 'design id')}.json`);
  /** A market run: its design, which team holds which schedule, its clock; written by its instructor's requests. */
  marketsDir = () => this.inside('markets');
  market = (id: string) => join(this.marketsDir(), `${assertMarketId(id, 'market id')}.json`);
  /** Accounts removed by an instructor: moved here whole (nothing saved is lost), out of teams/. */
  removedTeamsDir = () => this.inside('teams_removed');
  removedTeam = (email: string, stamp: string) =>
    join(this.removedTeamsDir(), `${assertEmail(email)}.${stamp.replace(/[^0-9A-Za-z-]/g, '-')}`);
  /** prefixes/<prefix>.json: created exclusively when an account takes a namespace prefix, so two never share one. */
  prefixesDir = () => this.inside('prefixes');
  prefixFileName = (prefix: string) => {
    if (!isPrefix(prefix)) throw new Error(`invalid prefix ${prefix}`);
    return `${prefix}.json`;
  };

  /** setup/code.json (the one-time code that creates the first instructor) and setup/claimed.json (it was used). */
  setupDir = () => this.inside('setup');

  sessionsDir = () => this.inside('sessions');
  session = (id: string) => join(this.sessionsDir(), assertSessionId(id));
  sessionFile = (id: string) => join(this.session(id), 'session.json');
  membersDir = (id: string) => join(this.session(id), 'members');
  memberFileName = (email: string) => `${assertEmail(email)}.json`;
  member = (id: string, email: string) => join(this.membersDir(id), this.memberFileName(email));
  roundsDir = (id: string) => join(this.session(id), 'rounds');
  roundFileName = (n: number) => `${positiveInt(n)}.json`;
  roundEndFileName = (n: number) => `${positiveInt(n)}.end.json`;
  broadcastsFile = (id: string) => join(this.session(id), 'broadcasts.jsonl');
  /** join_codes/<CODE>.json → {session_id}: created exclusively, so a code names one session. */
  joinCodesDir = () => this.inside('join_codes');
  joinCodeFileName = (code: string) => `${assertJoinCode(code)}.json`;

  /** The relative symlink target a responder holds: ../../<initiator>/negotiations/<id> */
  static responderLinkTarget(initiator: string, id: string): string {
    return join('..', '..', assertEmail(initiator), 'negotiations', assertNegotiationId(id));
  }

  private inside(...parts: string[]): string {
    const p = resolve(this.root, ...parts);
    if (p !== this.root && !p.startsWith(this.root + sep)) throw new Error('path escapes DATA_DIR');
    return p;
  }
}

function positiveInt(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error(`invalid round number ${n}`);
  return n;
}

/** File names inside a negotiation directory. */
export const NegotiationFiles = {
  meta: 'negotiation.json',
  outcome: 'outcome.json',
  state: (prefix: string) => `${prefix}_state.json`,
  messages: (prefix: string) => `${prefix}_messages.jsonl`,
  isState: (name: string) => name.endsWith('_state.json'),
  isMessages: (name: string) => name.endsWith('_messages.jsonl'),
};
