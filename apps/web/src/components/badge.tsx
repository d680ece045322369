import { STATUS_LABELS } from '../format';

/** A negotiation's (or an offer's) status as a small coloured label. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status.replace(/[^a-z]/g, '')}`}>{STATUS_LABELS[status] ?? status}</span>;
}
