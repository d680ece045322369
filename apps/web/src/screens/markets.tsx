import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { Field } from '../components/field';
import { useSession } from '../hooks';
import { go } from '../router';
import type { MarketSummary } from '../market/types';

interface DesignList {
  builtin: { id: string; title: string; description: string }[];
  uploaded: { id: string; title: string; teams: number }[];
}

/** Markets: the instructor creates one (built-in or uploaded design) and uploads designs; a student sees its own. */
export function Markets() {
  const session = useSession();
  const [markets, setMarkets] = useState<MarketSummary[] | null>(null);
  const [error, setError] = useState('');
  const instructor = session?.user.role === 'instructor';
  useEffect(() => {
    api<{ markets: MarketSummary[] }>('GET', '/api/markets')
      .then((r) => setMarkets(r.markets))
      .catch((e: Error) => setError(e.message));
  }, []);
  return (
    <>
      <h1 class="page-title">Markets</h1>
      <div class="grid">
        {instructor ? <NewMarket /> : null}
        <section class="card" aria-labelledby="markets-h">
          <h2 id="markets-h">{instructor ? 'Your markets' : 'Markets you trade in'}</h2>
          {error ? <p class="form-error">Could not load: {error}</p> : null}
          {markets?.length === 0 ? <p class="muted">None yet.</p> : null}
          <ul class="plain">
            {markets?.map((m) => (
              <li key={m.id}>
                <a href={`#/market/${m.id}`}>{m.title}</a>{' '}
                <span class="muted small">
                  {m.running ? 'trading' : 'closed'} · {m.teams} teams
                </span>
              </li>
            ))}
          </ul>
          <p class="small">
            <a href="#/market-rules">The rules of a market, in plain words</a>
          </p>
        </section>
        {instructor ? <UploadDesign /> : null}
      </div>
    </>
  );
}

function NewMarket() {
  const [designs, setDesigns] = useState<DesignList | null>(null);
  const [designId, setDesignId] = useState('builtin-symmetric');
  const [teams, setTeams] = useState('');
  const [minutes, setMinutes] = useState('10');
  const [anonymise, setAnonymise] = useState(true);
  const [error, setError] = useState('');
  useEffect(() => {
    api<DesignList>('GET', '/api/market/designs')
      .then(setDesigns)
      .catch((e: Error) => setError(e.message));
  }, []);
  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    const emails = teams
      .split(/[\s,;]+/)
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean);
    if (emails.length < 2) return setError('List at least two teams (their e-mails).');
    try {
      const m = await api<MarketSummary>('POST', '/api/markets', {
        design_id: designId,
        teams: emails,
        round_seconds: Math.round(Number(minutes) * 60),
        anonymise,
      });
      go(`#/market/${m.id}`);
    } catch (err) {
      setError((err as ApiError).message);
    }
  }
  return (
    <section class="card" aria-labelledby="new-market-h">
      <h2 id="new-market-h">New market</h2>
      <form aria-label="New market" noValidate onSubmit={submit}>
        <Field label="Design">
          <select value={designId} onChange={(e) => setDesignId(e.currentTarget.value)}>
            {designs?.builtin.map((d) => (
              <option key={d.id} value={d.id}>
                {d.title} (built-in)
              </option>
            ))}
            {designs?.uploaded.map((d) => (
              <option key={d.id} value={d.id}>
                {d.title} ({d.teams} teams)
              </option>
            ))}
          </select>
        </Field>
        <Field label="Teams (e-mails)" hint="One per line; a built-in design is made for this many teams.">
          <textarea rows={5} value={teams} onInput={(e) => setTeams(e.currentTarget.value)} />
        </Field>
        <Field label="Trading time (minutes)">
          <input type="number" min={1} max={1440} value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
        </Field>
        <label class="choice">
          <input type="checkbox" checked={anonymise} onChange={(e) => setAnonymise(e.currentTarget.checked)} /> Students see the leaderboard
          without other teams' names
        </label>
        {error ? (
          <p class="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit">Open the market</button>
      </form>
    </section>
  );
}

function UploadDesign() {
  const [text, setText] = useState('');
  const [id, setId] = useState('');
  const [title, setTitle] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [done, setDone] = useState('');
  async function submit(e: Event) {
    e.preventDefault();
    setProblems([]);
    setDone('');
    const json = text.trim().startsWith('{');
    let body: unknown;
    try {
      body = json ? { design: JSON.parse(text) } : { csv: text, id, title, round_seconds: 600 };
    } catch (err) {
      return setProblems([`not valid JSON: ${(err as Error).message}`]);
    }
    try {
      const saved = await api<{ title: string; teams: number }>('POST', '/api/market/designs', body);
      setDone(`Saved "${saved.title}" (${saved.teams} teams).`);
    } catch (err) {
      const list =
        (((err as ApiError).body as { problems?: unknown } | undefined)?.problems as
          { line?: number; path?: string; message: string }[] | undefined) ?? [];
      setProblems(
        list.length ? list.map((p) => `${p.line ? `line ${p.line}` : p.path || 'design'}: ${p.message}`) : [(err as Error).message],
      );
    }
  }
  return (
    <section class="card" aria-labelledby="upload-h">
      <h2 id="upload-h">Upload a design</h2>
      <form aria-label="Upload a design" noValidate onSubmit={submit}>
        <Field label="Design (JSON, or CSV: team,type,chemical,quantity,amount)">
          <textarea rows={8} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </Field>
        <Field label="Id (CSV only)">
          <input type="text" value={id} onInput={(e) => setId(e.currentTarget.value)} />
        </Field>
        <Field label="Title (CSV only)">
          <input type="text" value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </Field>
        {problems.length ? (
          <ul class="form-error" role="alert">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
        {done ? <p role="status">{done}</p> : null}
        <button type="submit">Check and save</button>
      </form>
    </section>
  );
}
