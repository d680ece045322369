/**
 * The cluster test (test/cluster): gateways and workers as separate processes from dist/, so run it
 * after `npm run build` (npm run test:cluster does both). One file at a time: it starts six processes.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.e2e.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 120000,
  maxWorkers: 1,
};
