import type { ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { Chart } from '../chart';

/** A Chart.js chart on a canvas, with the same content in words for screen readers (`label`). */
export function ChartCanvas({ config, label, tall }: { config: ChartConfiguration; label: string; tall?: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(ref.current!, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <figure class="deal-chart">
      <div class={tall ? 'chart-box chart-tall' : 'chart-box'}>
        <canvas ref={ref} role="img" aria-label={label} />
      </div>
      <figcaption class="small muted">{label}</figcaption>
    </figure>
  );
}
