import type { ServerPayloads } from '@parley/contracts/browser';

export type BoardChange = ServerPayloads['order-board'];

/**
 * A board as the screen shows it, after one pushed change (`order-board`): a posted order joins it
 * (newest first, once, if it is of this board and passes the chemical filter); a withdrawn or taken one
 * leaves it. Changes of another board leave it as it is.
 */
export function applyBoardChange<T extends { id: string; chemical: string; created_at?: number }>(
  orders: T[],
  change: BoardChange,
  board: { marketId: string | null; chemical?: string },
): T[] {
  if (change.market_id !== board.marketId) return orders;
  const rest = orders.filter((o) => o.id !== change.order_id);
  if (change.change !== 'posted' || !change.order) return rest;
  if (board.chemical && change.order.chemical !== board.chemical) return rest;
  const posted = change.order as unknown as T;
  return [posted, ...rest].sort((a, b) => (b.created_at ?? 0) - (a.created_at ?? 0) || a.id.localeCompare(b.id));
}
