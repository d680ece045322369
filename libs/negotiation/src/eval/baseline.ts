/**
 * Zone share and deal rate per scenario and student for the engine before issue 12 (commit 917c7c2, its own
 * scenario files), played by this harness with the same students, 12 seeds. Regenerate by running the old
 * engine through playEpisode(scenario, strategy, seed, oldEngine).
 */
type Baseline = Record<string, Record<string, { zoneShare: number; dealRate: number }>>;

/** [student, zone share, deal rate] per scenario. */
const ROWS: Record<string, [string, number, number][]> = {
  salary: [
    ['hardball', 0.564, 1],
    ['conceder', 0.114, 1],
    ['tit-for-tat', 0.374, 1],
    ['integrative', 0.509, 1],
    ['injection', 0.703, 1],
    ['stonewaller', 0.201, 1],
    ['tiny-step-staller', 0, 0],
    ['questions-then-lowball', 0, 0],
    ['retractor', 0, 0],
    ['absurd-anchor-then-jump', 0.418, 1],
    ['alternative-bluffer', 0.637, 1],
    ['copy-paster', 0, 0],
    ['polite-concedes-everything', 0.044, 1],
    ['held-out: split-the-difference', 0.154, 1],
    ['held-out: last-minute-jumper', 0.195, 1],
  ],
  'used-car': [
    ['hardball', 0.9, 1],
    ['conceder', 0.161, 1],
    ['tit-for-tat', 0.233, 1],
    ['integrative', 0.725, 1],
    ['injection', 0, 0],
    ['stonewaller', 0.033, 1],
    ['tiny-step-staller', 0, 0],
    ['questions-then-lowball', 0, 0],
    ['retractor', 0, 0],
    ['absurd-anchor-then-jump', 0.333, 1],
    ['alternative-bluffer', 0.667, 1],
    ['copy-paster', 1, 1],
    ['polite-concedes-everything', 0, 1],
    ['held-out: split-the-difference', 0, 1],
    ['held-out: last-minute-jumper', 0.067, 1],
  ],
  'chemical-supply': [
    ['hardball', 0.537, 1],
    ['conceder', 0.258, 1],
    ['tit-for-tat', 0.355, 1],
    ['integrative', 0.672, 1],
    ['injection', 0.575, 1],
    ['stonewaller', 0.563, 1],
    ['tiny-step-staller', 0, 0],
    ['questions-then-lowball', 0, 0],
    ['retractor', 0, 0],
    ['absurd-anchor-then-jump', 0.403, 1],
    ['alternative-bluffer', 0.482, 1],
    ['copy-paster', 0, 0],
    ['polite-concedes-everything', 0.075, 1],
    ['held-out: split-the-difference', 0.323, 1],
    ['held-out: last-minute-jumper', 0.586, 1],
  ],
};

export const BASELINE: Baseline = Object.fromEntries(
  Object.entries(ROWS).map(([scenario, rows]) => [
    scenario,
    Object.fromEntries(rows.map(([student, zoneShare, dealRate]) => [student, { zoneShare, dealRate }])),
  ]),
);
