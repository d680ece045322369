/** The browser suite (test/browser): real gateway + workers in-process, Debian Chromium via playwright-core. */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.e2e.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/support/browser-global-setup.ts',
  testTimeout: 90000,
  // one Chromium at a time: the machine has 2 cores
  maxWorkers: 1,
};
