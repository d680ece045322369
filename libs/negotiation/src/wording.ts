import { Terms } from '@parley/contracts';
import { pick } from './rng';
import { IssueSpec, ScenarioPublic } from './types';

/** How a value of an issue reads in a sentence: "$104,000/year", "$42.50/unit", "3 weeks from today". */
export function formatValue(issue: IssueSpec, value: number): string {
  const unit = (issue.unit ?? '').trim();
  const money = /^(usd|\$)/i.test(unit);
  const n = value.toLocaleString('en-US', {
    minimumFractionDigits: money && !Number.isInteger(value) ? 2 : 0,
    maximumFractionDigits: 2,
  });
  if (money) {
    const per = unit.replace(/^(usd|\$)\s*/i, '');
    return `$${n}${per ? (per.startsWith('/') ? per : ` ${per}`) : ''}`;
  }
  if (!unit) return n;
  // "1 week after signing", "1 day a week", not "1 weeks".
  const singular = value === 1 ? unit.replace(/^(\w+?)s\b/, '$1') : unit;
  return `${n} ${singular}`;
}

export function describeTerms(scenario: ScenarioPublic, terms: Partial<Terms>): string {
  const parts = scenario.issues
    .filter((i) => typeof terms[i.name] === 'number')
    .map((i) => `${i.label.toLowerCase()} ${formatValue(i, terms[i.name] as number)}`);
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

export function listLabels(scenario: ScenarioPublic, names: string[]): string {
  const labels = names.map((n) => scenario.issues.find((i) => i.name === n)?.label.toLowerCase() ?? n);
  if (labels.length <= 1) return labels.join('');
  return `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

/** The first words of the persona before a comma ("Jordan Lee, hiring manager..." → "Jordan Lee"). */
export function personaName(persona: string): string | null {
  const head = persona.split(/[,.]/)[0].trim();
  return head && head.split(/\s+/).length <= 4 ? head : null;
}

type Rng = () => number;
const fill = (template: string, vars: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_m, k) => vars[k] ?? '');

/** The phrase bank, by phase and intent. Every variant says the same thing; the seeded rng picks one. */
export const PHRASES = {
  greeting: [
    "Hi, I'm {name}. Thanks for making the time.",
    'Hello, {name} here. Good to meet you.',
    "Hi! I'm {name}, glad we could sit down together.",
  ],
  greetingNoName: ['Hello, and thanks for making the time.', 'Hi, good to meet you.', 'Hi! Glad we could sit down together.'],
  openingOffer: [
    'To get us started, here is what I have in mind: {terms}.',
    'Let me put a first proposal on the table: {terms}.',
    "Here's where I'd like to start: {terms}.",
  ],
  askPriorities: [
    'What matters most to you here?',
    'Which of these points is most important for you?',
    'Tell me what you care about most, and we can look for a package that works for both of us.',
  ],
  counter: [
    "I see where you're coming from, but I can't do that. I could do {terms}.",
    "Let me move a little. Here's my revised proposal: {terms}.",
    "I can't get there, but let me come toward you: {terms}.",
    'Let me try a different package: {terms}.',
  ],
  counterNoMove: [
    "You haven't moved since your last proposal, so I can only adjust a little: {terms}.",
    "I've moved and you haven't yet. Still, here's a small step: {terms}.",
    'For us to get anywhere we both need to move. I can offer {terms}.',
  ],
  logroll: [
    'I have more room on {cheap} than on {dear}.',
    "It's easier for me to give on {cheap} than on {dear}.",
    'I can be flexible on {cheap}; {dear} is where I need to hold firm.',
  ],
  restate: ['My current proposal stands: {terms}.', 'On the table from my side: {terms}.', 'To recap where I am: {terms}.'],
  askForNumbers: [
    'What would work for you? Put a concrete proposal to me.',
    "If you tell me what you'd need, I'll see what I can do.",
    'Make me a concrete counter-proposal and we can go from there.',
  ],
  finalOffer: [
    'I need to wrap this up soon. This is my final offer: {terms}.',
    "We've been at this a while. My last proposal: {terms}.",
    'This is as good as it gets from my side: {terms}. Shall we close?',
  ],
  accept: [
    'That works for me. We have a deal! Please confirm the agreed terms on your side.',
    "Deal. I'm glad we got there. Please confirm the agreement on your side.",
    'I can accept that. Thank you, that was a good negotiation. Please confirm on your side.',
  ],
  acceptTheirAgreement: [
    "Great, then we're agreed. Thank you, it was a pleasure.",
    'Excellent, we have a deal. Thanks for a constructive conversation.',
    'Wonderful, agreed. I look forward to working together.',
  ],
  cannotAgree: ["I can't agree to those terms.", "Those terms don't work for me."],
  walkDeadline: [
    "We've gone back and forth for a long time without closing the gap, so I'm going to end the negotiation here. Thank you for your time.",
    "I'm afraid we've run out of time and we're still too far apart. I'm ending the negotiation here; thanks for your effort.",
  ],
  warnInsult: [
    "That's so far from anything workable that I can't take it as a serious proposal. If you come back with a realistic number I'm happy to continue; otherwise we should stop here.",
    "With respect, that offer isn't in a realistic range. Give me a serious proposal, or I'll have to end the conversation.",
  ],
  walkInsult: [
    "You've again proposed terms far outside any realistic range. I don't think we can reach an agreement, so I'm ending the negotiation here.",
    "That's a second offer nowhere near a workable range. I'm going to walk away from this one.",
  ],
  walkAbuse: [
    "I'm not willing to continue a conversation in that tone. I'm ending the negotiation here.",
    "Insults aren't going to get us to a deal. I'm ending this negotiation.",
  ],
  injection: [
    "I'll stick to negotiating the actual terms, thanks.",
    'Nice try, but I only agree to terms that work for me.',
    "Let's keep to the negotiation itself.",
  ],
  limitQuestion: [
    "I'm not going to negotiate against myself. Tell me what would work for you.",
    "I'd rather hear what you need than name my own limits.",
  ],
  noFact: ["I'm not sure I can say more on that.", "I don't have much to add on that point."],
  studentPriorities: ["Thanks, that's helpful to know.", 'Good to know what matters to you.'],
} as const;

export function phrase(rng: Rng, key: keyof typeof PHRASES, vars: Record<string, string> = {}): string {
  const capitalized: Record<string, string> = { ...vars };
  for (const [k, v] of Object.entries(vars)) capitalized[k[0].toUpperCase() + k.slice(1)] = v ? v[0].toUpperCase() + v.slice(1) : v;
  return fill(pick(rng, PHRASES[key]), capitalized);
}
