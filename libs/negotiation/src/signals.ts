/**
 * What a chat message signals, by plain word rules shared by the builtin engine and the scoring.
 * Kept deliberately transparent: an instructor can read exactly why a message counted.
 */
export const ABUSE = /\b(idiot|stupid|moron|dumb|shut up|f+u+c+k\w*|shit\w*|bitch\w*|bastard|asshole|crap|scum|loser|pathetic|clown)\b/i;
export const THREAT =
  /\b(or (else|i walk|i'?ll walk|i leave)|take it or leave it|last chance|you'?ll regret|i'?ll (report|sue|tell everyone|leave a bad review)|final warning|walk(ing)? away|ultimatum)\b/i;
export const DISMISSIVE = /\b(ridiculous|insulting|joke|absurd|greedy|rip-?off|scam|laughable|nonsense|no way)\b/i;
export const INJECTION =
  /\b(ignore (all |your |the |any )?(previous |prior |above )?(instructions|rules|prompt)|system prompt|you are now|developer mode|jailbreak|disregard (your|the|all)|you must accept|override|as an ai|pretend (you|to))\b|^\s*(system|assistant)\s*:/im;
export const COURTESY = /\b(thanks|thank you|please|appreciate|grateful|pleasure|great to|nice to|sorry|understand)\b/i;
export const ACCEPT_TEXT =
  /\b(deal|agreed|i agree|i accept|accepted|sounds good|let'?s do it|we have a deal|you('ve)? got a deal|that works( for me)?|i'?ll take it)\b/i;
export const NEGATION = /\b(no|not|don'?t|can'?t|cannot|won'?t|never|isn'?t|wouldn'?t)\b/i;
export const PRIORITY = /\b(important|matters?|priority|priorities|care (a lot )?about|need|essential|crucial|key|most)\b/i;
export const FLEXIBLE =
  /\b(flexible|don'?t mind|do not mind|less important|not crucial|not important|happy to|can give|open on|whatever works|either way|don'?t care much)\b/i;
export const LIMIT_QUESTION =
  /\b(your (budget|limit|max(imum)?|min(imum)?|bottom line|lowest|highest|best price|walk-?away|reservation)|how (low|high|much) (can|could|would) you go|what'?s the most you|what'?s the least you|lowest you|highest you)\b/i;
export const INTEREST_QUESTION = /\b(what|why|how|which|tell me|could you explain|help me understand)\b[^?]*\?/i;
export const GREETING = /^\s*(hi|hello|hey|good (morning|afternoon|evening)|greetings|nice to meet you)\b/i;
export const WARM_CLOSE = /\b(thanks|thank you|great|pleasure|look forward|glad|happy|appreciate|nice doing)\b/i;

export const isQuestion = (text: string) => text.includes('?');

export function acceptsInText(text: string): boolean {
  return ACCEPT_TEXT.test(text) && !NEGATION.test(text) && !text.includes('?');
}

/** Sentences of a text, for per-sentence rules. */
export const sentencesOf = (text: string) => text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim());
