import { createHash } from 'node:crypto';
import { Terms } from '@parley/contracts';

/**
 * SHA-256 of the canonical terms: keys sorted, numbers in one fixed format, no timestamp
 * (seed 000 hashed the timestamp too, so two parties' keys could never match).
 */
export function canonicalTerms(terms: Terms): string {
  const keys = Object.keys(terms).sort();
  return keys.map((k) => `${k}=${formatNumber(terms[k])}`).join('&');
}

export function agreementKey(terms: Terms): string {
  return createHash('sha256').update(canonicalTerms(terms)).digest('hex');
}

/** 5.5, 5.50 and 5.500000001 (float noise) all become "5.5"; -0 becomes "0". */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error('terms must be finite numbers');
  const rounded = Math.round(n * 1e6) / 1e6;
  return (Object.is(rounded, -0) ? 0 : rounded).toString();
}

/** Terms without the offer timestamp (a browser-safe view, kept here for the engines' imports). */
export { termsOf } from '@parley/contracts';
