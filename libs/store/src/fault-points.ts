/**
 * Crash points for fault-injection tests: with PARLEY_TEST_CRASH_AT=<name> in its environment, a
 * process kills itself (SIGKILL, no cleanup) when it reaches that point. Unset in every real deployment.
 */
export function crashPoint(name: string): void {
  if (process.env.PARLEY_TEST_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
