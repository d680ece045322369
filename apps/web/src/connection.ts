import { io, Socket } from 'socket.io-client';
import { ServerEvent } from '@parley/contracts/browser';
import type { Ack } from '@parley/contracts/browser';
import { ClientErrorCode } from './errors';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/**
 * One Socket.io connection per signed-in tab. It recovers by itself: socket.io retries dropped
 * transports, and when the server ends the session (a gateway shutting down sends `server-shutdown`
 * or disconnects us) we reconnect ourselves, since socket.io does not in that case.
 */
export class Connection {
  readonly socket: Socket;
  status: ConnectionStatus = 'connecting';
  private readonly statusListeners = new Set<(s: ConnectionStatus) => void>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    token: string,
    private readonly onAuthFailure: () => void,
  ) {
    this.socket = io({
      auth: { token },
      transports: ['websocket', 'polling'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      randomizationFactor: 0.3,
      timeout: 8000,
    });
    this.socket.on('connect', () => this.set('connected'));
    this.socket.on('disconnect', (reason) => {
      if (this.closed) return;
      this.set(navigator.onLine ? 'reconnecting' : 'offline');
      // socket.io only retries on its own after transport failures, not after a server-side disconnect
      if (reason === 'io server disconnect') this.retrySoon(500);
    });
    this.socket.on('connect_error', (err: Error) => {
      if (this.closed) return;
      if (err.message === 'Authentication error') {
        this.onAuthFailure();
        return;
      }
      this.set(navigator.onLine ? 'reconnecting' : 'offline');
      if (!this.socket.active) this.retrySoon(2000);
    });
    this.socket.on(ServerEvent.ServerShutdown, (p: { reconnect_in_ms?: number }) => {
      this.set('reconnecting');
      this.retrySoon(Math.min(Math.max(Number(p?.reconnect_in_ms) || 500, 200), 10_000));
    });
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('online', this.onOnline);
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  onStatus(fn: (s: ConnectionStatus) => void): () => void {
    this.statusListeners.add(fn);
    fn(this.status);
    return () => this.statusListeners.delete(fn);
  }

  /** Emits with an ack and a timeout; never buffers while disconnected (the caller queues instead). */
  async request<T>(event: string, payload: unknown, timeoutMs = 10_000): Promise<Ack<T>> {
    if (!this.socket.connected) return { ok: false, error: { code: ClientErrorCode.Disconnected, message: 'not connected' } };
    try {
      return (await this.socket.timeout(timeoutMs).emitWithAck(event, payload)) as Ack<T>;
    } catch {
      return { ok: false, error: { code: ClientErrorCode.NoAnswer, message: 'the server did not answer in time' } };
    }
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('online', this.onOnline);
    this.socket.removeAllListeners();
    this.socket.close();
  }

  private readonly onOffline = () => {
    if (!this.socket.connected) this.set('offline');
  };

  private readonly onOnline = () => {
    if (this.socket.connected) return;
    this.set('reconnecting');
    this.retrySoon(100);
  };

  private retrySoon(ms: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed && !this.socket.connected && !this.socket.active) this.socket.connect();
    }, ms);
  }

  private set(status: ConnectionStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.statusListeners.forEach((l) => l(status));
  }
}
