import { z } from 'zod';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { isScenarioId } from '@parley/store';
import { FullScenario, Scenario } from './types';

const finite = z.number({ message: 'must be a number' }).refine(Number.isFinite, 'must be a finite number');
/** A required text field: empty is "missing", over `max` says the limit. */
const text = (max: number, missing: string) =>
  z
    .string({ message: missing })
    .max(max, `at most ${max} characters`)
    .refine((v) => v.trim() !== '', missing);

const issueSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be lower-case letters, digits or _ (max 40)'),
    label: text(80, 'give the issue a label'),
    unit: z.string().max(40, 'at most 40 characters').optional(),
    min: finite,
    max: finite,
    step: z.number({ message: 'must be a number' }).positive('must be above 0').optional(),
    keywords: z.array(z.string().min(1).max(40)).max(30).optional(),
    phrases: z
      .array(z.object({ words: z.array(z.string().min(1).max(40)).min(1).max(20), value: finite }))
      .max(20)
      .optional(),
    complement: z.object({ words: z.array(z.string().min(1).max(40)).min(1).max(20), total: finite }).optional(),
  })
  .refine((i) => i.max > i.min, { message: 'max must be greater than min', path: ['max'] });

const preferenceSchema = z
  .object({
    weight: z.number({ message: 'must be a number' }).min(0, 'a priority is between 0 and 1').max(1, 'a priority is between 0 and 1'),
    best: finite,
    worst: finite,
    limit: finite.optional(),
  })
  .refine((p) => p.best !== p.worst, { message: 'best and worst must differ', path: ['best'] });

const prefsSchema = z.record(z.string(), preferenceSchema);
const reservation = z
  .number({ message: 'must be a number' })
  .min(0, 'a reservation is between 0 and 0.99')
  .max(0.99, 'a reservation is between 0 and 0.99');

export const scenarioSchema = z
  .object({
    id: z.string().refine(isScenarioId, 'must be lower-case letters, digits or - (max 64)'),
    title: text(120, 'give the scenario a title'),
    summary: text(1000, 'write a one- or two-sentence summary'),
    student_role: text(60, 'name the student\'s role ("buyer")'),
    ai_role: text(60, 'name the counterpart\'s role ("seller")'),
    student_brief: text(5000, "write the student's brief"),
    /** The other side's brief for a second student in peer role-play (derived from ai_private when absent). */
    ai_brief: text(5000, "write the other side's brief, or leave it out").optional(),
    issues: z.array(issueSchema).min(1, 'add at least one issue').max(8, 'at most 8 issues'),
    ai_private: z.object({
      persona: text(2000, 'describe the counterpart (the persona)'),
      private_facts: z.array(z.string().max(500)).max(30),
      strategy: z.enum(['boulware', 'conceder', 'linear']),
      deadline_turns: z.number().int().min(2).max(50),
      prefs: prefsSchema,
      reservation_utility: reservation,
      /** Who speaks first in a new negotiation (default: the AI greets and opens). */
      opens: z.enum(['ai', 'student']).optional(),
      /** What the persona says when asked about a topic: topic words and the answer. */
      answers: z
        .array(z.object({ topics: z.array(z.string().min(1).max(40)).min(1).max(30), text: z.string().min(1).max(500) }))
        .max(40)
        .optional(),
      /** Public reasons the persona gives for its position on an issue. */
      reasons: z.record(z.string(), z.array(z.string().min(1).max(300)).max(10)).optional(),
    }),
    student_private: z.object({ prefs: prefsSchema, reservation_utility: reservation }),
    score_weights: z
      .object({ claiming_value: z.number().min(0), creating_value: z.number().min(0), managing_relationships: z.number().min(0) })
      .refine((w) => w.claiming_value + w.creating_value + w.managing_relationships > 0, 'weights must not all be 0'),
  })
  .superRefine((s, ctx) => {
    const names = s.issues.map((i) => i.name);
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['issues'], message: 'issue names must be unique' });
    for (const side of ['ai_private', 'student_private'] as const) {
      const prefs = s[side].prefs;
      for (const name of names) {
        if (!prefs[name]) ctx.addIssue({ code: 'custom', path: [side, 'prefs', name], message: `missing preference for issue "${name}"` });
      }
      for (const key of Object.keys(prefs)) {
        if (!names.includes(key)) ctx.addIssue({ code: 'custom', path: [side, 'prefs', key], message: `no issue named "${key}"` });
        const issue = s.issues.find((i) => i.name === key);
        const limit = prefs[key].limit;
        if (issue && limit !== undefined && (limit < issue.min || limit > issue.max)) {
          ctx.addIssue({
            code: 'custom',
            path: [side, 'prefs', key, 'limit'],
            message: `limit ${limit} is outside the issue range ${issue.min}..${issue.max}`,
          });
        }
      }
      const total = Object.values(prefs).reduce((t, p) => t + p.weight, 0);
      if (Math.abs(total - 1) > 0.011) {
        ctx.addIssue({ code: 'custom', path: [side, 'prefs'], message: `weights must sum to 1 (they sum to ${Number(total.toFixed(3))})` });
      }
    }
  });

export type ScenarioCheck = { ok: true; scenario: FullScenario } | { ok: false; problems: string[] };

/** Which field is wrong and why: `path` is dotted (`issues.0.max`), `(root)` for the whole document. */
export interface ScenarioFieldError {
  path: string;
  message: string;
}

/** Every schema error of raw JSON, by field; empty when it is a valid scenario. */
export function scenarioErrors(raw: unknown): ScenarioFieldError[] {
  const parsed = scenarioSchema.safeParse(raw);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => ({ path: i.path.length ? i.path.join('.') : '(root)', message: i.message }));
}

/** Validate raw JSON; each problem names the source, the field and what is wrong. */
export function checkScenario(raw: unknown, source: string): ScenarioCheck {
  const parsed = scenarioSchema.safeParse(raw);
  if (parsed.success) return { ok: true, scenario: parsed.data as FullScenario };
  return { ok: false, problems: scenarioErrors(raw).map((e) => `${source}: ${e.path}: ${e.message}`) };
}

const validated = new WeakMap<object, FullScenario>();

/**
 * The engines receive `Scenario` (public part typed, private part opaque); this checks the private part
 * once per object and returns it typed. A scenario without valid private fields is a clear error.
 */
export function asFullScenario(scenario: Scenario | FullScenario): FullScenario {
  const hit = validated.get(scenario);
  if (hit) return hit;
  const check = checkScenario(scenario, `scenario ${String(scenario?.id)}`);
  if (!check.ok) throw new ParleyError(ErrorCode.Internal, `invalid scenario: ${check.problems.slice(0, 3).join('; ')}`, 500);
  validated.set(scenario, check.scenario);
  return check.scenario;
}
