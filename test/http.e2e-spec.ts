import { Controller, Get, Post, Query, Body } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min } from 'class-validator';
import request from 'supertest';
import { Public } from '@app/common';
import { createTestApp, type TestApp } from './utils/harness';

class EchoDto {
  @IsString() name!: string;
  @IsInt() @Min(1) @Max(10) count!: number;
}

class PageQuery {
  @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 50;
}

/** Test-only routes: the foundation has no business routes yet, these exercise the shared stack. */
@Public()
@Controller('probe')
class ProbeController {
  @Post('echo')
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }

  @Get('page')
  page(@Query() query: PageQuery): PageQuery {
    return query;
  }

  @Get('boom')
  boom(): never {
    throw new Error('SELECT secret FROM users WHERE password = hunter2 at /srv/app/dist/x.js:1:2');
  }
}

const PROBLEM = /^application\/problem\+json/;

describe('HTTP conventions', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    // The suite fires many requests a second from one IP; rate limiting has its own suite.
    t = await createTestApp({
      redis: false,
      extraControllers: [ProbeController],
      env: { RATE_LIMIT_ENABLED: 'false' },
    });
    http = request(t.app.getHttpServer());
  });
  afterAll(async () => t?.close());

  it('puts business routes under /api/v1 and answers an unknown route with a 404 problem carrying the request id', async () => {
    const res = await http.get('/api/v1/does-not-exist').expect(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      instance: '/api/v1/does-not-exist',
    });
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
    expect(res.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    await http.post('/api/v1/probe/echo').send({ name: 'a', count: 1 }).expect(201);
    await http.post('/probe/echo').send({ name: 'a', count: 1 }).expect(404);
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one with a UUID', async () => {
    const kept = await http.get('/health/live').set('X-Request-Id', 'trace-1.2:3_x').expect(200);
    expect(kept.headers['x-request-id']).toBe('trace-1.2:3_x');
    for (const bad of ['has space', 'x'.repeat(129), 'semi;colon', '<script>']) {
      const res = await http.get('/api/v1/nowhere').set('X-Request-Id', bad).expect(404);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.request_id).toBe(res.headers['x-request-id']);
    }
  });

  it('refuses malformed JSON with 400 problem+json', async () => {
    const res = await http
      .post('/api/v1/probe/echo')
      .set('Content-Type', 'application/json')
      .send('{"name": "a",')
      .expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('refuses a 1 MiB body with 413, before parsing it', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024), count: 1 });
    const res = await http.post('/api/v1/probe/echo').set('Content-Type', 'application/json').send(big).expect(413);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.detail).toContain(String(256 * 1024));
  });

  it('answers an anonymous caller of an ingest route 401 without reading its body, whatever its size', async () => {
    // INGEST_BODY_LIMIT is for transparency:write callers only (test/request-path.e2e-spec.ts).
    for (const size of [1024 * 1024, 5 * 1024 * 1024]) {
      const body = JSON.stringify([{ filler: 'x'.repeat(size) }]);
      await http.post('/api/v1/trades').set('Content-Type', 'application/json').send(body).expect(401);
    }
  });

  it('refuses a text/plain (or form) body with 415 instead of treating it as empty', async () => {
    const plain = await http.post('/api/v1/probe/echo').set('Content-Type', 'text/plain').send('name=a').expect(415);
    expect(plain.headers['content-type']).toMatch(PROBLEM);
    await http.post('/api/v1/probe/echo').type('form').send({ name: 'a', count: '1' }).expect(415);
    await http
      .post('/api/v1/probe/echo')
      .set('Content-Type', 'application/merge-patch+json')
      .send('{"name":"a","count":2}')
      .expect(201);
  });

  it('answers validation failures with 422 and one entry per field', async () => {
    const res = await http.post('/api/v1/probe/echo').send({ name: 5, count: 0, extra: true }).expect(422);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.status).toBe(422);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['count', 'extra', 'name']));
    await http.post('/api/v1/probe/echo').send([]).expect(422);
    await http.post('/api/v1/probe/echo').send({}).expect(422);
  });

  it('validates and converts query strings, and refuses unknown query parameters with 422', async () => {
    expect((await http.get('/api/v1/probe/page?limit=20').expect(200)).body).toEqual({ limit: 20 });
    expect((await http.get('/api/v1/probe/page').expect(200)).body).toEqual({ limit: 50 });
    for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'limit=5&sort=x']) {
      const res = await http.get(`/api/v1/probe/page?${bad}`).expect(422);
      expect(res.headers['content-type']).toMatch(PROBLEM);
    }
    const onProbe = await http.get('/health/live?verbose=1').expect(422);
    expect(onProbe.body.errors).toEqual([{ field: 'verbose', message: 'is not a recognised query parameter' }]);
  });

  it('hides the cause of an unexpected error: no stack, SQL, secret or path in the body', async () => {
    const res = await http.get('/api/v1/probe/boom').expect(500);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred.',
      instance: '/api/v1/probe/boom',
      request_id: res.headers['x-request-id'],
    });
  });

  it('never answers bad input with a 5xx', async () => {
    const attempts = [
      http.post('/api/v1/probe/echo').set('Content-Type', 'application/json').send('\u0000\u0001'),
      http.post('/api/v1/probe/echo').set('Content-Type', 'application/json; charset=latin-9').send('{}'),
      http.post('/api/v1/probe/echo').set('Content-Type', 'application/json').send('"just a string"'),
      http.post('/api/v1/probe/echo').send({ name: { $ne: 1 }, count: '1e400' }),
      http.get('/api/v1/probe/page?limit[]=1&limit[]=2'),
      http.get('/api/v1/%E0%A4%A'),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(PROBLEM);
    }
  });

  it('sets baseline security headers and no X-Powered-By', async () => {
    const res = await http.get('/health/live').expect(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('serves the OpenAPI 3 document at /docs-json and Swagger UI from local assets at /docs', async () => {
    const doc = await http.get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready', '/health']));
    const ui = await http.get('/docs/').expect(200);
    expect(ui.text).toContain('swagger-ui');
    expect(ui.text).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
    await http.get('/docs/swagger-ui-bundle.js').expect(200);
  });
});
