import { io, Socket } from 'socket.io-client';

/** Real socket.io clients (websocket transport) as the benchmark's load generators use them. */
export function connect(url: string, token: string, timeoutMs = 15_000): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: timeoutMs });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('connect timeout'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
  });
}

export type AckReply = { ok: boolean; data?: any; error?: { code: string; message: string } };
export const emitAck = (s: Socket, event: string, payload: unknown, ms = 10_000) =>
  s.timeout(ms).emitWithAck(event, payload) as Promise<AckReply>;
