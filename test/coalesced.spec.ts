import { coalesced } from '../apps/web/src/coalesced';

/** A burst of pushed changes costs one read in flight and one after it, never two at once. */
describe('coalesced reads', () => {
  it('runs at once; calls while it runs fold into one more run after it; a later call runs again', async () => {
    let inFlight = 0;
    let most = 0;
    let runs = 0;
    const finish: (() => void)[] = [];
    const read = coalesced(() => {
      runs++;
      most = Math.max(most, ++inFlight);
      return new Promise<void>((done) => finish.push(() => (inFlight--, done())));
    });
    const settle = () => new Promise((r) => setImmediate(r));

    read();
    expect(runs).toBe(1);
    for (let i = 0; i < 5; i++) read();
    expect(runs).toBe(1);
    finish.shift()!();
    await settle();
    expect(runs).toBe(2);
    finish.shift()!();
    await settle();
    expect(runs).toBe(2);
    read();
    expect(runs).toBe(3);
    expect(most).toBe(1);
  });

  it('a failed read does not stop the next one', async () => {
    let runs = 0;
    const read = coalesced(() => (runs++, Promise.reject(new Error('offline'))));
    read();
    read();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2);
  });
});
