/**
 * The hand-computed market of the analytics tests: four teams, one chemical, demand steps 12, 10, 8 and
 * supply steps 4, 6, 9 (10 units a step) — equilibrium band 8–9 at 20 units, maximum surplus 120.00.
 */
export const FOUR_TEAMS = {
  id: 'four-teams',
  title: 'Four teams, one chemical',
  round_seconds: 600,
  teams: [
    {
      team: 'T01',
      schedules: [
        {
          chemical: 'C',
          side: 'buy',
          steps: [
            { quantity: 10, value: 12 },
            { quantity: 10, value: 8 },
          ],
        },
      ],
    },
    {
      team: 'T02',
      schedules: [
        {
          chemical: 'C',
          side: 'sell',
          steps: [
            { quantity: 10, cost: 4 },
            { quantity: 10, cost: 9 },
          ],
        },
      ],
    },
    { team: 'T03', schedules: [{ chemical: 'C', side: 'buy', steps: [{ quantity: 10, value: 10 }] }] },
    { team: 'T04', schedules: [{ chemical: 'C', side: 'sell', steps: [{ quantity: 10, cost: 6 }] }] },
  ],
};

/** Its first buyer and first seller alone: a market for two students. */
export const TWO_TEAMS = { ...FOUR_TEAMS, id: 'two-teams', title: 'Two teams', teams: FOUR_TEAMS.teams.slice(0, 2) };
