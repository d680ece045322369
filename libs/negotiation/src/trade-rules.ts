import type { Terms } from '@parley/contracts';

/** The trading game's limits, the same on the order board (HTTP), in offers (sockets) and at settlement. */
export const MAX_PRICE = 1_000_000;
export const MAX_QUANTITY = 1_000_000_000;

/** Terms of a trade: exactly a positive finite price per unit and a positive whole quantity. */
export function validateTradeTerms(terms: Terms): string | null {
  const keys = Object.keys(terms).sort().join(',');
  if (keys !== 'price,quantity') return 'a trade offer has exactly a price and a quantity';
  if (!(terms.price > 0 && terms.price <= MAX_PRICE)) return `price must be above 0 and at most ${MAX_PRICE}`;
  if (!Number.isInteger(terms.quantity) || terms.quantity <= 0 || terms.quantity > MAX_QUANTITY) {
    return `quantity must be a whole number from 1 to ${MAX_QUANTITY}`;
  }
  return null;
}
