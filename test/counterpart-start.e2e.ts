/**
 * The message forms students tried on the built-in counterpart, replayed through real sockets against the
 * processes `npm start` launches (start-all: gateway, ai-worker, agreement-worker). Each reply is judged by a
 * criterion checked here; with REPLAY_DOCS=1 the table goes to docs/evaluation-replay.md, which `npm run eval`
 * includes in docs/EVALUATION.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { addUser } from '../apps/cli/src/users';
import { loadBuiltin } from '../libs/negotiation/src/test-helpers';
import { collect, connect, emitAck, http, login, sleep, waitFor } from './support/harness';
import { buildIfChanged, freePort, ROOT, Run, start, until } from './support/npm-start';

interface Seen {
  content: string;
  metadata: unknown;
  status: string;
  ai: { status: string; offer: Record<string, number> } | undefined;
}
interface Case {
  scenario: 'salary' | 'used-car' | 'chemical-supply';
  line: string;
  criterion: string;
  sensible: (r: Seen) => boolean;
}

const SAYS_DEAL = /^\W*(deal|agreed|accepted)\b/i;
const WALKS = /\b(end (the|this) (negotiation|conversation)|goodbye|step away|walk away)\b/i;
const SIDE_CHANNEL = /deadline|final proposal|turns? (left|remaining)|remaining turns|reservation|walk-?away/i;
const stillOpen = (r: Seen) => r.status === 'active' && r.ai?.status === 'pending';
const noDeal = (r: Seen) => !SAYS_DEAL.test(r.content) && stillOpen(r);
/** The persona's scripted answer on a topic (from the scenario file's ai_private.answers). */
const personaAnswer = (scenario: string, topic: string) =>
  loadBuiltin(scenario).ai_private.answers!.find((a) => a.topics.includes(topic))!.text;

const CASES: Case[] = [
  {
    scenario: 'chemical-supply',
    line: 'We could take 800 units if delivery is within 2 weeks. What price could you do for that?',
    criterion: 'no deal on a conditional question; a full counter that names a price',
    sensible: (r) => noDeal(r) && typeof r.ai?.offer.price === 'number' && /\$\d+(\.\d+)?\/unit/.test(r.content),
  },
  {
    scenario: 'salary',
    line: 'That works if you add a $10,000 signing bonus and 3 remote days.',
    criterion: 'no deal on a conditional statement',
    sensible: noDeal,
  },
  {
    scenario: 'used-car',
    line: 'Why are you selling it?',
    criterion: "the persona's reason for selling (scenario answers), no deal",
    sensible: (r) => noDeal(r) && r.content.includes(personaAnswer('used-car', 'selling')),
  },
  {
    scenario: 'used-car',
    line: 'Have there been any accidents?',
    criterion: "the persona's answer about accidents, not about other buyers",
    sensible: (r) => noDeal(r) && r.content.includes(personaAnswer('used-car', 'accidents')) && !/other (people|buyers)/i.test(r.content),
  },
  {
    scenario: 'salary',
    line: 'What base salary did you have in mind?',
    criterion: 'names a base salary figure, no deal',
    sensible: (r) => noDeal(r) && /base salary[^.?!]*\$\d{2,3},\d{3}/i.test(r.content),
  },
  {
    scenario: 'used-car',
    line: 'Sorry, that was a stupid question of mine. Could you tell me more about the car?',
    criterion: 'no walk-out on an apology with a self-deprecating word',
    sensible: (r) => stillOpen(r) && !WALKS.test(r.content),
  },
  {
    scenario: 'used-car',
    line: 'I can pay $5,000 for it.',
    criterion: 'pushback on an ambitious first ask: no walk-out, no "again", a counter above it',
    sensible: (r) => noDeal(r) && !WALKS.test(r.content) && !/\bagain\b/i.test(r.content) && r.ai!.offer.price > 5000,
  },
  {
    scenario: 'salary',
    line: 'I was hoping for ninety-two thousand.',
    criterion: 'read as a salary of $92,000 (not $90,000 plus a $2,000 bonus)',
    sensible: (r) => noDeal(r) && r.content.includes('$92,000') && !r.content.includes('$2,000'),
  },
  {
    scenario: 'salary',
    line: 'Something in the 90-95k range would work for me.',
    criterion: 'the range named back ($90,000 to $95,000), not a $90 bonus',
    sensible: (r) => noDeal(r) && r.content.includes('$90,000') && r.content.includes('$95,000') && !/\$90(?!,)/.test(r.content),
  },
  {
    scenario: 'salary',
    line: "I'd really like to be fully remote.",
    criterion: '"fully remote" read as 5 remote days',
    sensible: (r) => noDeal(r) && /remote days 5 days/i.test(r.content),
  },
  {
    scenario: 'salary',
    line: 'Hybrid, 2 days in office, would suit me.',
    criterion: '"2 days in office" read as 3 remote days',
    sensible: (r) => noDeal(r) && /remote days 3 days/i.test(r.content),
  },
  {
    scenario: 'used-car',
    line: 'Could you do 7,5k?',
    criterion: 'a decimal comma read as $7,500; no walk-out',
    sensible: (r) => noDeal(r) && r.content.includes('$7,500') && !WALKS.test(r.content),
  },
  {
    scenario: 'used-car',
    line: 'A dealer has one for $9,400.',
    criterion: 'an alternative taken as information: not restated as their offer, not met',
    sensible: (r) => noDeal(r) && !/you('ve| have)? (proposed|offered|offer)\b[^.?!]*9,400/i.test(r.content) && r.ai!.offer.price > 9400,
  },
];

describe('the counterpart under `npm start`: the message forms students tried', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-replay-'));
  let run: Run;
  let base: string;
  let token: string;
  const sockets: Socket[] = [];
  const rows: { c: Case; seen: Seen; ok: boolean }[] = [];

  beforeAll(async () => {
    expect((await buildIfChanged()).status).toBe(0);
    await addUser(dataDir, { email: 'sam@uni.edu', password: 'secret12', role: 'student' });
    const port = await freePort();
    run = start({
      HOST: '127.0.0.1',
      PORT: String(port),
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `t${randomBytes(5).toString('hex')}`,
      DATA_DIR: dataDir,
      JWT_SECRET: 'replay-test-secret-replay-test-secret',
      AI_TYPING_DELAY_MS: '0',
    });
    await until('the ready line', () => run.out.some((l) => l.includes('Parley is ready')), 60_000);
    base = `http://127.0.0.1:${port}`;
    token = await login(base, 'sam@uni.edu', 'secret12');
  }, 600_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    run?.child.kill('SIGTERM');
    if (run) await run.exited;
    rmSync(dataDir, { recursive: true, force: true });
    if (process.env.REPLAY_DOCS && rows.length === CASES.length) writeFileSync(join(ROOT, 'docs/evaluation-replay.md'), table(rows));
  });

  it.each(CASES.map((c) => [c.line, c] as const))('%s', async (_line, c) => {
    const created = await http(base, 'POST', '/api/negotiations', { scenario_id: c.scenario }, token);
    expect(created.status).toBe(201);
    const id: string = created.body.negotiation_id;
    const s = await connect(base, token);
    sockets.push(s);
    const greeting = waitFor(s, 'ai-message', (m) => m.negotiation_id === id && m.reply_to === 0, 10_000);
    await emitAck(s, 'join-negotiation', { negotiation_id: id });
    await greeting;
    const replies = collect(s, 'ai-message');
    const ack = await emitAck(s, 'send-message', { negotiation_id: id, content: c.line });
    expect(ack.ok).toBe(true);
    for (let i = 0; i < 100 && !replies.some((m) => m.reply_to === ack.data.seq); i++) await sleep(100);
    const reply = replies.find((m) => m.reply_to === ack.data.seq);
    expect(reply).toBeTruthy();
    const joined = await emitAck(s, 'join-negotiation', { negotiation_id: id });
    const seen: Seen = {
      content: reply.content,
      metadata: reply.ai_metadata,
      status: joined.data.state.status,
      ai: joined.data.state.offers.find((o: { user: string }) => o.user === 'ai'),
    };
    const ok = c.sensible(seen) && !SIDE_CHANNEL.test(JSON.stringify(seen.metadata));
    rows.push({ c, seen, ok });
    expect({ line: c.line, reply: seen.content, criterion: c.criterion, ok }).toEqual({
      line: c.line,
      reply: seen.content,
      criterion: c.criterion,
      ok: true,
    });
  });
});

function table(rows: { c: Case; seen: Seen; ok: boolean }[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '## The message forms students tried, replayed against `npm start`',
    '',
    '`REPLAY_DOCS=1 npx jest test/counterpart-start.e2e.ts` starts the built services as `npm start` does, sends each',
    'line as the first student message of a new negotiation through a real Socket.io client, and checks the reply',
    "against the stated criterion (and that `ai_metadata` carries nothing about the AI's deadline or limits).",
    '',
    '| scenario | student line | AI reply | criterion (checked in code) | sensible |',
    '|---|---|---|---|---|',
    ...rows.map(
      ({ c, seen, ok }) => `| ${c.scenario} | ${cell(c.line)} | ${cell(seen.content)} | ${cell(c.criterion)} | ${ok ? 'yes' : '**no**'} |`,
    ),
    '',
  ].join('\n');
}
