import { DataPaths } from './paths';
import { isEmail, isNegotiationId } from './validate';

describe('id and e-mail validation before paths', () => {
  it('accepts ordinary addresses and refuses path tricks', () => {
    expect(isEmail('alice@stonybrook.edu')).toBe(true);
    for (const bad of ['../x@y.z', 'a/b@c.d', 'alice@..', 'Alice@x.com', 'al_ice@x.com', 'a@b', '', 'a@b.c/../../etc']) {
      expect(isEmail(bad)).toBe(false);
    }
  });
  it('accepts seed 000 and UUID negotiation ids only', () => {
    expect(isNegotiationId('alice_bob_C_1704312345')).toBe(true);
    expect(isNegotiationId('alice_bob_C_1704312345-2')).toBe(true);
    expect(isNegotiationId('3f2b8c1e-0d5a-4c8e-9b7a-1a2b3c4d5e6f')).toBe(true);
    expect(isNegotiationId('../alice_bob_C_1704312345')).toBe(false);
    expect(isNegotiationId('alice_bob_X_1704312345')).toBe(false);
  });
  it('never builds a path from an invalid part', () => {
    const p = new DataPaths('/tmp/parley-x');
    expect(() => p.teamDir('../../etc@x.y')).toThrow();
    expect(() => p.negotiation('alice@x.com', '..')).toThrow();
    expect(p.init('alice@x.com')).toBe('/tmp/parley-x/teams/alice@x.com/init.json');
  });
});
