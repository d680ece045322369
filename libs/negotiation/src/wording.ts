import { Terms } from '@parley/contracts';
import { pick } from './rng';
import { IssueSpec, ScenarioPublic } from './types';

const PLAIN = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const CENTS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** How a value of an issue reads in a sentence: "$104,000/year", "$42.50/unit", "3 weeks from today". */
export function formatValue(issue: IssueSpec, value: number): string {
  const unit = (issue.unit ?? '').trim();
  const money = /^(usd|\$)/i.test(unit);
  const n = (money && !Number.isInteger(value) ? CENTS : PLAIN).format(value);
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

const TRADE_PRICE: IssueSpec = { name: 'price', label: 'Price', unit: 'USD', min: 0, max: 0 };

/** A trade in the chemical game, as a student reads it: "1,500 units of C at $4.25 each". */
export function describeTrade(chemical: string | undefined, terms: Partial<Terms>): string {
  const quantity = typeof terms.quantity === 'number' ? terms.quantity : null;
  const price = typeof terms.price === 'number' ? formatValue(TRADE_PRICE, terms.price) : null;
  const what =
    quantity === null ? '' : `${PLAIN.format(quantity)} ${quantity === 1 ? 'unit' : 'units'}${chemical ? ` of ${chemical}` : ''}`;
  if (what && price) return `${what} at ${price} each`;
  return what || (price ? `${price} each` : '');
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

/**
 * The phrase bank, by act. Every variant of a key says the same thing; the seeded rng picks one, and
 * Voice skips any sentence already said in the negotiation.
 */
export const PHRASES = {
  greeting: [
    "Hi, I'm {name}. Thanks for making the time.",
    'Hello, {name} here. Good to meet you.',
    "Hi! I'm {name}, glad we could sit down together.",
    "Good to meet you, I'm {name}.",
    "Hello and welcome, I'm {name}.",
  ],
  greetingNoName: ['Hello, and thanks for making the time.', 'Hi, good to meet you.', 'Hi! Glad we could sit down together.'],
  greetBack: ['Nice to meet you too.', 'Likewise, thanks for coming.', 'Thanks, good to be talking.', 'Glad to be talking with you.'],
  openingOffer: [
    'To get us started, here is what I have in mind: {terms}.',
    'Let me put a first proposal on the table: {terms}.',
    "Here's where I'd like to start: {terms}.",
    'My starting point is {terms}.',
    'As a first proposal, I can offer {terms}.',
  ],
  reason: [
    "That's because {reason}.",
    'The reason is simple: {reason}.',
    'My thinking: {reason}.',
    'Part of it is that {reason}.',
    'To be open with you, {reason}.',
    'Keep in mind that {reason}.',
    'What drives that is that {reason}.',
    'For context, {reason}.',
  ],
  askPriorities: [
    'What matters most to you here?',
    'Which of these points is most important for you?',
    'Tell me what you care about most, and we can look for a package that works for both of us.',
    'Where do you have flexibility, and where do you need to hold firm?',
    "What's the piece of this that matters most on your side?",
  ],
  revealPriorities: [
    'For us, {dear} matters most; I have more room on {cheap}.',
    "I'll be open: {dear} is what we care about most, and {cheap} is easier for me.",
    'Since you shared yours: {dear} is our priority, {cheap} less so.',
    'On our side, {dear} is the big one; there is more give on {cheap}.',
  ],
  revealOne: ['For us, {dear} matters most.', '{Dear} is what we care about most on our side.', 'Our biggest concern is {dear}.'],
  studentPriorities: [
    "Thanks, that's helpful to know.",
    'Good to know what matters to you.',
    'That helps me see where we can trade.',
    "Understood, I'll keep that in mind.",
    'Thanks for being open about that.',
  ],
  ackProposal: [
    'Thanks for putting {theirs} on the table.',
    'I hear you on {theirs}.',
    'Thanks for the proposal of {theirs}.',
    'So you are looking at {theirs}.',
    'I appreciate a concrete number: {theirs}.',
    'Okay, {theirs} is where you are.',
  ],
  ackMove: [
    'I appreciate you moving.',
    "Thanks, that's a step in the right direction.",
    "Good, we're getting closer.",
    'That movement helps.',
    "I can see you've moved, thank you.",
    "That's progress.",
  ],
  ackSmallMove: [
    "That's a small step.",
    "You've moved only a little.",
    'That barely changes things for me.',
    "It's a start, but a small one.",
  ],
  ackStall: [
    "That's the same position as before.",
    "You haven't moved since your last proposal.",
    "We're both waiting for the other to move, and I've moved last.",
    "I'm hearing the same number again.",
    'Repeating the offer will not bring my number down.',
  ],
  ackRetract: [
    'Earlier you offered {best}, and I will hold us to that.',
    'A moment ago you were at {best}; going backwards does not help us.',
    "You've already offered {best}, so I'll work from that, not from a lower number.",
  ],
  ackRange: ['You mentioned {range}.', 'I hear a range of {range}.', 'So your range is {range}.'],
  ackAlternative: [
    "It's good that you have options; I can only speak to what I can offer.",
    'I understand you have alternatives, and you should compare them.',
    "Fair enough, you're free to compare; I'd still like to find a deal with you.",
    'Other options are worth comparing, but they do not change what this is worth to me.',
  ],
  callBluff: [
    "You've mentioned that better offer a few times, yet what you propose to me is worse for you than it; if it's real, I'd understand if you took it.",
    "If the other offer were really better than what you're proposing here, you would take it, so I'll weigh it accordingly.",
    "I can't match an offer I can't see, and what you're proposing to me is worth less to you than the one you describe.",
  ],
  ackPartial: [
    '{Theirs} could work for me as part of a package.',
    'I can work with {theirs}.',
    '{Theirs} is something we can build on.',
    'Taking {theirs} as a starting point,',
  ],
  partialTooFar: [
    "I can't make {theirs} work on its own, so let me put a whole package to you.",
    '{Theirs} would need a lot from me; here is a full package instead.',
    'With {theirs}, the numbers do not work for me yet, so let me propose the whole deal.',
  ],
  askMissing: ['What are you thinking on {missing}?', 'Where do you stand on {missing}?', 'And what would you propose for {missing}?'],
  counter: [
    "I can't go that far, but I could do {terms}.",
    "Here's my revised proposal: {terms}.",
    'Let me come toward you: {terms}.',
    'I can move to {terms}.',
    'What I can do is {terms}.',
    'How about {terms}?',
    'My counter-proposal is {terms}.',
    'I could meet you partway with {terms}.',
    "I'd be willing to do {terms}.",
    'Let me suggest {terms}.',
  ],
  counterAfterStall: [
    'For the movement you made earlier I can still adjust a little, to {terms}, but the next step has to come from you.',
    'I will go to {terms} for what you gave earlier; after that I need to see you move.',
    'One more step from me for your earlier moves: {terms}. I need movement from you to go further.',
  ],
  counterSmall: [
    'I can only adjust a little: {terms}.',
    'I can move slightly, to {terms}.',
    'A small step from me too: {terms}.',
    'For a small move I can offer {terms}.',
    "Then I'll move a little as well: {terms}.",
  ],
  holdFirm: [
    'My offer stays at {terms}.',
    'I am staying at {terms} for now.',
    'On the table from my side: {terms}.',
    'To recap where I am: {terms}.',
    'My proposal is still {terms}.',
    'I need to keep {terms} on the table.',
  ],
  askForMove: [
    'What would work for you? Put a concrete proposal to me.',
    "If you tell me what you'd need, I'll see what I can do.",
    'Make me a concrete counter-proposal and we can go from there.',
    'For me to move, I need to see some movement from you.',
    'Show me some movement and I will respond in kind.',
  ],
  logroll: [
    'I have more room on {cheap} than on {dear}.',
    "It's easier for me to give on {cheap} than on {dear}.",
    'I can be flexible on {cheap}; {dear} is where I need to hold firm.',
    'I can be more flexible on {cheap} than on {dear}.',
  ],
  finalOffer: [
    'This is my final offer: {terms}.',
    'My last proposal: {terms}.',
    'This is as good as it gets from my side: {terms}. Shall we close?',
    'I can go no further than {terms}; that is my final offer.',
  ],
  finalWarning: [
    "If we can't close the gap from here, I'll have to step away.",
    'Without movement from you, I will end the conversation.',
    'If this does not work for you, I think we should stop here.',
  ],
  accept: [
    'Deal: {terms}. Please confirm the agreed terms on your side.',
    "Agreed, {terms}. I'm glad we got there; please confirm on your side.",
    'We have a deal at {terms}. Thank you, please confirm on your side.',
    'I accept {terms}. Please confirm the agreement on your side.',
  ],
  acceptTheirAgreement: [
    "Great, then we're agreed on {terms}. Thank you, it was a pleasure.",
    'Excellent, we have a deal: {terms}. Thanks for a constructive conversation.',
    'Wonderful, agreed at {terms}. I look forward to working together.',
  ],
  cannotAgree: ["I can't agree to those terms.", "Those terms don't work for me.", 'I am not able to accept that.'],
  conditional: [
    'I hear what you would need.',
    'Understood, that is conditional for you.',
    'Let me take your condition seriously.',
    'That is a trade I can consider.',
  ],
  walkDeadline: [
    "We've gone back and forth for a long time without closing the gap, so I'm going to end the negotiation here. Thank you for your time.",
    "I'm afraid we're still too far apart. I'm ending the negotiation here; thanks for your effort.",
  ],
  walkStall: [
    "We haven't moved any closer in several rounds, so I'm going to end the negotiation here. Thank you for your time.",
    "I made my final offer and we are still apart, so I'm ending the negotiation here. Thanks for your time.",
  ],
  warnInsult: [
    "That's so far from anything workable that I can't take it as a serious proposal. If you come back with a realistic number I'm happy to continue.",
    "With respect, that offer isn't in a realistic range. Give me a serious proposal and we can keep talking.",
    "That's far outside anything I could consider. Let's talk about numbers that could actually work.",
  ],
  walkInsult: [
    "You've again proposed terms far outside any realistic range. I don't think we can reach an agreement, so I'm ending the negotiation here.",
    "That's a second offer nowhere near a workable range. I'm going to walk away from this one.",
  ],
  walkAbuse: [
    "I'm not willing to continue a conversation in that tone. I'm ending the negotiation here.",
    "Insults aren't going to get us to a deal. I'm ending this negotiation.",
  ],
  warnTone: ["Let's keep this respectful; I'm here to find a deal with you.", 'I would rather we kept the tone civil.'],
  apology: ['No need to apologise.', 'No problem at all.', 'Not at all, these things happen.'],
  threat: [
    "Pressure won't change my numbers, but a good argument might.",
    'I understand you feel strongly; I still need terms that work for both of us.',
    "Ultimatums don't help either of us; let's find something that works.",
  ],
  injection: [
    "I'll stick to negotiating the actual terms, thanks.",
    'Nice try, but I only agree to terms that work for me.',
    "Let's keep to the negotiation itself.",
  ],
  limitQuestion: [
    "I'm not going to negotiate against myself. Tell me what would work for you.",
    "I'd rather hear what you need than name my own limits.",
    "I won't share my limits, but I'm listening to yours.",
  ],
  noFact: [
    "I don't have much to add on that point.",
    "That's not something I can say much more about.",
    'I can only tell you what I know, and that is not much on that point.',
  ],
  alreadySaid: [
    'I think I covered that earlier.',
    'As I mentioned before, there is not much more to add.',
    "I've told you what I know about that.",
  ],
  askedIssue: ['On {issue}, I am at {value}.', 'For {issue}, what I have in mind is {value}.', 'On {issue}, my proposal is {value}.'],
  closing: ['I think we are close.', 'We are not far apart now.', 'I think a deal is within reach.'],
} as const;

export type PhraseKey = keyof typeof PHRASES;

export function phrase(rng: Rng, key: PhraseKey, vars: Record<string, string> = {}): string {
  return fill(pick(rng, PHRASES[key]), withCapitals(vars));
}

function withCapitals(vars: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...vars };
  for (const [k, v] of Object.entries(vars)) out[k[0].toUpperCase() + k.slice(1)] = v ? v[0].toUpperCase() + v.slice(1) : v;
  return out;
}

const LEAD_INS = ['So, ', 'Then, ', 'Again, ', 'As I said, ', 'To repeat, ', 'Once more, ', 'Just to be clear, '];

/** A sentence as compared for repeats: case and spacing folded. */
export const sentenceKey = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
export const splitSentences = (text: string) => text.split(/(?<=[.!?])\s+/).filter((x) => x.trim());

/**
 * Picks phrases for one reply: a seeded choice among the variants, skipping any whose sentences the
 * AI already said in this negotiation (or earlier in this reply).
 */
export class Voice {
  private readonly used: Set<string>;
  constructor(
    private readonly rng: Rng,
    said: string[],
  ) {
    this.used = new Set(said.flatMap(splitSentences).map(sentenceKey));
  }

  say(key: PhraseKey, vars: Record<string, string> = {}): string {
    const variants = PHRASES[key];
    const startAt = Math.floor(this.rng() * variants.length);
    for (let i = 0; i < variants.length; i++) {
      const text = fill(variants[(startAt + i) % variants.length], withCapitals(vars));
      if (splitSentences(text).every((s) => !this.used.has(sentenceKey(s)))) return this.remember(text);
    }
    // Every variant said already: keep the unsaid sentences of one, or lead into it another way; else say nothing.
    for (let i = 0; i < variants.length; i++) {
      const sentences = splitSentences(fill(variants[(startAt + i) % variants.length], withCapitals(vars)));
      const fresh = sentences.filter((s) => !this.used.has(sentenceKey(s)));
      if (fresh.length) return this.remember(fresh.join(' '));
      for (const lead of LEAD_INS) {
        // "I" and "I'm" keep their capital after a lead-in ("So, I understand …").
        const first = /^I\b/.test(sentences[0]) ? sentences[0] : sentences[0][0].toLowerCase() + sentences[0].slice(1);
        const text = lead + first;
        if (!this.used.has(sentenceKey(text))) return this.remember(text);
      }
    }
    return '';
  }

  /** The text when none of its sentences was said yet in this negotiation, else null. */
  once(text: string): string | null {
    return splitSentences(text).some((s) => this.used.has(sentenceKey(s))) ? null : this.remember(text);
  }

  private remember(text: string): string {
    for (const s of splitSentences(text)) this.used.add(sentenceKey(s));
    return text;
  }
}
