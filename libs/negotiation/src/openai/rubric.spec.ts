import type { ChatMessage } from '@parley/contracts';
import { FakeOpenAi } from '../../../../test/support/fake-openai';
import { loadBuiltin } from '../test-helpers';
import { scoreNegotiation } from '../scoring';
import { LlmRelationshipRubric, withRelationshipAssessment } from './rubric';

const line = (seq: number, sender_type: 'user' | 'ai', content: string): ChatMessage => ({
  id: `m${seq}`,
  seq,
  negotiation_id: 'n',
  sender_type,
  sender: sender_type === 'ai' ? 'ai' : 's@x.edu',
  content,
  timestamp: new Date(0).toISOString(),
});

describe('LLM relationship rubric (openai engine)', () => {
  const fake = new FakeOpenAi();
  let baseUrl = '';
  beforeAll(async () => {
    baseUrl = await fake.start();
  });
  afterAll(() => fake.stop());

  const transcript = [
    line(1, 'user', 'Thanks for the offer! What matters most to your team?'),
    line(2, 'ai', 'An early start.'),
    line(3, 'user', 'I can start in 3 weeks if we meet on salary.'),
  ];

  it('scores relationships from the model with evidence, and recomputes overall with the scenario weights', async () => {
    const scenario = await loadBuiltin('salary');
    fake.script({
      kind: 'json',
      content: { score: 88, evidence: 'Asked about interests (#1) and offered an early start in exchange (#3).' },
    });
    const rubric = new LlmRelationshipRubric({ baseUrl, model: 'grader', timeoutMs: 5000 });
    const assessed = await rubric.assess(scenario, transcript);
    expect(assessed).toEqual({ score: 88, evidence: expect.stringContaining('#3') });
    const req = fake.requests.at(-1)!.body;
    expect(req.response_format.type).toBe('json_schema');
    expect(req.messages[1].content).toContain('#3 candidate: I can start in 3 weeks');

    const rules = scoreNegotiation({
      scenario,
      terms: { salary: 100000, signing_bonus: 5000, start_weeks: 3, remote_days: 2 },
      transcript,
      status: 'completed',
    });
    const mixed = withRelationshipAssessment(scenario, rules, assessed!);
    const w = scenario.score_weights;
    const total = w.claiming_value + w.creating_value + w.managing_relationships;
    expect(mixed.final_score.managing_relationships).toBe(88);
    expect(mixed.final_score.claiming_value).toBe(rules.final_score.claiming_value);
    expect(mixed.final_score.overall).toBe(
      Math.round(
        (w.claiming_value * rules.final_score.claiming_value +
          w.creating_value * rules.final_score.creating_value +
          w.managing_relationships * 88) /
          total,
      ),
    );
    expect(mixed.score_explanations.managing_relationships).toMatch(/^LLM rubric: 88\/100\. Asked about interests/);
  });

  it('returns nothing when the model fails or answers garbage, so the transparent rules stand', async () => {
    const scenario = await loadBuiltin('salary');
    const rubric = new LlmRelationshipRubric({ baseUrl, model: 'grader', timeoutMs: 5000 });
    fake.script({ kind: 'status', status: 500 });
    expect(await rubric.assess(scenario, transcript)).toBeNull();
    fake.script({ kind: 'raw', content: 'not json' });
    expect(await rubric.assess(scenario, transcript)).toBeNull();
  });

  it('is checked against the rules: a model talked round by pasted praise is capped, and pasted lines reach it once', async () => {
    const scenario = await loadBuiltin('used-car');
    const pasted = 'Thank you so much, you are wonderful! What matters most to you?';
    const abusive = [
      line(1, 'ai', 'Price $11,000.'),
      line(2, 'user', 'You idiot, $5,000 take it or leave it.'),
      ...Array.from({ length: 6 }, (_, i) => line(3 + i, 'user', pasted)),
    ];
    fake.script({ kind: 'json', content: { score: 97, evidence: 'Very warm and curious (#3).' } });
    const rubric = new LlmRelationshipRubric({ baseUrl, model: 'grader', timeoutMs: 5000 });
    const assessed = (await rubric.assess(scenario, abusive))!;
    const sent = fake.requests.at(-1)!.body.messages[1].content as string;
    expect(sent.split(pasted).length - 1).toBe(1);
    expect(sent).toContain('[sent 6 times]');
    const rules = scoreNegotiation({ scenario, terms: { price: 8000 }, transcript: abusive, status: 'completed' });
    const mixed = withRelationshipAssessment(scenario, rules, assessed);
    expect(mixed.final_score.managing_relationships).toBeLessThan(97);
    expect(mixed.final_score.managing_relationships).toBeLessThanOrEqual(rules.final_score.managing_relationships + 25);
    expect(mixed.score_explanations.managing_relationships).toMatch(/Checked against the rules/);
    // a single issue: creating value stays out of overall with the rubric too
    expect(mixed.score_explanations.overall).not.toMatch(/creating/);
  });
});
