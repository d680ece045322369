import { h } from './dom';

/** Short notices in a live region; errors are announced assertively. */
export function toast(message: string, kind: 'info' | 'error' = 'info', ms = 6000): void {
  const region = document.getElementById('toasts');
  if (!region) return;
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, '×');
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, h('span', null, message), close);
  const remove = () => el.remove();
  close.addEventListener('click', remove);
  region.appendChild(el);
  while (region.children.length > 4) region.firstElementChild?.remove();
  setTimeout(remove, ms);
}
