import type { Terms, OfferView } from '@parley/contracts/browser';
import { acceptsInText } from '@parley/negotiation/signals';
import { type OwnSide, worseThanWalkAway } from '@parley/negotiation/walk-away';
import { h, replace, uid } from '../dom';
import { fmtNumber, fmtTerm, STATUS_LABELS } from '../format';
import type { Issue } from '../types';

export interface OfferPanelOptions {
  issues: Issue[];
  me: string;
  myLabel: string;
  otherLabel: string;
  observer: boolean;
  /** The student's own walk-away: agreeing to worse terms asks first. */
  ownSide?: OwnSide;
  propose(terms: Terms): Promise<void>;
  agree(terms: Terms): Promise<void>;
  reject(): Promise<void>;
}

export const TRADE_ISSUES: Issue[] = [
  { name: 'price', label: 'Price per unit', unit: 'cash', min: 0.01, max: 1_000_000, step: 0.01 },
  { name: 'quantity', label: 'Quantity', unit: 'units', min: 1, max: 1_000_000_000, step: 1 },
];

export function termsOf(offer: OfferView['offer']): Terms | null {
  if (!offer) return null;
  const { timestamp: _t, ...terms } = offer;
  return terms as Terms;
}

/** Both parties' current terms, and propose / agree / reject with one input per issue. */
export class OfferPanel {
  readonly el: HTMLElement;
  private readonly table: HTMLElement;
  private readonly inputs = new Map<string, HTMLInputElement>();
  private readonly agreeBtn: HTMLButtonElement;
  private readonly proposeBtn: HTMLButtonElement;
  private readonly rejectBtn: HTMLButtonElement;
  private readonly confirmRow: HTMLElement;
  private readonly guardRow: HTMLElement;
  private readonly guardText: HTMLElement;
  private readonly guardYes: HTMLButtonElement;
  private readonly guardNo: HTMLButtonElement;
  private guardAnswer: ((yes: boolean) => void) | null = null;
  private readonly error: HTMLElement;
  private readonly form: HTMLFormElement;
  private dirty = false;
  private mine: OfferView | null = null;
  private theirs: OfferView | null = null;
  private opening: Terms | null = null;
  private closed = false;
  /** Says what changed on the table (a new proposal, an agreement) to a screen reader, once. */
  private readonly announcer = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  private seenFirstUpdate = false;

  constructor(private readonly o: OfferPanelOptions) {
    const headingId = uid('offer-h');
    this.table = h('div', { class: 'table-wrap' });
    this.error = h('p', { class: 'form-error', role: 'alert' });
    this.proposeBtn = h('button', { type: 'submit', class: 'primary' }, 'Propose these terms');
    this.agreeBtn = h('button', { type: 'button', class: 'agree' }, `Agree to ${o.otherLabel}'s terms`);
    this.rejectBtn = h('button', { type: 'button', class: 'danger' }, 'Walk away…');
    const yes = h('button', { type: 'button', class: 'danger' }, 'Yes, end without a deal');
    const no = h('button', { type: 'button' }, 'Keep negotiating');
    this.confirmRow = h(
      'div',
      { class: 'confirm', hidden: true, role: 'group', 'aria-label': 'Confirm walking away' },
      h('p', null, 'End this negotiation without a deal?'),
      yes,
      no,
    );

    this.guardText = h('p', { class: 'guard-text' });
    this.guardYes = h('button', { type: 'button', class: 'danger' }, 'Agree anyway');
    this.guardNo = h('button', { type: 'button', class: 'primary' }, 'Keep negotiating');
    this.guardRow = h(
      'div',
      { class: 'confirm guard', hidden: true, role: 'alertdialog', 'aria-label': 'Worse than your alternative' },
      this.guardText,
      this.guardYes,
      this.guardNo,
    );
    this.guardYes.addEventListener('click', () => this.answerGuard(true));
    this.guardNo.addEventListener('click', () => this.answerGuard(false));

    this.form = h(
      'form',
      { class: 'offer-form', novalidate: true, 'aria-label': 'Your terms' },
      h(
        'div',
        { class: 'issue-inputs' },
        o.issues.map((issue) => this.inputFor(issue)),
      ),
      this.error,
      h('div', { class: 'buttons' }, this.proposeBtn, this.agreeBtn, this.rejectBtn),
      this.guardRow,
      this.confirmRow,
    );
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const terms = this.readInputs();
      if (terms) void this.run(() => o.propose(terms));
    });
    this.agreeBtn.addEventListener('click', async () => {
      const terms = termsOf(this.theirs?.offer ?? null);
      if (terms && (await this.confirmTerms(terms))) void this.run(() => o.agree(terms));
    });
    this.rejectBtn.addEventListener('click', () => {
      this.confirmRow.hidden = false;
      no.focus();
    });
    no.addEventListener('click', () => {
      this.confirmRow.hidden = true;
      this.rejectBtn.focus();
    });
    yes.addEventListener('click', () => {
      this.confirmRow.hidden = true;
      void this.run(() => o.reject());
    });

    this.el = h(
      'section',
      { class: 'card offer-panel', 'aria-labelledby': headingId },
      h('h2', { id: headingId, tabindex: '-1' }, 'Terms on the table'),
      this.announcer,
      this.table,
      o.observer ? h('p', { class: 'muted' }, 'You are observing this negotiation.') : this.form,
    );
    this.render();
  }

  update(offers: OfferView[], opening?: Terms): void {
    if (opening) this.opening = opening;
    const before = [this.mine, this.theirs];
    for (const v of offers) {
      if (v.user === this.o.me) this.mine = v;
      else this.theirs = v;
    }
    this.announce(before[0], this.mine, 'You');
    this.announce(before[1], this.theirs, this.o.otherLabel);
    this.seenFirstUpdate = true;
    this.render();
  }

  /** Instructors see both parties by role instead of "you" and "them". */
  updateObserved(offers: OfferView[]): void {
    const before = [this.mine, this.theirs];
    this.mine = offers[0] ?? null;
    this.theirs = offers[1] ?? null;
    this.announce(before[0], this.mine, this.o.myLabel);
    this.announce(before[1], this.theirs, this.o.otherLabel);
    this.seenFirstUpdate = true;
    this.render();
  }

  private announce(before: OfferView | null, after: OfferView | null, who: string): void {
    if (!this.seenFirstUpdate || !after) return;
    const terms = termsOf(after.offer);
    if (terms && after.offer?.timestamp !== before?.offer?.timestamp) {
      const text = this.o.issues.map((i) => `${i.label} ${fmtTerm(i, terms[i.name])}`).join(', ');
      this.announcer.textContent = `${who} proposed: ${text}.`;
    } else if (after.status !== before?.status && after.status !== 'pending') {
      this.announcer.textContent = `${who}: ${STATUS_LABELS[after.status] ?? after.status}.`;
    }
  }

  /**
   * A chat line that accepts their standing terms ("deal", "I accept") is an agreement too: when those
   * terms are worse than the walk-away, the same question is asked before the line is sent.
   */
  async confirmTypedAcceptance(text: string): Promise<boolean> {
    const terms = termsOf(this.theirs?.offer ?? null);
    // a line with numbers of its own is a counter-proposal, not an acceptance
    if (!terms || this.closed || /\d/.test(text) || !acceptsInText(text)) return true;
    return this.confirmTerms(terms);
  }

  /** Asks "This is worse than your alternative (…). Agree anyway?" when it is; true to go ahead. */
  private confirmTerms(terms: Terms): Promise<boolean> {
    const why = this.o.ownSide ? worseThanWalkAway(this.o.ownSide, terms) : null;
    if (!why) return Promise.resolve(true);
    this.guardAnswer?.(false);
    replace(this.guardText, `This is worse than your alternative (${why}). Agree anyway?`);
    this.guardRow.hidden = false;
    this.guardNo.focus();
    return new Promise((resolve) => {
      this.guardAnswer = resolve;
    });
  }

  private answerGuard(yes: boolean, refocus = true): void {
    this.guardRow.hidden = true;
    const answer = this.guardAnswer;
    this.guardAnswer = null;
    answer?.(yes);
    if (answer && !yes && refocus) this.agreeBtn.focus();
  }

  setClosed(closed: boolean): void {
    if (closed) this.answerGuard(false, false);
    this.closed = closed;
    this.form.hidden = closed;
    this.render();
  }

  private inputFor(issue: Issue): HTMLElement {
    const input = h('input', {
      type: 'number',
      id: uid(`issue-${issue.name}`),
      name: issue.name,
      min: issue.min,
      max: issue.max,
      step: issue.step,
      inputmode: Number.isInteger(issue.step) ? 'numeric' : 'decimal',
      required: true,
    });
    input.addEventListener('input', () => {
      this.dirty = true;
    });
    this.inputs.set(issue.name, input);
    return h(
      'div',
      { class: 'field' },
      h('label', { for: input.id }, issue.label, issue.unit ? h('span', { class: 'unit' }, ` (${issue.unit})`) : null),
      input,
    );
  }

  private readInputs(): Terms | null {
    const terms: Terms = {};
    for (const issue of this.o.issues) {
      const input = this.inputs.get(issue.name)!;
      const v = input.valueAsNumber;
      if (!Number.isFinite(v) || v < issue.min || v > issue.max) {
        replace(this.error, `${issue.label}: enter a number from ${fmtNumber(issue.min)} to ${fmtNumber(issue.max)}.`);
        input.focus();
        return null;
      }
      if (issue.step >= 1 && !Number.isInteger(v)) {
        replace(this.error, `${issue.label}: enter a whole number.`);
        input.focus();
        return null;
      }
      terms[issue.name] = v;
    }
    replace(this.error);
    return terms;
  }

  private async run(action: () => Promise<void>): Promise<void> {
    this.setBusy(true);
    try {
      await action();
      this.dirty = false;
    } catch (e) {
      replace(this.error, (e as Error).message);
    } finally {
      this.setBusy(false);
    }
  }

  private setBusy(busy: boolean): void {
    for (const b of [this.proposeBtn, this.agreeBtn, this.rejectBtn]) b.disabled = busy || this.closed;
    if (!busy) this.agreeBtn.disabled = this.closed || !this.theirs?.offer || this.theirs.status === 'rejected';
  }

  private render(): void {
    const mineTerms = termsOf(this.mine?.offer ?? null);
    const theirTerms = termsOf(this.theirs?.offer ?? null);
    const myHead = this.o.observer ? this.o.myLabel : `You (${this.o.myLabel})`;
    const statusText = (v: OfferView | null) =>
      v ? (v.offer || v.status !== 'pending' ? (STATUS_LABELS[v.status] ?? v.status) : 'No offer yet') : 'No offer yet';
    replace(
      this.table,
      h(
        'table',
        { class: 'terms-table' },
        h('caption', { class: 'sr-only' }, 'Current terms of each party'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Issue'),
            h('th', { scope: 'col', class: 'num' }, myHead),
            h('th', { scope: 'col', class: 'num' }, this.o.otherLabel),
          ),
        ),
        h(
          'tbody',
          null,
          this.o.issues.map((issue) =>
            h(
              'tr',
              { 'data-issue': issue.name },
              h('th', { scope: 'row' }, issue.label),
              h(
                'td',
                { class: 'num', 'data-party': 'me' },
                mineTerms && issue.name in mineTerms ? fmtTerm(issue, mineTerms[issue.name]) : '—',
              ),
              h(
                'td',
                { class: 'num', 'data-party': 'them' },
                theirTerms && issue.name in theirTerms ? fmtTerm(issue, theirTerms[issue.name]) : '—',
              ),
            ),
          ),
          h(
            'tr',
            { class: 'status-row' },
            h('th', { scope: 'row' }, 'Status'),
            h('td', { class: 'num', 'data-party': 'me' }, statusText(this.mine)),
            h('td', { class: 'num', 'data-party': 'them' }, statusText(this.theirs)),
          ),
        ),
      ),
      this.opening && !mineTerms && !theirTerms
        ? h(
            'p',
            { class: 'muted small' },
            `Order opened at: ${this.o.issues.map((i) => `${i.label.toLowerCase()} ${fmtNumber(this.opening![i.name])}`).join(', ')}.`,
          )
        : null,
    );
    // never the other side's terms: proposing them back by mistake is too easy (they are in the table above)
    if (!this.dirty) this.prefill(mineTerms ?? this.opening);
    for (const input of this.inputs.values()) input.disabled = this.closed;
    this.setBusy(false);
  }

  /** Untouched inputs follow my own latest terms, else the order's (a trade); otherwise they start empty. */
  private prefill(terms: Terms | null): void {
    for (const issue of this.o.issues) {
      const v = terms?.[issue.name];
      if (typeof v === 'number') this.inputs.get(issue.name)!.value = String(v);
    }
  }
}
