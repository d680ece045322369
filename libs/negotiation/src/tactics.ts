import { targetUtility } from './concession';

/**
 * How much the AI asks for next, in its own utility. A blend, after Faratin, Sierra & Jennings
 * (1998): a behaviour-dependent part (relative tit-for-tat: the AI gives back about what the student's
 * last move gave it) and a time-dependent part that only runs while the student moves. The AI never
 * concedes without movement beyond a small courtesy step, never below the student's own best offer plus
 * a share of the gap, and never below its floor; time alone never takes it to the floor.
 */
export interface TacticInput {
  /** AI replies so far (this reply is number t). */
  t: number;
  /** The AI's deadline in replies. */
  T: number;
  /** The lowest utility the AI will offer (reservation plus a margin). */
  floor: number;
  /** Time-dependent concession exponent (Boulware < 1 < Conceder). */
  e: number;
  /** Utility of the AI's standing offer (1 before it has offered). */
  previous: number;
  /** The student's position after each of their moves, in the AI's utility, oldest first. */
  studentLevels: number[];
  /** Share of the student's concession (in the AI's utility) the AI gives back (relative tit-for-tat δ). */
  reciprocity: number;
  /** The AI replies whose preceding student message moved terms (index into studentLevels → reply). */
  courtesyRounds: number;
  /** How far the AI trusts what the student says (1; less after a claim their own offers contradict): scales each step. */
  credibility?: number;
}

/** Smallest movement (AI utility) that counts as a concession rather than a stall. */
export const MOVE_EPS = 0.008;
const COURTESY_STEP = 0.05;
const MAX_STEP = 0.12;
const RECIPROCITY_WINDOW = 3;
/** Time alone brings the AI only this share of the way from its best to its floor. */
const TIME_SHARE = 0.6;

export interface TacticResult {
  target: number;
  /** What reciprocity and time alone give (before the level bound): AC-next accepts an offer at least this good. */
  concession: number;
  /** The student's last move, in the AI's utility (negative: a retraction). */
  studentMove: number;
  /** Consecutive rounds, up to now, in which the student did not move by at least MOVE_EPS. */
  stalledRounds: number;
}

export function nextTarget(x: TacticInput): TacticResult {
  const n = x.studentLevels.length;
  const last = n ? x.studentLevels[n - 1] : null;
  const before = n >= 2 ? x.studentLevels[n - 2] : null;
  const studentMove = last !== null && before !== null ? last - before : 0;
  let stalledRounds = 0;
  for (let i = n - 1; i >= 1 && x.studentLevels[i] - x.studentLevels[i - 1] < MOVE_EPS; i--) stalledRounds++;
  const best = n ? Math.max(...x.studentLevels) : 0;

  // Time part: the step the time curve takes this round, scaled by how much the student moved.
  const timeFloor = 1 - TIME_SHARE * (1 - x.floor);
  const horizon = Math.max(1, x.T - 1);
  const timeStep = targetUtility(Math.max(0, x.t - 1), horizon, timeFloor, x.e) - targetUtility(x.t, horizon, timeFloor, x.e);
  // Averaged tit-for-tat over a short window, so one round in which an honest student's step rounds to nothing
  // does not stop the exchange; a student who never moved gets nothing back.
  const window = Math.min(RECIPROCITY_WINDOW, n - 1);
  const averaged = window > 0 ? (x.studentLevels[n - 1] - x.studentLevels[n - 1 - window]) / window : 0;
  const moved = Math.max(0, studentMove, averaged);
  const activity = n >= 2 ? Math.min(1, moved / (3 * MOVE_EPS)) : 0;
  let step = x.reciprocity * Math.min(moved, MAX_STEP) + activity * timeStep;
  // A first proposal (or an early round) gets a small courtesy step, scaled by how reasonable it is.
  if (x.courtesyRounds < 2 && last !== null) step = Math.max(step, COURTESY_STEP * Math.min(1, 0.5 + last));
  step = Math.min(step, MAX_STEP) * (x.credibility ?? 1);

  let target = x.previous - step;
  const concession = Math.max(x.floor, target);
  // Respond to the student's level: ask for a share of the gap above their best offer so far.
  const gapShare = 0.25 * (1 - Math.min(1, x.t / Math.max(1, x.T)));
  target = Math.max(target, best + gapShare * (x.previous - best));
  target = Math.min(x.previous, Math.max(x.floor, target));
  return { target, concession, studentMove, stalledRounds };
}
