import type { ChartConfiguration } from 'chart.js';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { lineDataset } from '../chart';
import { ChartCanvas } from '../components/chart';
import { Field } from '../components/field';
import { SCORE_LABELS, STATUS_LABELS } from '../format';
import { listOf, sessionPath } from '../sessions/live';
import type { ClassDebrief, Histogram } from '../sessions/types';

const ROLE_COLORS = ['#1f6feb', '#b35900'];
const FRONTIER = '#2e7d32';
const pct = (r: number) => `${Math.round(r * 100)}%`;

/** #/session/<id>/debrief: the class's outcomes per scenario, for the projector; one round or all of them. */
export function Debrief({ sessionId }: { sessionId: string }) {
  const [anonymise, setAnonymise] = useState(false);
  const [round, setRound] = useState<number | null>(null);
  const [rounds, setRounds] = useState<number[]>([]);
  const [debriefs, setDebriefs] = useState<ClassDebrief[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let stopped = false;
    const query = new URLSearchParams({ round: round === null ? 'all' : String(round), ...(anonymise ? { anonymise: '1' } : {}) });
    api<{ rounds?: number[] }>('GET', sessionPath(sessionId, `/debrief?${query}`))
      .then((r) => {
        if (stopped) return;
        setDebriefs(listOf<ClassDebrief>(r, 'debriefs'));
        setRounds(r.rounds ?? []);
        setError('');
      })
      .catch((e: Error) => !stopped && setError(e.message));
    return () => {
      stopped = true;
    };
  }, [sessionId, anonymise, round]);
  const which = round === null ? 'all rounds' : `round ${round}`;
  return (
    <div class="class-debrief">
      <div class="page-head">
        <h1 class="page-title">Debrief{round === null ? '' : `: round ${round}`}</h1>
        <p>
          <a href={`#/session/${encodeURIComponent(sessionId)}`}>← Back to the session</a>
        </p>
        <div class="debrief-controls">
          <Field label="Round">
            <select
              value={round === null ? 'all' : String(round)}
              onChange={(e) => setRound(e.currentTarget.value === 'all' ? null : Number(e.currentTarget.value))}
            >
              <option value="all">All rounds</option>
              {rounds.map((n) => (
                <option key={n} value={String(n)}>
                  Round {n}
                </option>
              ))}
            </select>
          </Field>
          <label class="choice switch">
            <input type="checkbox" role="switch" checked={anonymise} onChange={(e) => setAnonymise(e.currentTarget.checked)} /> Anonymise
            names (for the projector)
          </label>
        </div>
      </div>
      {error ? (
        <p class="form-error" role="alert">
          Could not load the debrief: {error}
        </p>
      ) : null}
      {debriefs === null && !error ? <p class="muted">Loading…</p> : null}
      {debriefs?.length === 0 ? (
        <p class="muted">{rounds.length ? `No negotiation of ${which} has ended yet.` : 'No round has been played yet.'}</p>
      ) : null}
      {debriefs?.map((d) => (
        <ScenarioDebrief key={`${d.scenario_id}-${round}`} d={d} />
      ))}
    </div>
  );
}

function ScenarioDebrief({ d }: { d: ClassDebrief }) {
  const plane = useMemo(() => planeConfig(d), [d]);
  const dealt = d.deals.filter((x) => x.x !== null && x.y !== null);
  return (
    <section class="card wide scenario-debrief" aria-labelledby={`debrief-${d.scenario_id}`} data-scenario={d.scenario_id}>
      <h2 id={`debrief-${d.scenario_id}`}>{d.title}</h2>
      <p class="deal-rate" data-deals={d.deal_rate.deals} data-closed={d.deal_rate.closed}>
        <strong>Deal rate: {pct(d.deal_rate.rate)}</strong> ({d.deal_rate.deals} deal{d.deal_rate.deals === 1 ? '' : 's'} of{' '}
        {d.deal_rate.closed} negotiation{d.deal_rate.closed === 1 ? '' : 's'})
      </p>
      <ChartCanvas
        tall
        config={plane}
        label={`The deals on the two parties' values (out of 100): ${d.roles[0]} across, ${d.roles[1]} up. ${
          dealt.length ? dealt.map((x) => `${x.a} and ${x.b}: ${x.x} and ${x.y}`).join('; ') : 'No deal yet'
        }. The line shows the best possible packages (the Pareto frontier).`}
      />
      <div class="histograms">
        {d.per_role.map((r, i) => (
          <div class="role-histograms" key={r.role} data-role={r.role}>
            <h3>{r.role}</h3>
            <HistogramChart title={d.main_issue.label} h={r.main_issue} color={ROLE_COLORS[i % 2]} />
            {Object.entries(r.scores).map(([key, h]) => (
              <HistogramChart key={key} title={SCORE_LABELS[key as keyof typeof SCORE_LABELS] ?? key} h={h} color={ROLE_COLORS[i % 2]} />
            ))}
          </div>
        ))}
      </div>
      <div class="table-wrap table-scroll" tabIndex={0} role="region" aria-label={`Negotiations of ${d.title}`}>
        <table>
          <caption class="sr-only">Every ended negotiation of {d.title}</caption>
          <thead>
            <tr>
              <th scope="col">{d.roles[0]}</th>
              <th scope="col">{d.roles[1]}</th>
              <th scope="col">Outcome</th>
              <th scope="col" class="num">
                Value to {d.roles[0]}
              </th>
              <th scope="col" class="num">
                Value to {d.roles[1]}
              </th>
            </tr>
          </thead>
          <tbody>
            {d.deals.map((x) => (
              <tr key={x.negotiation_id} data-negotiation={x.negotiation_id}>
                <td>{x.a}</td>
                <td>{x.b}</td>
                <td>{x.status === 'expired' ? 'No deal (time)' : (STATUS_LABELS[x.status] ?? x.status)}</td>
                <td class="num">{x.x ?? '—'}</td>
                <td class="num">{x.y ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="briefs">
        {d.briefs.map((b) => (
          <details class="brief-card" key={b.role}>
            <summary>Brief of the {b.role}</summary>
            <div class="brief-text">{b.text}</div>
          </details>
        ))}
      </div>
    </section>
  );
}

function HistogramChart({ title, h, color }: { title: string; h: Histogram; color: string }) {
  const config = useMemo<ChartConfiguration>(
    () => ({
      type: 'bar',
      data: {
        labels: h.bins.map((b) => `${b.from}–${b.to}`),
        datasets: [{ label: title, data: h.bins.map((b) => b.count), backgroundColor: `${color}99`, borderColor: color, borderWidth: 1 }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false }, title: { display: true, text: title } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Students' } } },
      },
    }),
    [h, title, color],
  );
  const words = h.values.length ? h.bins.map((b) => `${b.from} to ${b.to}: ${b.count}`).join(', ') : 'no values yet';
  return <ChartCanvas config={config} label={`${title}: ${words}.`} />;
}

function planeConfig(d: ClassDebrief): ChartConfiguration {
  const line = lineDataset;
  return {
    type: 'scatter',
    data: {
      datasets: [
        line(d.frontier, 'Best possible packages (Pareto frontier)', FRONTIER),
        line(
          [
            { x: d.walk_away.x, y: 0 },
            { x: d.walk_away.x, y: 100 },
          ],
          `${d.roles[0]}'s walk-away`,
          ROLE_COLORS[0],
          [6, 4],
        ),
        line(
          [
            { x: 0, y: d.walk_away.y },
            { x: 100, y: d.walk_away.y },
          ],
          `${d.roles[1]}'s walk-away`,
          ROLE_COLORS[1],
          [6, 4],
        ),
        {
          type: 'scatter',
          label: 'Deals',
          data: d.deals.filter((x) => x.x !== null && x.y !== null).map((x) => ({ x: x.x!, y: x.y! })),
          backgroundColor: '#111111',
          pointRadius: 7,
          pointStyle: 'rectRot',
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: 'bottom' } },
      scales: {
        x: { min: 0, max: 100, title: { display: true, text: `Value to the ${d.roles[0]} (of 100)` } },
        y: { min: 0, max: 100, title: { display: true, text: `Value to the ${d.roles[1]} (of 100)` } },
      },
    },
  } as ChartConfiguration;
}
