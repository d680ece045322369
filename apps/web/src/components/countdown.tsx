import { useEffect, useState } from 'preact/hooks';

const mmss = (ms: number) => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** Time left until `endsAt` (unix ms), ticking each second; read out to screen readers once a minute. */
export function Countdown({ endsAt, label = 'Time left' }: { endsAt: number; label?: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [endsAt]);
  const left = endsAt - now;
  const minutes = Math.max(0, Math.ceil(left / 60_000));
  return (
    <p class={`countdown${left <= 60_000 ? ' countdown-last' : ''}`} data-countdown={left > 0 ? 'running' : 'over'}>
      <span class="countdown-label">{label}</span>{' '}
      <span class="countdown-value" role="timer" aria-hidden="true">
        {mmss(left)}
      </span>
      <span class="sr-only" aria-live="polite">
        {left > 0 ? `${minutes} minute${minutes === 1 ? '' : 's'} left` : 'Time is up'}
      </span>
    </p>
  );
}
