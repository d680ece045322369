/**
 * Cash is money: holdings are summed in integer cents (prices have at most two decimals; a file written
 * by another program with more is counted to the nearest cent), and files keep the number.
 */
export const amountCents = (amount: number) => Math.round(amount * 100);
export const centsAmount = (cents: number) => cents / 100;
