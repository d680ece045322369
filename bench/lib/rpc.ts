import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

/**
 * Request/response over the IPC channel of a forked child: the benchmark's servers and load
 * generators run in their own processes so one's CPU does not distort the other's timing.
 */
export type Handlers = Record<string, (args: any) => unknown>;

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}
type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** In the child: answer requests with `handlers`; `shutdown` runs `onShutdown` and exits. */
export function serve(handlers: Handlers, onShutdown: () => Promise<void> = async () => undefined): void {
  // looked up at each request, so a handler may add others (e.g. stats of what it started)
  const builtins: Handlers = {
    ping: () => 'pong',
    cpu: () => process.cpuUsage(),
    memory: (args: { gc?: boolean }) => {
      const g = (globalThis as { gc?: () => void }).gc;
      if (args?.gc && g) {
        g();
        g();
      }
      return process.memoryUsage();
    },
  };
  process.on('message', async (msg: Request) => {
    if (!msg || typeof msg.id !== 'number') return;
    if (msg.cmd === 'shutdown') {
      const stop = setTimeout(() => process.exit(0), 15_000);
      stop.unref();
      await onShutdown().catch(() => undefined);
      process.send?.({ id: msg.id, ok: true, result: null }, () => process.exit(0));
      return;
    }
    let reply: Response;
    try {
      const fn = handlers[msg.cmd] ?? builtins[msg.cmd];
      if (!fn) throw new Error(`unknown command ${msg.cmd}`);
      reply = { id: msg.id, ok: true, result: await fn(msg.args) };
    } catch (e) {
      reply = { id: msg.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    process.send?.(reply);
  });
  // the parent died or closed the channel: never linger
  process.on('disconnect', () => process.exit(0));
}

/** The child scripts under bench/children/. */
export type ChildScript = 'server' | 'clients' | 'soak-clients';

/** In the parent: one forked child and its requests. */
export class Child {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private exited = false;

  private constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.on('message', (msg: Response) => {
      const p = this.pending.get(msg?.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`${name}: ${msg.error}`));
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`${name} exited (${code ?? signal}) with a request pending`));
      }
      this.pending.clear();
    });
  }

  /** Forks `bench/children/<script>.js` (compiled; `build`: another checkout's dist-bench/bench) with its own V8 flags. */
  static start(script: ChildScript, name: string, opts: { execArgv?: string[]; env?: Record<string, string>; build?: string } = {}): Child {
    const proc = fork(join(opts.build ?? join(__dirname, '..'), 'children', `${script}.js`), [name], {
      execArgv: opts.execArgv ?? [],
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Child(name, proc);
  }

  call<T = any>(cmd: string, args: unknown = {}, timeoutMs = 180_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.proc.send({ id, cmd, args } satisfies Request);
    });
  }

  /** Asks the child to close what it started; kills it (by its pid) if it does not exit in time. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    await this.call('shutdown', {}, 20_000).catch(() => undefined);
    const timer = setTimeout(() => {
      if (!this.exited) this.proc.kill('SIGKILL');
    }, 5_000);
    await exited;
    clearTimeout(timer);
  }
}
