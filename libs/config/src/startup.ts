import { ConfigError } from './config';

/**
 * Exit code of a service that cannot start as configured (sysexits' EX_CONFIG): a bad setting, a
 * port in use, Redis missing. `npm start` stops the whole tree on it instead of restarting.
 */
export const EXIT_CANNOT_START = 78;

/** The one line an operator needs for a start-up failure they can fix, or null for a real bug. */
export function startupProblem(e: unknown, port?: number): string | null {
  if (e instanceof ConfigError) return e.message;
  const err = e as NodeJS.ErrnoException;
  const on = port !== undefined ? `port ${port}` : `the port`;
  if (err?.code === 'EADDRINUSE')
    return `Cannot listen on ${on}: another program (perhaps another Parley) is using it. Stop it, or choose another port: PORT=3001 npm start`;
  if (err?.code === 'EACCES') return `Cannot listen on ${on}: not allowed for this user. Choose a port above 1023, e.g. PORT=3000`;
  if (err?.code === 'EADDRNOTAVAIL') return `Cannot listen on HOST: this machine has no such address. Use HOST=0.0.0.0 or HOST=127.0.0.1`;
  return null;
}

/** For a service's main(): one line and EXIT_CANNOT_START for a fixable problem, the stack for anything else. */
export function exitOnStartupError(service: string, e: unknown, port?: number): never {
  const problem = startupProblem(e, port);
  if (problem) {
    console.error(`${service}: ${problem}`);
    process.exit(EXIT_CANNOT_START);
  }
  console.error(`${service} failed to start:`, e);
  process.exit(1);
}
