import { Terms } from '@parley/contracts';
import { termsOf } from './agreement-key';
import { classifyMessage, MessageActs } from './dialogue-acts';
import { aiBestTerms, sameTerms, validateTerms } from './limits';
import { ACCEPT_TEXT } from './signals';
import { AiTurn, FullScenario, NegotiatorInput } from './types';
import { describeTerms, splitSentences } from './wording';

/** What the student's latest turn does, as any engine needs to know it before acting. */
export interface DialogueState {
  acts: MessageActs;
  latestText: string;
  /** Complete terms the student put forward this turn (offer panel, or every issue in the chat), if any. */
  proposed: Terms | null;
  /** The student agreed (panel) or said yes (chat) to these terms. */
  agreedTo: Terms | null;
  aiStanding: Terms | null;
  /** The student has named terms at some point (else the conversation is still opening). */
  studentHasProposed: boolean;
}

export function dialogueState(scenario: FullScenario, input: NegotiatorInput): DialogueState {
  const t = input.transcript;
  let lastAi = -1;
  for (let i = t.length - 1; i >= 0; i--)
    if (t[i].sender_type === 'ai' && t[i].kind !== 'offer') {
      lastAi = i;
      break;
    }
  const lastAiTime = lastAi >= 0 ? Date.parse(t[lastAi].timestamp) : -Infinity;
  const latestText = t
    .slice(lastAi + 1)
    .filter((m) => m.sender_type === 'user' && m.kind !== 'offer')
    .map((m) => m.content)
    .join('\n');
  const acts = classifyMessage(scenario, latestText, input.nowMs);
  const aiRaw = termsOf(input.aiState?.offer ?? null);
  const aiStanding = aiRaw && !validateTerms(scenario, aiRaw) ? aiRaw : null;
  const structured = termsOf(input.studentState?.offer ?? null);
  const structuredNew = !!structured && (input.studentState?.offer?.timestamp ?? 0) > lastAiTime;
  let proposed: Terms | null = null;
  if (structuredNew && structured && input.studentState?.status === 'pending') proposed = structured;
  else if (acts.complete && !acts.acts.has('injection')) {
    const full = { ...(acts.buildsOnAiOffer && aiStanding ? aiStanding : {}), ...acts.proposal } as Terms;
    if (!validateTerms(scenario, full)) proposed = full;
  }
  let agreedTo: Terms | null = null;
  if (input.studentState?.status === 'agreed' && structured) agreedTo = structured;
  else if (acts.acts.has('acceptance') && aiStanding) agreedTo = aiStanding;
  const studentHasProposed =
    !!structured ||
    t.some((m) => m.sender_type === 'user' && Object.keys(classifyMessage(scenario, m.content, input.nowMs).proposal).length > 0);
  return { acts, latestText, proposed, agreedTo, aiStanding, studentHasProposed };
}

const DEAL_SENTENCE = ACCEPT_TEXT;

/**
 * Holds any engine's turn to what the conversation says: "Deal" only for complete terms the student
 * proposed or agreed to, restated exactly; an acceptance of anything else becomes a counter-offer with
 * the deal talk removed; and `negotiation_state` follows the conversation, not the AI's clock.
 */
export function guardDialogue(
  scenario: FullScenario,
  input: NegotiatorInput,
  turn: AiTurn,
  state = dialogueState(scenario, input),
): AiTurn {
  const out: AiTurn = { ...turn, metadata: { ...turn.metadata } };
  if (out.accept && !input.forceAccept) {
    const legit = [state.agreedTo, state.proposed].find((t) => t && sameTerms(t, out.accept));
    if (legit) {
      // Restate exactly what is agreed.
      if (!out.content.includes(describeTerms(scenario, legit))) out.content = `${out.content} Agreed: ${describeTerms(scenario, legit)}.`;
    } else {
      delete out.accept;
      out.offer = out.offer ?? state.aiStanding ?? aiBestTerms(scenario);
      out.metadata.reasoning = 'Answered the message and restated my proposal; nothing complete was on the table to accept.';
    }
  }
  if (!out.accept && !out.walk_away) {
    // No deal talk without a deal: drop sentences that announce one (a question may still ask for one).
    const sentences = splitSentences(out.content);
    const kept = sentences.filter((s) => !DEAL_SENTENCE.test(s) || s.trim().endsWith('?'));
    if (kept.length !== sentences.length) {
      const standing = out.offer ?? state.aiStanding;
      out.content = [...kept, standing ? `My proposal is ${describeTerms(scenario, standing)}.` : 'Let us keep talking.'].join(' ');
    }
  }
  out.metadata.negotiation_state = out.accept || out.walk_away ? 'closing' : state.studentHasProposed ? 'discussion' : 'opening';
  return out;
}
