import { io, Socket } from 'socket.io-client';
import { DataPaths, TeamStore, hashPassword } from '@parley/store';
import type { ParleyConfig } from '@parley/config';
import type { Holdings } from '@parley/contracts';

/** Adds a team straight into DATA_DIR, as `parley users add` does. */
export async function addTeam(
  config: ParleyConfig,
  email: string,
  opts: { role?: 'student' | 'instructor'; password?: string; holdings?: Holdings; name?: string } = {},
) {
  const teams = new TeamStore(new DataPaths(config.dataDir));
  return teams.create({
    email,
    name: opts.name ?? email.split('@')[0],
    role: opts.role ?? 'student',
    password_hash: await hashPassword(opts.password ?? 'password1'),
    holdings: opts.holdings,
  });
}

export async function http<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T };
}

export async function login(base: string, email: string, password = 'password1'): Promise<string> {
  const res = await http<{ accessToken: string }>(base, 'POST', '/auth/login', { email, password });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

/**
 * A class session its instructor creates over HTTP: a peer role-play of used-car unless `fields` say
 * otherwise. Throws unless the gateway answers 201, so a test goes on only with a session that exists.
 */
export async function createSession(
  base: string,
  token: string,
  fields: { title: string; round_seconds: number; [field: string]: unknown },
): Promise<any> {
  const res = await http(base, 'POST', '/api/sessions', { mode: 'peer', scenario_ids: ['used-car'], ...fields }, token);
  if (res.status !== 201) throw new Error(`creating session "${fields.title}" failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A connected socket.io client, or the connect_error message. */
export function connect(base: string, token?: string, opts: Record<string, unknown> = {}): Promise<Socket> {
  const socket = io(base, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true, ...opts });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timeout')), 5000);
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

/** The next `event` that satisfies `match`, within `ms`. */
export function waitFor<T = any>(socket: Socket, event: string, match: (p: T) => boolean = () => true, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const handler = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(payload);
    };
    socket.on(event, handler);
  });
}

/** Collects every `event` payload until stopped. */
export function collect<T = any>(socket: Socket, event: string): T[] {
  const got: T[] = [];
  socket.on(event, (p: T) => got.push(p));
  return got;
}

export function emitAck<T = any>(socket: Socket, event: string, payload: unknown, ms = 5000): Promise<T> {
  return socket.timeout(ms).emitWithAck(event, payload) as Promise<T>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
