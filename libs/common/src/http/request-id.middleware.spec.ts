import type { Request, Response } from 'express';
import { requestIdMiddleware } from './request-id.middleware';

function run(offered?: string): { id: string; header: string | undefined } {
  const req = { headers: offered === undefined ? {} : { 'x-request-id': offered } } as unknown as Request;
  const headers: Record<string, string> = {};
  const res = { setHeader: (name: string, value: string) => (headers[name] = value) } as unknown as Response;
  requestIdMiddleware(req, res, () => undefined);
  return { id: req.requestId, header: headers['X-Request-Id'] };
}

describe('requestIdMiddleware', () => {
  it('keeps a caller id of 1-128 chars of [A-Za-z0-9._:-]', () => {
    for (const id of ['a', 'req-1.2:3_4', 'x'.repeat(128)]) expect(run(id)).toEqual({ id, header: id });
  });

  it('replaces a missing, empty, too long or unsafe id with a fresh UUID', () => {
    const seen = new Set<string>();
    for (const offered of [undefined, '', 'x'.repeat(129), 'a b', 'a\nb', '../etc', '{}']) {
      const { id, header } = run(offered);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(header).toBe(id);
      seen.add(id);
    }
    expect(seen.size).toBe(7);
  });
});
