import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkScenario } from './scenario-schema';
import { findBuiltinScenariosDir } from './scenarios';
import { FullScenario } from './types';

/** Loads a built-in scenario synchronously (tests and the eval harness). */
export function loadBuiltin(id: string): FullScenario {
  const file = join(findBuiltinScenariosDir(), `${id}.json`);
  const check = checkScenario(JSON.parse(readFileSync(file, 'utf8')), file);
  if (!check.ok) throw new Error(check.problems.join('\n'));
  return check.scenario;
}

import { ChatMessage, PartyState, Terms } from '@parley/contracts';
import { NegotiatorInput } from './types';

const T0 = Date.UTC(2026, 0, 5, 9);

/** A transcript from alternating lines: ['ai', 'Hello'], ['user', 'Hi'] ... (tests only). */
export function chat(id: string, lines: ['user' | 'ai', string][]): ChatMessage[] {
  return lines.map(([who, content], i) => ({
    id: `${id}-${i}`,
    seq: i + 1,
    negotiation_id: id,
    sender_type: who,
    sender: who === 'ai' ? 'ai' : 'student@example.edu',
    content,
    timestamp: new Date(T0 + i * 60_000).toISOString(),
  }));
}

export function party(role: string, offer: Terms | null, status: PartyState['status'] = 'pending', atMs = T0 + 3_600_000): PartyState {
  return {
    user: role === 'ai' ? 'ai' : 'student@example.edu',
    role,
    offer: offer ? { ...offer, timestamp: atMs } : null,
    status,
    last_updated: atMs,
  };
}

export function input(scenario: FullScenario, transcript: ChatMessage[], extra: Partial<NegotiatorInput> = {}): NegotiatorInput {
  return {
    scenario,
    transcript,
    studentState: null,
    aiState: null,
    aiTurns: transcript.filter((m) => m.sender_type === 'ai').length,
    nowMs: T0 + transcript.length * 60_000,
    ...extra,
  };
}
