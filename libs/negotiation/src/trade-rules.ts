import type { Terms } from '@parley/contracts';
import { Cents, MAX_PRICE_CENTS, MIN_PRICE_CENTS, formatCents, multiplyCents, parsePrice } from './money';

/** The trading game's limits, the same on the order board (HTTP), in offers (sockets) and at settlement. */
export const MAX_PRICE = MAX_PRICE_CENTS / 100;
export const MIN_PRICE = MIN_PRICE_CENTS / 100;
export const MAX_QUANTITY = 1_000_000_000;

/**
 * Terms of a trade: exactly a price per unit (0.01 – 1,000,000.00, at most two decimals: 5e-7 is refused,
 * not rounded) and a positive whole quantity whose total stays exact in cents.
 */
export function validateTradeTerms(terms: Terms): string | null {
  const keys = Object.keys(terms).sort().join(',');
  if (keys !== 'price,quantity') return 'a trade offer has exactly a price and a quantity';
  const price = parsePrice(terms.price);
  if (!price.ok) return price.error;
  if (!Number.isInteger(terms.quantity) || terms.quantity <= 0 || terms.quantity > MAX_QUANTITY) {
    return `quantity must be a whole number from 1 to ${MAX_QUANTITY}`;
  }
  if (!Number.isSafeInteger(price.cents * terms.quantity))
    return `price ${formatCents(price.cents)} × ${terms.quantity} is too large a total`;
  return null;
}

/** A trade's price in cents; the terms passed validateTradeTerms. */
export function tradeCents(terms: { price: number; quantity: number }): { price: Cents; total: Cents } {
  const price = parsePrice(terms.price);
  if (!price.ok) throw new RangeError(price.error);
  return { price: price.cents, total: multiplyCents(price.cents, terms.quantity) };
}
