/** Zone share and deal rate per scenario and student for the engine before issue 12 (commit 917c7c2), same harness. */
export const BASELINE: Record<string, Record<string, { zoneShare: number; dealRate: number }>> = {};
