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
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const headers = (styleSrc: string[], fontSrc: string[]): RequestHandler =>
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...common, scriptSrc: ["'self'"], styleSrc, fontSrc } },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS is for an operator's TLS front end to decide; on plain HTTP browsers ignore it anyway
    strictTransportSecurity: false,
  });

export const securityHeaders = headers(["'self'"], ["'self'"]);
/** bull-board's React UI injects its styles at run time. */
export const dashboardSecurityHeaders = headers(["'self'", "'unsafe-inline'"], ["'self'", 'data:']);
