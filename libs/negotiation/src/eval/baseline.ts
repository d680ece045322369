/**
 * Zone share and deal rate per scenario and student for the engine before issue 12 (commit 917c7c2, its own
 * scenario files), played by this harness with the same students, 12 seeds. Regenerate by running the old
 * engine through playEpisode(scenario, strategy, seed, oldEngine).
 */
export const BASELINE: Record<string, Record<string, { zoneShare: number; dealRate: number }>> = {
  salary: {
    hardball: {
      zoneShare: 0.564,
      dealRate: 1,
    },
    conceder: {
      zoneShare: 0.114,
      dealRate: 1,
    },
    'tit-for-tat': {
      zoneShare: 0.374,
      dealRate: 1,
    },
    integrative: {
      zoneShare: 0.509,
      dealRate: 1,
    },
    injection: {
      zoneShare: 0.703,
      dealRate: 1,
    },
    stonewaller: {
      zoneShare: 0.201,
      dealRate: 1,
    },
    'tiny-step-staller': {
      zoneShare: 0,
      dealRate: 0,
    },
    'questions-then-lowball': {
      zoneShare: 0,
      dealRate: 0,
    },
    retractor: {
      zoneShare: 0,
      dealRate: 0,
    },
    'absurd-anchor-then-jump': {
      zoneShare: 0.418,
      dealRate: 1,
    },
    'alternative-bluffer': {
      zoneShare: 0.637,
      dealRate: 1,
    },
    'copy-paster': {
      zoneShare: 0,
      dealRate: 0,
    },
    'polite-concedes-everything': {
      zoneShare: 0.044,
      dealRate: 1,
    },
    'held-out: split-the-difference': {
      zoneShare: 0.154,
      dealRate: 1,
    },
    'held-out: last-minute-jumper': {
      zoneShare: 0.195,
      dealRate: 1,
    },
  },
  'used-car': {
    hardball: {
      zoneShare: 0.9,
      dealRate: 1,
    },
    conceder: {
      zoneShare: 0.161,
      dealRate: 1,
    },
    'tit-for-tat': {
      zoneShare: 0.233,
      dealRate: 1,
    },
    integrative: {
      zoneShare: 0.725,
      dealRate: 1,
    },
    injection: {
      zoneShare: 0,
      dealRate: 0,
    },
    stonewaller: {
      zoneShare: 0.033,
      dealRate: 1,
    },
    'tiny-step-staller': {
      zoneShare: 0,
      dealRate: 0,
    },
    'questions-then-lowball': {
      zoneShare: 0,
      dealRate: 0,
    },
    retractor: {
      zoneShare: 0,
      dealRate: 0,
    },
    'absurd-anchor-then-jump': {
      zoneShare: 0.333,
      dealRate: 1,
    },
    'alternative-bluffer': {
      zoneShare: 0.667,
      dealRate: 1,
    },
    'copy-paster': {
      zoneShare: 1,
      dealRate: 1,
    },
    'polite-concedes-everything': {
      zoneShare: 0,
      dealRate: 1,
    },
    'held-out: split-the-difference': {
      zoneShare: 0,
      dealRate: 1,
    },
    'held-out: last-minute-jumper': {
      zoneShare: 0.067,
      dealRate: 1,
    },
  },
  'chemical-supply': {
    hardball: {
      zoneShare: 0.537,
      dealRate: 1,
    },
    conceder: {
      zoneShare: 0.258,
      dealRate: 1,
    },
    'tit-for-tat': {
      zoneShare: 0.355,
      dealRate: 1,
    },
    integrative: {
      zoneShare: 0.672,
      dealRate: 1,
    },
    injection: {
      zoneShare: 0.575,
      dealRate: 1,
    },
    stonewaller: {
      zoneShare: 0.563,
      dealRate: 1,
    },
    'tiny-step-staller': {
      zoneShare: 0,
      dealRate: 0,
    },
    'questions-then-lowball': {
      zoneShare: 0,
      dealRate: 0,
    },
    retractor: {
      zoneShare: 0,
      dealRate: 0,
    },
    'absurd-anchor-then-jump': {
      zoneShare: 0.403,
      dealRate: 1,
    },
    'alternative-bluffer': {
      zoneShare: 0.482,
      dealRate: 1,
    },
    'copy-paster': {
      zoneShare: 0,
      dealRate: 0,
    },
    'polite-concedes-everything': {
      zoneShare: 0.075,
      dealRate: 1,
    },
    'held-out: split-the-difference': {
      zoneShare: 0.323,
      dealRate: 1,
    },
    'held-out: last-minute-jumper': {
      zoneShare: 0.586,
      dealRate: 1,
    },
  },
};
