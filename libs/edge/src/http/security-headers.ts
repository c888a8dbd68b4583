import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { requestKind } from '@app/common';

const common = {
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
  // One year, subdomains included; browsers only honour it over HTTPS.
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
};

type HeaderValue = string | number | readonly string[];

/**
 * helmet's headers depend only on its options (no nonces, nothing per request), yet it runs a
 * dozen middlewares per response. Run it once against a recording response at start-up and
 * replay the recorded header list per request. Falls back to helmet itself should a future
 * version not finish synchronously.
 */
export function precomputed(middleware: RequestHandler): RequestHandler {
  const set: [string, HeaderValue][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: HeaderValue) {
      set.push([name, value]);
      return recorder;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
    getHeader: () => undefined,
  };
  let finished = false;
  let failed = false;
  void middleware(
    { method: 'GET', url: '/', headers: {} } as Request,
    recorder as unknown as Response,
    (error?: unknown) => {
      finished = true;
      failed = error !== undefined;
    },
  );
  if (!finished || failed) return middleware;
  return (_req: Request, res: Response, next: NextFunction): void => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}

/**
 * The API answers JSON only, so its responses may load nothing and be framed by no one.
 * helmet's headers for old browsers' document features are left out of JSON answers: DNS
 * prefetching, IE8's download prompt, Flash/PDF cross-domain policies, the retired XSS
 * auditor and origin-keyed agent clusters concern HTML pages (the docs keep them). Each header
 * is work on every response (about 1.3 µs to set, and bytes on the wire).
 */
const API_HELMET_OPTIONS = {
  ...common,
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'same-origin' as const },
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  originAgentCluster: false,
};

const apiHelmet = precomputed(helmet(API_HELMET_OPTIONS));

/**
 * Swagger UI runs scripts and styles from our own origin (swagger-ui-dist through
 * @nestjs/swagger), nothing remote. Its styles set inline `style` attributes, hence
 * 'unsafe-inline' for styles only; scripts stay 'self'. It fetches /docs-json (connect 'self').
 */
const docsHelmet = precomputed(
  helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
      },
    },
  }),
);

/**
 * helmet with the policy that fits the route: strict for the API, Swagger-compatible for the
 * docs (as the shared classifier spells them: `/DOCS/` is the docs too, as Express routes it).
 */
export const securityHeaders: RequestHandler = (req: Request, res: Response, next: NextFunction): void => {
  (requestKind(req) === 'docs' ? docsHelmet : apiHelmet)(req, res, next);
};
