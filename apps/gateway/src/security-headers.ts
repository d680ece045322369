import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Security headers (helmet): nothing may frame Parley (frame-ancestors 'none' and X-Frame-Options
 * DENY), no MIME sniffing, no referrer. The web client loads only its own bundle and stylesheet and
 * talks to its own origin (fetch and socket.io), so 'self' is all it needs. No
 * upgrade-insecure-requests: a class may run Parley over plain HTTP on a LAN.
 */
const common = {
  defaultSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const headers = (extra: Record<string, string[]>): RequestHandler =>
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...common, scriptSrc: ["'self'"], ...extra } },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS is for an operator's TLS front end to decide; on plain HTTP browsers ignore it anyway
    strictTransportSecurity: false,
  });

export const securityHeaders = headers({ styleSrc: ["'self'"], fontSrc: ["'self'"], baseUri: ["'none'"] });
/**
 * bull-board's UI sets <base href>, injects styles at run time and asks for a web font from Google
 * (left blocked: the browser falls back to a local font, and no third party learns who is looking).
 */
export const dashboardSecurityHeaders = headers({
  styleSrc: ["'self'", "'unsafe-inline'"],
  fontSrc: ["'self'", 'data:'],
  baseUri: ["'self'"],
});
