import type { ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { Chart } from '../chart';

/** A Chart.js chart on a canvas, with the same content in words for screen readers (`label`). */
export function ChartCanvas({ config, label, tall, kind }: { config: ChartConfiguration; label: string; tall?: boolean; kind?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(ref.current!, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <figure class="deal-chart" data-chart={kind}>
      <div class={tall ? 'chart-box chart-tall' : 'chart-box'}>
        <canvas ref={ref} role="img" aria-label={label} />
      </div>
      <figcaption class="small muted">{label}</figcaption>
    </figure>
  );
}
