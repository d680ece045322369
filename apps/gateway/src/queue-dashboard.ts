import { randomBytes } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type IORedis from 'ioredis';
import { CONFIG, type ParleyConfig } from '@parley/config';
import { JobProducer, REDIS } from '@parley/queues';
import { TeamStore } from '@parley/store';
import { AuthService } from './auth/auth.service';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
export const QUEUE_SESSION_PATH = `${QUEUE_DASHBOARD_PATH}/session`;
const COOKIE = 'parley_admin';
const SESSION_S = 2 * 3600;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * bull-board for instructors. An instructor's client POSTs /admin/queues/session with its Bearer
 * token and gets a session cookie (opaque id kept in Redis; HttpOnly, SameSite=Strict, Secure over
 * HTTPS, scoped to the dashboard path) — no token ever travels in a URL. Every request re-reads the
 * user's role, so a demoted instructor's session stops working at once. Anyone else gets 401/403.
 */
export function mountQueueDashboard(app: NestExpressApplication): void {
  const producer = app.get(JobProducer);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(producer.aiResponse), new BullMQAdapter(producer.agreementCheck)],
    serverAdapter,
  });
  const auth = app.get(AuthService);
  const redis = app.get<IORedis>(REDIS);
  const teams = app.get(TeamStore);
  const { redisPrefix } = app.get<ParleyConfig>(CONFIG);
  const sessionKey = (id: string) => `${redisPrefix}:admin-session:${id}`;

  const instructorOnly = async (token: string | undefined, res: Response): Promise<string | null> => {
    try {
      const user = await auth.verify(token);
      if (user.role === 'instructor') return user.email;
      res.status(403).json({ code: 'FORBIDDEN', message: 'instructors only' });
    } catch {
      res.status(401).json({ code: 'AUTHENTICATION_ERROR', message: `POST ${QUEUE_SESSION_PATH} with an instructor's Bearer token first` });
    }
    return null;
  };

  const openSession = async (req: Request, res: Response) => {
    const email = await instructorOnly(bearer(req), res);
    if (!email) return;
    const id = randomBytes(32).toString('base64url');
    await redis.set(sessionKey(id), email, 'EX', SESSION_S);
    res.cookie(COOKIE, id, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: QUEUE_DASHBOARD_PATH,
      maxAge: SESSION_S * 1000,
    });
    res.status(204).end();
  };

  const closeSession = async (req: Request, res: Response) => {
    const id = cookieValue(req.headers.cookie, COOKIE);
    if (id && SESSION_ID.test(id)) await redis.del(sessionKey(id));
    res.clearCookie(COOKIE, { path: QUEUE_DASHBOARD_PATH, httpOnly: true, sameSite: 'strict', secure: req.secure });
    res.status(204).end();
  };

  const guard = async (req: Request, res: Response, next: NextFunction) => {
    const header = bearer(req);
    if (header) return void ((await instructorOnly(header, res)) && next());
    const id = cookieValue(req.headers.cookie, COOKIE);
    const email = id && SESSION_ID.test(id) ? await redis.get(sessionKey(id)) : null;
    if (!email) {
      // a person in a browser gets a page to read with a way on, a script keeps the JSON
      if (req.accepts(['json', 'html']) === 'html') return void res.status(401).type('html').send(SIGN_IN_PAGE);
      return void res
        .status(401)
        .json({ code: 'AUTHENTICATION_ERROR', message: `POST ${QUEUE_SESSION_PATH} with an instructor's Bearer token first` });
    }
    const team = await teams.read(email);
    if (team?.role !== 'instructor') return void res.status(403).json({ code: 'FORBIDDEN', message: 'instructors only' });
    next();
  };

  const route = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
    void fn(req, res).catch(next);
  app.use(QUEUE_SESSION_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'POST') return route(openSession)(req, res, next);
    if (req.method === 'DELETE') return route(closeSession)(req, res, next);
    next();
  });
  app.use(
    QUEUE_DASHBOARD_PATH,
    (req: Request, res: Response, next: NextFunction) => void guard(req, res, next).catch(next),
    serverAdapter.getRouter(),
  );
}

function bearer(req: Request): string | undefined {
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
}

const SIGN_IN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Queue dashboard: sign in needed · Parley</title></head>
<body><main>
<h1>The queue dashboard is for instructors</h1>
<p>This page needs an instructor's sign-in, and it has none.</p>
<p><a href="/#/login">Sign in to Parley</a> as an instructor, then open it with the “Job queues” button on the dashboard.</p>
</main></body></html>
`;

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) {
      try {
        return decodeURIComponent(v.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
