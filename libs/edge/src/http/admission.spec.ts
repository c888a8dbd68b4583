import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import express, { type Request } from 'express';
import { admissionControl, type ConnectionStormPolicy } from './admission';

/** An app whose `/work/:id` answers only when the test releases that id. */
function app(limit: number, maxQueued: number, storm?: ConnectionStormPolicy) {
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const admission = admissionControl(limit, maxQueued, (req: Request) => req.path === '/health', storm);
  const server = express()
    .use(admission)
    .get('/health', (_req, res) => void res.json({ status: 'ok' }))
    .get('/work/:id', (req, res) => {
      started.push(req.params.id);
      releases.set(req.params.id, () => res.json({ id: req.params.id }));
    })
    .listen(0, '127.0.0.1');
  server.on('connection', admission.connectionAccepted);
  return { server, started, releases, admission };
}

function get(server: Server, path: string): { done: Promise<{ status: number; body: string }>; abort: () => void } {
  const { port } = server.address() as AddressInfo;
  const req = httpRequest({ host: '127.0.0.1', port, path, agent: false });
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  req.end();
  return { done, abort: () => req.destroy() };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('admissionControl', () => {
  it('works on at most `limit` requests at once and admits the others in arrival order', async () => {
    const { server, started, releases, admission } = app(2, 100);
    try {
      await once(server, 'listening');
      const calls = ['a', 'b', 'c', 'd'].map((id) => get(server, `/work/${id}`));
      await until(() => started.length === 2 && admission.queued === 2);
      expect(started.sort()).toEqual(['a', 'b']);
      // A probe never waits, and takes no place.
      expect((await get(server, '/health').done).status).toBe(200);
      releases.get('b')?.();
      await until(() => started.length === 3);
      expect(started[2]).toBe('c');
      releases.get('a')?.();
      await until(() => started.length === 4);
      releases.get('c')?.();
      releases.get('d')?.();
      const answers = await Promise.all(calls.map((c) => c.done));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(admission.active).toBe(0);
    } finally {
      server.close();
    }
  });

  it('drops a request whose client left while it waited, and frees the place of one that left while served', async () => {
    const { server, started, releases, admission } = app(1, 100);
    try {
      await once(server, 'listening');
      const first = get(server, '/work/first');
      first.done.catch(() => undefined);
      await until(() => started.length === 1);
      const leaver = get(server, '/work/leaver');
      leaver.done.catch(() => undefined);
      const last = get(server, '/work/last');
      await until(() => admission.queued === 2);
      leaver.abort();
      await new Promise((r) => setTimeout(r, 20));
      first.abort();
      await until(() => started.length === 2);
      expect(started).toEqual(['first', 'last']);
      releases.get('last')?.();
      expect((await last.done).status).toBe(200);
      await until(() => admission.active === 0);
    } finally {
      server.close();
    }
  });

  it('refuses with a 503 problem and Retry-After once the line is full', async () => {
    const { server, started, releases } = app(1, 1);
    try {
      await once(server, 'listening');
      const busy = get(server, '/work/busy');
      await until(() => started.length === 1);
      const queued = get(server, '/work/queued');
      await new Promise((r) => setTimeout(r, 20));
      const refused = await get(server, '/work/refused').done;
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({ status: 503 });
      releases.get('busy')?.();
      await until(() => started.length === 2);
      releases.get('queued')?.();
      expect((await busy.done).status).toBe(200);
      expect((await queued.done).status).toBe(200);
    } finally {
      server.close();
    }
  });

  it('works on fewer requests while new connections arrive in a burst, and on its limit again after', async () => {
    const storm: ConnectionStormPolicy = { limit: 1, connections: 5, windowMs: 5000, holdMs: 1000 };
    const { server, started, releases, admission } = app(3, 100, storm);
    const sockets: Socket[] = [];
    try {
      await once(server, 'listening');
      expect(admission.limit).toBe(3);
      const { port } = server.address() as AddressInfo;
      for (let i = 0; i < 5; i++) sockets.push(connect(port, '127.0.0.1'));
      await until(() => admission.limit === 1);
      const calls = ['a', 'b', 'c'].map((id) => get(server, `/work/${id}`));
      await until(() => started.length === 1 && admission.queued === 2);
      // The burst is over: after the hold the limit returns, and the waiting requests start.
      await new Promise((r) => setTimeout(r, storm.holdMs));
      await until(() => admission.limit === 3 && started.length === 3);
      for (const id of ['a', 'b', 'c']) releases.get(id)?.();
      const answers = await Promise.all(calls.map((c) => c.done));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('keeps its limit when connections arrive one by one', async () => {
    const storm: ConnectionStormPolicy = { limit: 1, connections: 5, windowMs: 50, holdMs: 300 };
    const { server, started, releases, admission } = app(2, 100, storm);
    try {
      await once(server, 'listening');
      for (const id of ['a', 'b', 'c', 'd']) {
        const call = get(server, `/work/${id}`);
        await until(() => started.includes(id));
        expect(admission.limit).toBe(2);
        releases.get(id)?.();
        expect((await call.done).status).toBe(200);
        await new Promise((r) => setTimeout(r, 60));
      }
    } finally {
      server.close();
    }
  });
});
