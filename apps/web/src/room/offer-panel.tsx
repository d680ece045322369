import { termsOf, type OfferView, type Terms } from '@parley/contracts/browser';
import { acceptsInText } from '@parley/negotiation/signals';
import { type OwnSide, worseThanWalkAway } from '@parley/negotiation/walk-away';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { fmtNumber, fmtTerm, STATUS_LABELS } from '../format';
import type { Issue } from '../types';

/**
 * The question before agreeing to terms worse than the student's walk-away: "This is worse than your
 * alternative (…). Agree anyway?". Asked by the offer panel's Agree button and by a typed "deal".
 */
export interface Guard {
  question: string | null;
  /** True to go ahead: the terms are not worse, or the student said "Agree anyway". */
  check(terms: Terms): Promise<boolean>;
  answer(yes: boolean): void;
}

export function useGuard(ownSide: OwnSide | undefined): Guard {
  const [question, setQuestion] = useState<string | null>(null);
  const pending = useRef<((yes: boolean) => void) | null>(null);
  const answer = (yes: boolean) => {
    setQuestion(null);
    const resolve = pending.current;
    pending.current = null;
    resolve?.(yes);
  };
  return {
    question,
    answer,
    check(terms) {
      const why = ownSide ? worseThanWalkAway(ownSide, terms) : null;
      if (!why) return Promise.resolve(true);
      pending.current?.(false);
      setQuestion(`This is worse than your alternative (${why}). Agree anyway?`);
      return new Promise((resolve) => {
        pending.current = resolve;
      });
    },
  };
}

/**
 * A chat line that accepts their standing terms ("deal", "I accept") is an agreement too: when those terms
 * are worse than the walk-away, the same question is asked before the line is sent.
 */
export function confirmTypedAcceptance(guard: Guard, text: string, theirs: OfferView | null, closed: boolean): Promise<boolean> {
  const terms = termsOf(theirs?.offer);
  // a line with numbers of its own is a counter-proposal, not an acceptance
  if (!terms || closed || /\d/.test(text) || !acceptsInText(text)) return Promise.resolve(true);
  return guard.check(terms);
}

export interface OfferPanelProps {
  issues: Issue[];
  mine: OfferView | null;
  theirs: OfferView | null;
  /** A trade's opening terms (the order's): shown, and prefilled, until someone proposes. */
  opening?: Terms;
  myLabel: string;
  otherLabel: string;
  observer: boolean;
  closed: boolean;
  guard: Guard;
  propose(terms: Terms): Promise<void>;
  agree(terms: Terms): Promise<void>;
  reject(): Promise<void>;
}

const statusText = (v: OfferView | null) =>
  v && (v.offer || v.status !== 'pending') ? (STATUS_LABELS[v.status] ?? v.status) : 'No offer yet';

/** Both parties' current terms, and propose / agree / reject with one input per issue. */
export function OfferPanel(p: OfferPanelProps) {
  const headingId = useId();
  const mineTerms = termsOf(p.mine?.offer);
  const theirTerms = termsOf(p.theirs?.offer);
  const myHead = p.observer ? p.myLabel : `You (${p.myLabel})`;
  const announcement = useAnnouncement(p);
  return (
    <section class="card offer-panel" aria-labelledby={headingId}>
      <h2 id={headingId} tabIndex={-1}>
        Terms on the table
      </h2>
      {/* says what changed on the table (a new proposal, an agreement) to a screen reader, once */}
      <p class="sr-only" role="status" aria-live="polite">
        {announcement}
      </p>
      <div class="table-wrap">
        <table class="terms-table">
          <caption class="sr-only">Current terms of each party</caption>
          <thead>
            <tr>
              <th scope="col">Issue</th>
              <th scope="col" class="num">
                {myHead}
              </th>
              <th scope="col" class="num">
                {p.otherLabel}
              </th>
            </tr>
          </thead>
          <tbody>
            {p.issues.map((issue) => (
              <tr key={issue.name} data-issue={issue.name}>
                <th scope="row">{issue.label}</th>
                <td class="num" data-party="me">
                  {mineTerms && issue.name in mineTerms ? fmtTerm(issue, mineTerms[issue.name]) : '—'}
                </td>
                <td class="num" data-party="them">
                  {theirTerms && issue.name in theirTerms ? fmtTerm(issue, theirTerms[issue.name]) : '—'}
                </td>
              </tr>
            ))}
            <tr class="status-row">
              <th scope="row">Status</th>
              <td class="num" data-party="me">
                {statusText(p.mine)}
              </td>
              <td class="num" data-party="them">
                {statusText(p.theirs)}
              </td>
            </tr>
          </tbody>
        </table>
        {p.opening && !mineTerms && !theirTerms ? (
          <p class="muted small">
            {`Order opened at: ${p.issues.map((i) => `${i.label.toLowerCase()} ${fmtNumber(p.opening![i.name])}`).join(', ')}.`}
          </p>
        ) : null}
      </div>
      {p.observer ? (
        <p class="muted">You are observing this negotiation.</p>
      ) : (
        <OfferForm {...p} mineTerms={mineTerms} theirTerms={theirTerms} />
      )}
    </section>
  );
}

/** The line read out when a party's terms or status change (not for what was there on arrival). */
function useAnnouncement({ mine, theirs, issues, myLabel, otherLabel, observer }: OfferPanelProps): string {
  const [text, setText] = useState('');
  const before = useRef<[OfferView | null, OfferView | null] | null>(null);
  useEffect(() => {
    const prev = before.current;
    before.current = [mine, theirs];
    if (!prev) return;
    let said = '';
    for (const [b, a, who] of [
      [prev[0], mine, observer ? myLabel : 'You'],
      [prev[1], theirs, otherLabel],
    ] as const) {
      if (!a) continue;
      const terms = termsOf(a.offer);
      if (terms && a.offer?.timestamp !== b?.offer?.timestamp) {
        said = `${who} proposed: ${issues.map((i) => `${i.label} ${fmtTerm(i, terms[i.name])}`).join(', ')}.`;
      } else if (a.status !== b?.status && a.status !== 'pending') {
        said = `${who}: ${STATUS_LABELS[a.status] ?? a.status}.`;
      }
    }
    if (said) setText(said);
  }, [mine, theirs]);
  return text;
}

function OfferForm(p: OfferPanelProps & { mineTerms: Terms | null; theirTerms: Terms | null }) {
  const { issues, guard, closed } = p;
  const [values, setValues] = useState<Record<string, string>>({});
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [confirming, setConfirming] = useState(false);
  const inputs = useRef<Record<string, HTMLInputElement | null>>({});
  const agreeBtn = useRef<HTMLButtonElement>(null);
  const rejectBtn = useRef<HTMLButtonElement>(null);
  const confirmNo = useRef<HTMLButtonElement>(null);
  const guardNo = useRef<HTMLButtonElement>(null);
  const ids = useId();

  // untouched inputs follow my own latest terms, else the order's (a trade); never the other side's
  // (proposing them back by mistake is too easy: they are in the table above)
  const prefill = p.mineTerms ?? p.opening ?? null;
  useLayoutEffect(() => {
    if (dirty || !prefill) return;
    const next: Record<string, string> = {};
    for (const issue of issues) if (typeof prefill[issue.name] === 'number') next[issue.name] = String(prefill[issue.name]);
    setValues((v) => ({ ...v, ...next }));
  }, [JSON.stringify(prefill), dirty]);

  // the question takes focus; a closed negotiation answers it "no"
  useLayoutEffect(() => {
    if (guard.question) guardNo.current?.focus();
  }, [guard.question]);
  useEffect(() => {
    if (closed) guard.answer(false);
  }, [closed]);
  useLayoutEffect(() => {
    if (confirming) confirmNo.current?.focus();
  }, [confirming]);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
      setDirty(false);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const read = (): Terms | null => {
    const terms: Terms = {};
    for (const issue of issues) {
      const raw = (values[issue.name] ?? '').trim();
      const v = raw === '' ? NaN : Number(raw);
      const fail = (text: string) => {
        setError(text);
        inputs.current[issue.name]?.focus();
        return null;
      };
      if (!Number.isFinite(v) || v < issue.min || v > issue.max) {
        return fail(`${issue.label}: enter a number from ${fmtNumber(issue.min)} to ${fmtNumber(issue.max)}.`);
      }
      if (issue.step >= 1 && !Number.isInteger(v)) return fail(`${issue.label}: enter a whole number.`);
      terms[issue.name] = v;
    }
    setError('');
    return terms;
  };

  const agreeable = !!p.theirs?.offer && p.theirs.status !== 'rejected';
  return (
    <form
      class="offer-form"
      noValidate
      aria-label="Your terms"
      hidden={closed}
      onSubmit={(e) => {
        e.preventDefault();
        const terms = read();
        if (terms) void run(() => p.propose(terms));
      }}
    >
      <div class="issue-inputs">
        {issues.map((issue) => (
          <div class="field" key={issue.name}>
            <label for={`${ids}-${issue.name}`}>
              {issue.label}
              {issue.unit ? <span class="unit">{` (${issue.unit})`}</span> : null}
            </label>
            <input
              ref={(el) => {
                inputs.current[issue.name] = el;
              }}
              type="number"
              id={`${ids}-${issue.name}`}
              name={issue.name}
              min={issue.min}
              max={issue.max}
              step={issue.step}
              inputMode={Number.isInteger(issue.step) ? 'numeric' : 'decimal'}
              required
              disabled={closed}
              value={values[issue.name] ?? ''}
              onInput={(e) => {
                const value = e.currentTarget.value;
                setValues((v) => ({ ...v, [issue.name]: value }));
                setDirty(true);
              }}
            />
          </div>
        ))}
      </div>
      <p class="form-error" role="alert">
        {error}
      </p>
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy || closed}>
          Propose these terms
        </button>
        <button
          ref={agreeBtn}
          type="button"
          class="agree"
          disabled={busy || closed || !agreeable}
          onClick={async () => {
            const terms = p.theirTerms;
            if (terms && (await guard.check(terms))) void run(() => p.agree(terms));
          }}
        >
          {`Agree to ${p.otherLabel}'s terms`}
        </button>
        <button ref={rejectBtn} type="button" class="danger" disabled={busy || closed} onClick={() => setConfirming(true)}>
          Walk away…
        </button>
      </div>
      <div class="confirm guard" hidden={!guard.question} role="alertdialog" aria-label="Worse than your alternative">
        <p class="guard-text">{guard.question}</p>
        <button type="button" class="danger" onClick={() => guard.answer(true)}>
          Agree anyway
        </button>
        <button
          ref={guardNo}
          type="button"
          class="primary"
          onClick={() => {
            guard.answer(false);
            agreeBtn.current?.focus();
          }}
        >
          Keep negotiating
        </button>
      </div>
      <div class="confirm" hidden={!confirming} role="group" aria-label="Confirm walking away">
        <p>End this negotiation without a deal?</p>
        <button
          type="button"
          class="danger"
          onClick={() => {
            setConfirming(false);
            void run(() => p.reject());
          }}
        >
          Yes, end without a deal
        </button>
        <button
          ref={confirmNo}
          type="button"
          onClick={() => {
            setConfirming(false);
            rejectBtn.current?.focus();
          }}
        >
          Keep negotiating
        </button>
      </div>
    </form>
  );
}
