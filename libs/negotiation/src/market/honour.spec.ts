import { Chemical } from '@parley/contracts';
import { seededRandom } from '../rng';
import { Commitment, TeamPosition, canHonour, marketPosition } from './honour';
import { smallDesign } from './test-designs';

const goods = (C: number): Record<Chemical, number> => ({ C, N: 0, D: 0, Q: 0 });
const buy = (id: string, price: number, quantity: number): Commitment => ({ id, side: 'buy', chemical: 'C', price_cents: price, quantity });
const sell = (id: string, price: number, quantity: number, chemical: Chemical = 'C'): Commitment => ({
  id,
  side: 'sell',
  chemical,
  price_cents: price,
  quantity,
});

describe('could the team honour this?', () => {
  const market: TeamPosition = { cash_cents: 10_000, goods: goods(50), sell_limit: { C: 40 } };

  it('cash: everything open reserves its price × quantity; one order and its negotiations reserve once', () => {
    const open = [buy('order-1', 600, 10), buy('order-1', 300, 10)]; // one promise: 60.00 reserved, not 90.00
    expect(canHonour(market, open, buy('n-2', 500, 8))).toEqual({ ok: true }); // 40.00 of 40.00 free
    expect(canHonour(market, open, buy('n-2', 500, 10))).toEqual({
      ok: false,
      code: 'NOT_ENOUGH_CASH',
      message: 'this needs 50.00 cash; you have 100.00, of which 60.00 is promised in other open orders and negotiations',
    });
    // the same order checked again (a new proposal on it, its agreement, its settlement) does not count against itself
    expect(canHonour(market, open, buy('order-1', 1000, 10))).toEqual({ ok: true });
    // an open sale's money is not cash yet
    expect(canHonour(market, [sell('s', 10_000, 5)], buy('n', 10_001, 1)).ok).toBe(false);
  });

  it('goods and the cost schedule: a seller cannot sell more than it holds or its schedule allows', () => {
    const open = [sell('order-1', 500, 15)];
    expect(canHonour(market, open, sell('n', 500, 25))).toEqual({ ok: true });
    expect(canHonour(market, open, sell('n', 500, 26))).toEqual({
      ok: false,
      code: 'BEYOND_SCHEDULE',
      message: 'your cost schedule lets you sell 40 more C, of which 15 are promised elsewhere',
    });
    expect(canHonour(market, [], sell('n', 500, 1, 'N'))).toMatchObject({
      ok: false,
      code: 'BEYOND_SCHEDULE',
      message: expect.stringMatching(/no cost schedule for N/),
    });
    // free trading (no market): only goods count
    const free: TeamPosition = { cash_cents: 0, goods: goods(50) };
    expect(canHonour(free, open, sell('n', 500, 35))).toEqual({ ok: true });
    expect(canHonour(free, open, sell('n', 500, 36))).toEqual({
      ok: false,
      code: 'NOT_ENOUGH_GOODS',
      message: 'this sells 36 C; you hold 50, of which 15 are promised in other open orders and negotiations',
    });
  });

  it('refuses terms that are not a trade', () => {
    expect(canHonour(market, [], buy('n', 0, 1))).toMatchObject({ ok: false, code: 'INVALID_TERMS' });
    expect(canHonour(market, [], buy('n', 100, 0))).toMatchObject({ ok: false, code: 'INVALID_TERMS' });
    expect(canHonour(market, [], buy('n', 100, 1.5))).toMatchObject({ ok: false, code: 'INVALID_TERMS' });
  });

  it('a market position is the design holdings plus the settled trades', () => {
    const design = smallDesign([[20, 15]], [[6, 9, 12]]);
    const trades = [{ chemical: 'C' as const, buyer: 'B1', seller: 'S1', price_cents: 1000, quantity: 2 }];
    expect(marketPosition(design.teams[0], trades)).toEqual({ cash_cents: 3500 - 2000, goods: goods(2), sell_limit: {} });
    expect(marketPosition(design.teams[1], trades)).toEqual({ cash_cents: 2000, goods: goods(1), sell_limit: { C: 1 } });
  });

  it('whatever was accepted can be settled in any order, and nothing goes negative (random books)', () => {
    const rng = seededRandom('honour-property');
    const int = (n: number) => Math.floor(rng() * n);
    for (let round = 0; round < 500; round++) {
      let position: TeamPosition = { cash_cents: int(5000), goods: goods(int(30)), sell_limit: { C: int(30) } };
      const open: Commitment[] = [];
      for (let k = 0; k < 12; k++) {
        const id = `c${int(8)}`; // repeated ids: several negotiations on one order
        const c = rng() < 0.5 ? buy(id, 1 + int(300), 1 + int(10)) : sell(id, 1 + int(300), 1 + int(10));
        if (open.some((o) => o.id === id && o.side !== c.side)) continue;
        if (canHonour(position, open, c).ok) open.push(c);
      }
      // settle one commitment per id (an order fills once), in a random order, re-checking each at settlement
      const ids = [...new Set(open.map((o) => o.id))].sort(() => rng() - 0.5);
      for (const id of ids) {
        const members = open.filter((o) => o.id === id);
        const c = members[int(members.length)];
        const rest = open.filter((o) => o.id !== id);
        expect(canHonour(position, rest, c)).toEqual({ ok: true });
        const paid = c.price_cents * c.quantity;
        position =
          c.side === 'buy'
            ? { ...position, cash_cents: position.cash_cents - paid, goods: goods(position.goods.C + c.quantity) }
            : {
                cash_cents: position.cash_cents + paid,
                goods: goods(position.goods.C - c.quantity),
                sell_limit: { C: position.sell_limit!.C! - c.quantity },
              };
        expect(Math.min(position.cash_cents, position.goods.C, position.sell_limit!.C!)).toBeGreaterThanOrEqual(0);
        open.splice(0, open.length, ...rest);
      }
    }
  });
});
