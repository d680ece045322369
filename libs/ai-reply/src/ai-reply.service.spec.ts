import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ChatMessage, ErrorCode, ParleyError, PartyState, ServerPayloads } from '@parley/contracts';
import { DataPaths, LocatedNegotiation, MessageLog, NegotiationStore } from '@parley/store';
import { agreementKey } from '@parley/negotiation';
import { AiReplyDeps, AiReplyService, ReplyJob } from './ai-reply.service';
import type { AiTurn, FullScenario, NegotiationEngine, NegotiatorInput } from '@parley/negotiation';

const SALARY_SCENARIO: FullScenario = {
  id: 'unit-salary',
  title: 'Salary talk',
  summary: 'A recruiter and a candidate settle an offer.',
  student_role: 'candidate',
  ai_role: 'recruiter',
  student_brief: 'Get a good package.',
  issues: [
    { name: 'salary', label: 'Salary', unit: 'USD', min: 60000, max: 120000, step: 1000 },
    { name: 'bonus', label: 'Signing bonus', unit: 'USD', min: 0, max: 20000, step: 500 },
  ],
  ai_private: {
    persona: 'Dana, a friendly but careful recruiter at Acme.',
    private_facts: ['The budget for this role ends at 100k.'],
    strategy: 'linear',
    deadline_turns: 8,
    prefs: { salary: { weight: 0.7, best: 60000, worst: 120000, limit: 100000 }, bonus: { weight: 0.3, best: 0, worst: 20000 } },
    reservation_utility: 0.3,
  },
  student_private: {
    prefs: { salary: { weight: 0.7, best: 120000, worst: 60000 }, bonus: { weight: 0.3, best: 20000, worst: 0 } },
    reservation_utility: 0.2,
  },
  score_weights: { claiming_value: 0.4, creating_value: 0.3, managing_relationships: 0.3 },
};

const STUDENT = 'alice@example.edu';

/** An engine that answers from a script and remembers what it was asked. */
class ScriptedEngine implements NegotiationEngine {
  readonly name = 'scripted';
  inputs: NegotiatorInput[] = [];
  constructor(private readonly answer: (input: NegotiatorInput) => Promise<AiTurn> | AiTurn) {}
  async respond(input: NegotiatorInput): Promise<AiTurn> {
    this.inputs.push(input);
    return this.answer(input);
  }
}

const turn = (extra: Partial<AiTurn> = {}): AiTurn => ({
  content: 'Let us talk numbers.',
  metadata: { model: 'scripted', reasoning: 'r', negotiation_state: 'discussion', confidence: 0.5 },
  ...extra,
});

type Emitted = { event: keyof ServerPayloads; payload: any };

describe('AiReplyService', () => {
  let dataDir: string;
  let paths: DataPaths;
  let store: NegotiationStore;
  const messages = new MessageLog();
  let located: LocatedNegotiation;
  let emitted: Emitted[];
  let checks: { negotiation_id: string; owner: string }[];
  let usage: { id: string; prompt: number }[];
  let seq: number;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-ai-reply-'));
    paths = new DataPaths(dataDir);
    store = new NegotiationStore(paths);
    const meta = await store.createAi(STUDENT, SALARY_SCENARIO.id, 'candidate', 'recruiter', 3600_000);
    located = (await store.locate(STUDENT, meta.id))!;
    emitted = [];
    checks = [];
    usage = [];
    seq = 0;
    await studentSays('I would like 110k.');
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  async function studentSays(content: string): Promise<number> {
    seq = Math.max(seq, await messages.maxSeq(located.dir)) + 1;
    const m: ChatMessage = {
      id: `m${seq}`,
      seq,
      negotiation_id: located.id,
      sender_type: 'user',
      sender: STUDENT,
      content,
      timestamp: new Date().toISOString(),
    };
    await messages.append(located.dir, 'alice', [m]);
    return seq;
  }

  async function studentState(status: PartyState['status'], terms: Record<string, number>): Promise<void> {
    const s: PartyState = {
      user: STUDENT,
      role: 'candidate',
      offer: { ...terms, timestamp: 1 },
      status,
      last_updated: 1,
      ...(status === 'agreed' ? { agreement_key: agreementKey(terms) } : {}),
    };
    await store.writeState(located, 'alice', s);
  }

  function service(engine: NegotiationEngine, overrides: Partial<AiReplyDeps> = {}): AiReplyService {
    return new AiReplyService({
      negotiations: store,
      messages,
      scenarios: { get: async (id) => (id === SALARY_SCENARIO.id ? SALARY_SCENARIO : null) },
      engine,
      sequence: { next: async (_id, maxOnDisk) => (seq = Math.max(seq, await maxOnDisk()) + 1) },
      room: { toNegotiation: (_id, event, payload) => void emitted.push({ event, payload }) },
      agreementChecks: { enqueueAgreementCheck: async (d) => void checks.push(d) },
      usage: { record: async (id, u) => void usage.push({ id, prompt: u.prompt_tokens }) },
      ...overrides,
    });
  }

  const job = (trigger_seq: number, reason: ReplyJob['reason'] = 'message'): ReplyJob => ({
    negotiation_id: located.id,
    owner: STUDENT,
    trigger_seq,
    reason,
  });
  const aiLines = () => messages.readParty(located.dir, 'ai');
  const aiState = async () => (await store.readStates(located.dir)).find((s) => s.user === 'ai') ?? null;
  const events = () => emitted.map((e) => e.event);

  it('writes one AI line answering the trigger, its new offer, and tells the room', async () => {
    const engine = new ScriptedEngine(() =>
      turn({ offer: { salary: 80000, bonus: 2000 }, usage: { prompt_tokens: 120, completion_tokens: 30 } }),
    );
    const out = await service(engine).handle(job(1));

    expect(out.status).toBe('replied');
    const lines = await aiLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      sender_type: 'ai',
      sender: 'ai',
      seq: 2,
      reply_to: 1,
      content: 'Let us talk numbers.',
      status: 'pending',
      terms: { salary: 80000, bonus: 2000 },
    });
    expect(lines[0].ai_metadata).toEqual({ model: 'scripted', reasoning: 'r', negotiation_state: 'discussion', confidence: 0.5 });
    const state = await aiState();
    expect(state).toMatchObject({ user: 'ai', role: 'recruiter', status: 'pending', offer: { salary: 80000, bonus: 2000 } });
    expect(state!.agreement_key).toBeUndefined();
    expect(events()).toEqual(['ai-typing', 'ai-message', 'offer-updated']);
    expect(emitted[0].payload).toEqual({ negotiation_id: located.id, typing: false, estimated_time: 0 });
    expect(emitted[1].payload.id).toBe(lines[0].id);
    expect(emitted[2].payload).toMatchObject({ negotiation_id: located.id, user: 'ai', status: 'pending' });
    expect(checks).toEqual([]);
    expect(usage).toEqual([{ id: located.id, prompt: 120 }]);
    // the engine saw the transcript and the student's message
    expect(engine.inputs[0].transcript.map((m) => m.seq)).toEqual([1]);
    expect(engine.inputs[0].aiTurns).toBe(0);
  });

  it('answers a job only once: a retry finds the reply and only sends that same message again', async () => {
    const engine = new ScriptedEngine(() => turn({ offer: { salary: 80000, bonus: 2000 } }));
    await service(engine).handle(job(1));
    emitted = [];
    const again = await service(engine).handle(job(1), { redelivered: true });

    expect(again.status).toBe('duplicate');
    expect(await aiLines()).toHaveLength(1);
    expect(engine.inputs).toHaveLength(1);
    expect(events()).toEqual(['ai-typing', 'ai-message']);
    expect(emitted.find((e) => e.event === 'ai-message')?.payload.id).toBe((await aiLines())[0].id);
  });

  it('a new job for a turn already answered (a second tab asking for the opening) sends the room nothing new', async () => {
    const engine = new ScriptedEngine(() => turn());
    await service(engine).handle(job(1));
    emitted = [];
    const again = await service(engine).handle(job(1));

    expect(again.status).toBe('duplicate');
    expect(await aiLines()).toHaveLength(1);
    expect(engine.inputs).toHaveLength(1);
    expect(events()).toEqual(['ai-typing']);
  });

  it('two runs of one job racing through a slow engine still leave one reply', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const engine = new ScriptedEngine(async () => {
      await gate;
      return turn();
    });
    const svc = service(engine);
    const first = svc.handle(job(1));
    const second = svc.handle(job(1));
    await new Promise((r) => setTimeout(r, 20));
    release();
    const results = await Promise.all([first, second]);
    // the file is re-read after the engine: the later writer sees the earlier line
    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'replied']);
    expect(await aiLines()).toHaveLength(1);
  });

  it('accepting sets agreed with the agreement key and asks the agreement worker to check', async () => {
    await studentState('agreed', { salary: 90000, bonus: 1000 });
    const engine = new ScriptedEngine((_input) => turn({ accept: { salary: 90000, bonus: 1000 } }));
    await service(engine).handle(job(1, 'offer'));

    const state = await aiState();
    expect(state).toMatchObject({ status: 'agreed', agreement_key: agreementKey({ salary: 90000, bonus: 1000 }) });
    expect(checks).toEqual([{ negotiation_id: located.id, owner: STUDENT }]);
    expect(events()).toEqual(['ai-typing', 'ai-message', 'offer-updated']);
  });

  it('walking away marks the AI rejected and asks for a check', async () => {
    const engine = new ScriptedEngine(() => turn({ walk_away: { reason: 'no zone' } }));
    await service(engine).handle(job(1));
    expect(await aiState()).toMatchObject({ status: 'rejected', offer: null });
    expect(checks).toHaveLength(1);
  });

  it('leaves ai_state.json alone when the turn does not change it', async () => {
    const engine = new ScriptedEngine(() => turn({ offer: { salary: 80000, bonus: 2000 } }));
    await service(engine).handle(job(1));
    const before = await readFile(join(located.dir, 'ai_state.json'), 'utf8');
    emitted = [];
    const next = await studentSays('Hmm.');
    await new Promise((r) => setTimeout(r, 1100)); // a rewrite would show a new last_updated
    const out = await service(engine).handle(job(next));
    expect(out.status).toBe('replied');
    expect(await readFile(join(located.dir, 'ai_state.json'), 'utf8')).toBe(before);
    expect(events()).toEqual(['ai-typing', 'ai-message']);
    expect((await aiLines())[1].status).toBeUndefined();
    expect(engine.inputs[1].aiTurns).toBe(1);
  });

  it('passes forceAccept for dev jobs', async () => {
    const engine = new ScriptedEngine(() => turn());
    await service(engine).handle(job(1, 'dev'));
    expect(engine.inputs[0].forceAccept).toBe(true);
  });

  it('does nothing for a settled or missing negotiation', async () => {
    const engine = new ScriptedEngine(() => turn({ offer: { salary: 80000, bonus: 2000 } }));
    const archived = paths.archivedNegotiation(STUDENT, located.id);
    await mkdir(dirname(archived), { recursive: true });
    await rename(located.dir, archived);

    expect((await service(engine).handle(job(1))).status).toBe('skipped');
    expect(await messages.readParty(archived, 'ai')).toEqual([]);
    expect(engine.inputs).toHaveLength(0);

    const missing = await service(engine).handle({ ...job(1), negotiation_id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.status).toBe('skipped');
    const badOwner = await service(engine).handle({ ...job(1), owner: '../../etc' });
    expect(badOwner.status).toBe('skipped');
    expect(events().every((e) => e === 'ai-typing')).toBe(true);
  });

  it('rejects a malformed job with INVALID_PAYLOAD', async () => {
    const engine = new ScriptedEngine(() => turn());
    await expect(service(engine).handle({ ...job(1), trigger_seq: -1 })).rejects.toMatchObject({ code: ErrorCode.InvalidPayload });
    await expect(service(engine).handle({ ...job(1), reason: 'spam' as never })).rejects.toMatchObject({ code: ErrorCode.InvalidPayload });
  });

  it('an engine timeout tells the room AI_TIMEOUT, stops the typing indicator and writes nothing', async () => {
    const engine = new ScriptedEngine(() => {
      throw new ParleyError(ErrorCode.AiTimeout, 'slow');
    });
    await expect(service(engine).handle(job(1))).rejects.toMatchObject({ code: ErrorCode.AiTimeout });
    expect(await aiLines()).toEqual([]);
    expect(events()).toEqual(['ai-typing', 'error']);
    expect(emitted[1].payload).toMatchObject({ code: 'AI_TIMEOUT', negotiation_id: located.id });
    expect(typeof emitted[1].payload.message).toBe('string');
    expect(typeof emitted[1].payload.timestamp).toBe('string');
  });

  it('any other engine failure is AI_FAILED', async () => {
    const engine = new ScriptedEngine(() => {
      throw new Error('socket hang up');
    });
    await expect(service(engine).handle(job(1))).rejects.toMatchObject({ code: ErrorCode.AiFailed });
    expect(emitted.find((e) => e.event === 'error')!.payload.code).toBe('AI_FAILED');
  });

  it('an unknown scenario is AI_FAILED, not a retry loop', async () => {
    const engine = new ScriptedEngine(() => turn());
    await expect(service(engine, { scenarios: { get: async () => null } }).handle(job(1))).rejects.toMatchObject({
      code: ErrorCode.AiFailed,
    });
    expect(engine.inputs).toHaveLength(0);
  });

  it('a crash between the message and the state write is repaired by the retry, without a second reply', async () => {
    const engine = new ScriptedEngine(() => turn({ offer: { salary: 85000, bonus: 0 } }));
    let crashes = 1;
    const crashingStore: AiReplyDeps['negotiations'] = {
      locate: (e, i) => store.locate(e, i),
      readStates: (d) => store.readStates(d),
      writeState: async (l, p, s) => {
        if (crashes-- > 0) throw new Error('process died');
        return store.writeState(l, p, s);
      },
    };
    await expect(service(engine, { negotiations: crashingStore }).handle(job(1))).rejects.toThrow('process died');
    expect(await aiLines()).toHaveLength(1);
    expect(await aiState()).toBeNull();
    emitted = [];

    const retry = await service(engine, { negotiations: crashingStore }).handle(job(1), { redelivered: true });
    expect(retry.status).toBe('duplicate');
    expect(await aiLines()).toHaveLength(1);
    expect(await aiState()).toMatchObject({ status: 'pending', offer: { salary: 85000, bonus: 0 } });
    expect(events()).toEqual(['ai-typing', 'ai-message', 'offer-updated']);
    expect(engine.inputs).toHaveLength(1);
  });

  it('a reply landing while the negotiation is being settled is dropped quietly', async () => {
    const engine = new ScriptedEngine(async () => {
      // the agreement worker claims the directory while the engine thinks
      const claimed = paths.claimedNegotiation(STUDENT, located.id);
      await mkdir(dirname(claimed), { recursive: true });
      await rename(located.dir, claimed);
      return turn({ offer: { salary: 80000, bonus: 0 } });
    });
    const out = await service(engine).handle(job(1));
    expect(out.status).toBe('skipped');
    expect(events()).toEqual(['ai-typing']);
  });
});
