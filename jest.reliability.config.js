/**
 * The reliability suites (test/reliability): fault injection into real processes (faults*.e2e.ts,
 * run from dist/, so build first — npm run test:reliability does) and the bad-input/attacker suites.
 * RELIABILITY=long runs the long version. At the end, test/support/reliability-compose-report.ts turns every suite's recorded
 * rows into docs/RELIABILITY.md.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.e2e.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalTeardown: '<rootDir>/test/support/reliability-compose-report.ts',
  testTimeout: 300000,
  maxWorkers: 2,
};
