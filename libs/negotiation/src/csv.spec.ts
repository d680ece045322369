import { toCsv } from './csv';

describe('toCsv', () => {
  const cols = ['a', 'b'] as const;

  it('writes a header and CRLF-terminated rows', () => {
    expect(toCsv(cols, [{ a: 'x', b: 1 }])).toBe('a,b\r\nx,1\r\n');
  });

  it('quotes fields with commas, quotes and line breaks, doubling quotes', () => {
    const csv = toCsv(cols, [{ a: 'one, two', b: 'say "hi"\nbye' }]);
    expect(csv).toBe('a,b\r\n"one, two","say ""hi""\nbye"\r\n');
  });

  it('leaves empty cells for missing, null and non-finite values', () => {
    expect(toCsv(cols, [{ a: null, b: Number.NaN }, {}])).toBe('a,b\r\n,\r\n,\r\n');
  });

  it('defuses text a spreadsheet would run as a formula, but not numbers', () => {
    const csv = toCsv(cols, [
      { a: '=HYPERLINK("http://x")', b: -5 },
      { a: '@SUM(A1)', b: '+1' },
    ]);
    expect(csv).toBe('a,b\r\n"\'=HYPERLINK(""http://x"")",-5\r\n\'@SUM(A1),\'+1\r\n');
  });
});
