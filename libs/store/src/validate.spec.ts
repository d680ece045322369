import { DataPaths } from './paths';
import { emailPrefix, isEmail, isJoinCode, isNegotiationId, namespacePrefix } from './validate';

describe('id and e-mail validation before paths', () => {
  it('accepts ordinary addresses and refuses path tricks', () => {
    expect(isEmail('alice@stonybrook.edu')).toBe(true);
    expect(isEmail('john_doe@uni.edu')).toBe(true);
    for (const bad of ['../x@y.z', 'a/b@c.d', 'alice@..', 'Alice@x.com', '_alice@x.com', 'a@b', '', 'a@b.c/../../etc']) {
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
  it('derives a path-safe, unique namespace prefix instead of refusing the person', () => {
    expect(emailPrefix('john_doe@uni.edu')).toBe('john-doe');
    expect(emailPrefix('alice@uni.edu')).toBe('alice');
    expect(namespacePrefix('alice@other.edu', ['alice', 'bob'], ['ai'])).toBe('alice-2');
    expect(namespacePrefix('alice@third.edu', ['alice', 'alice-2'], ['ai'])).toBe('alice-3');
    expect(namespacePrefix('ai@uni.edu', [], ['ai'])).toBe('ai-2');
    expect(namespacePrefix('john_doe@uni.edu', ['john-doe'], ['ai'])).toBe('john-doe-2');
  });
  it('accepts join codes of six unambiguous characters only', () => {
    expect(isJoinCode('K7PQ2M')).toBe(true);
    for (const bad of ['K7PQ2', 'K7PQ2MM', 'k7pq2m', 'O7PQ2M', 'I7PQ2M', '07PQ2M', '../../']) expect(isJoinCode(bad)).toBe(false);
  });
  it('never builds a path from an invalid part', () => {
    const p = new DataPaths('/tmp/parley-x');
    expect(() => p.teamDir('../../etc@x.y')).toThrow();
    expect(() => p.negotiation('alice@x.com', '..')).toThrow();
    expect(p.init('alice@x.com')).toBe('/tmp/parley-x/teams/alice@x.com/init.json');
  });
});
