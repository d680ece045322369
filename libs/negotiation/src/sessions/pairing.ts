import type { PairingRule } from '@parley/contracts';

/** A pair of a round: `first` plays the scenario's first role (student_role), `second` the other one or is the AI. */
export interface Seat {
  first: string;
  second: string | 'ai';
}

export interface PairingInput {
  /** Members in join order. */
  members: { email: string; columns?: Record<string, string> }[];
  rule: PairingRule;
  column?: string;
  /** The instructor's pairs, by hand (first plays the first role), in any round; members left out are paired at random. */
  manual?: { a: string; b: string }[];
  /** Round 2+: the previous round's seats; everybody swaps roles and gets a new partner where one exists. */
  previous?: Seat[];
  rng: () => number;
}

/**
 * Pairs a round. Pairs given by hand come first, in any round (members left out are paired at random).
 * Otherwise round 1 goes by the rule (random, or equal values of a roster column together), and later
 * rounds swap: who played the first role plays the second, and partners change. An odd head count
 * leaves one student with the AI, who plays the first role (the AI speaks only for the scenario's own
 * counterpart side).
 */
export function pairRound(input: PairingInput): Seat[] {
  const emails = input.members.map((m) => m.email);
  if (input.manual?.length) return manualSeats(emails, input.manual, input.rng);
  if (input.previous?.length) return swapRoles(emails, input.previous, input.rng);
  if (input.rule === 'column' && input.column) return seatsInOrder(byColumn(input.members, input.column, input.rng));
  return seatsInOrder(shuffle(emails, input.rng));
}

/** Every student at most once, never with themselves, the AI only in the second seat; the reason when not. */
export function manualProblem(emails: string[], manual: { a: string; b: string }[]): string | null {
  const seen = new Set<string>();
  for (const { a, b } of manual) {
    if (a === 'ai') return 'the AI plays the second role only: put a student first';
    if (a === b) return `${a} cannot be paired with themselves`;
    for (const e of [a, b]) {
      if (e === 'ai') continue;
      if (!emails.includes(e)) return `${e} is not a member of this session`;
      if (seen.has(e)) return `${e} appears in two pairs`;
      seen.add(e);
    }
  }
  return null;
}

function manualSeats(emails: string[], manual: { a: string; b: string }[], rng: () => number): Seat[] {
  const placed = new Set(manual.flatMap((p) => [p.a, p.b]));
  const rest = shuffle(
    emails.filter((e) => !placed.has(e)),
    rng,
  );
  return [...manual.map((p) => ({ first: p.a, second: p.b })), ...seatsInOrder(rest)];
}

/** Consecutive students pair up; the last of an odd count gets the AI. */
function seatsInOrder(order: string[]): Seat[] {
  const seats: Seat[] = [];
  for (let i = 0; i < order.length; i += 2) seats.push({ first: order[i], second: order[i + 1] ?? 'ai' });
  return seats;
}

/** Groups of equal column values, shuffled inside; groups follow each other, so an odd group's last student meets the next group. */
function byColumn(members: PairingInput['members'], column: string, rng: () => number): string[] {
  const groups = new Map<string, string[]>();
  for (const m of members) {
    const key = m.columns?.[column] ?? '';
    groups.set(key, [...(groups.get(key) ?? []), m.email]);
  }
  return [...groups.keys()].sort().flatMap((k) => shuffle(groups.get(k)!, rng));
}

function swapRoles(emails: string[], previous: Seat[], rng: () => number): Seat[] {
  const wasFirst = new Set(previous.map((s) => s.first));
  const partnerOf = new Map<string, string>();
  for (const s of previous) {
    partnerOf.set(s.first, s.second);
    if (s.second !== 'ai') partnerOf.set(s.second, s.first);
  }
  const newcomers = shuffle(
    emails.filter((e) => !partnerOf.has(e)),
    rng,
  );
  // who played the second role now plays the first, and the other way round
  const nowFirst = emails.filter((e) => partnerOf.has(e) && !wasFirst.has(e));
  const nowSecond = emails.filter((e) => wasFirst.has(e));
  for (const e of newcomers) (nowFirst.length <= nowSecond.length ? nowFirst : nowSecond).push(e);
  const seats: Seat[] = [];
  const free = [...nowSecond];
  const leftover: string[] = [];
  for (const first of nowFirst) {
    const i = free.findIndex((s) => s !== partnerOf.get(first));
    const pick = i >= 0 ? i : free.length ? 0 : -1;
    if (pick < 0) {
      leftover.push(first);
      continue;
    }
    seats.push({ first, second: free.splice(pick, 1)[0] });
  }
  return [...seats, ...seatsInOrder([...leftover, ...free])];
}

function shuffle<T>(items: T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
