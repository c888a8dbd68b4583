// Fields this API attaches to every Express request.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The caller's X-Request-Id when well-formed, else a fresh UUID (docs/api-guide.md). */
      requestId: string;
    }
  }
}

export {};
