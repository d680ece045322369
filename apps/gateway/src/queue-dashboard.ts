import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { JobProducer } from '@parley/queues';
import { AuthService } from './auth/auth.service';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
const COOKIE = 'parley_admin';

/**
 * bull-board for instructors. A browser opens /admin/queues?token=<instructor JWT> once; the token
 * is then kept in an HttpOnly cookie scoped to the dashboard path. Anyone else gets 401/403.
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
  const guard = async (req: Request, res: Response, next: NextFunction) => {
    const header = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const query = typeof req.query.token === 'string' ? req.query.token : undefined;
    const cookie = cookieValue(req.headers.cookie, COOKIE);
    const token = header ?? query ?? cookie;
    try {
      const user = await auth.verify(token);
      if (user.role !== 'instructor') return void res.status(403).json({ code: 'FORBIDDEN', message: 'instructors only' });
      if (query) res.cookie(COOKIE, query, { httpOnly: true, sameSite: 'strict', path: QUEUE_DASHBOARD_PATH });
      next();
    } catch {
      // a person in a browser gets a page to read with a way on, a script keeps the JSON
      if (req.accepts(['json', 'html']) === 'html') return void res.status(401).type('html').send(SIGN_IN_PAGE);
      res.status(401).json({ code: 'AUTHENTICATION_ERROR', message: 'open /admin/queues?token=<instructor token>' });
    }
  };
  app.use(QUEUE_DASHBOARD_PATH, guard, serverAdapter.getRouter());
}

const SIGN_IN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Queue dashboard: sign in needed · Parley</title></head>
<body><main>
<h1>The queue dashboard is for instructors</h1>
<p>This page needs an instructor's sign-in, and it has none.</p>
<p><a href="/#/login">Sign in to Parley</a>, then open the queue dashboard again.</p>
</main></body></html>
`;

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}
