import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { ADMIN_PASSWORD, ADMIN_USERNAME, AUTH_ENV, login } from './auth-helpers';
import { createTestApp, type TestApp } from './utils/harness';

/**
 * A 5xx is a bug or an outage, never the answer to bad input. This suite walks the live
 * OpenAPI document (`/docs-json`) and sends every documented operation the payloads a
 * hostile client would: deep nesting, prototype-pollution keys, NUL and lone surrogates,
 * huge numbers, wrong types and oversized strings, in bodies, query strings and path ids.
 * Any answer of 500 or more fails, with the request that caused it.
 */

interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}
interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const DEPTH = 5000;
const nested = (open: string, close: string, depth: number, inner = ''): string =>
  open.repeat(depth) + inner + close.repeat(depth);

/** Whole bodies, as raw JSON text. */
const RAW_BODIES: Record<string, string> = {
  'arrays nested 5,000 deep': nested('[', ']', DEPTH),
  'objects nested 5,000 deep': nested('{"a":', '}', DEPTH, '1'),
  'prototype-pollution keys': '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
  'a lone surrogate': '"\\ud800"',
  'a number past double range': '1e309',
  'a bare string': '"x"',
  null: 'null',
  'an empty array': '[]',
  'an empty object': '{}',
};

/** Values put in place of one field, as raw JSON text (some cannot be written by JSON.stringify). */
const RAW_VALUES: Record<string, string> = {
  NUL: '"a\\u0000b"',
  'lone surrogate': '"\\ud800x"',
  'number past double range': '1e309',
  'negative number past double range': '-1e309',
  '30-digit integer': '123456789012345678901234567890',
  'tiny float': '1e-320',
  'nested 100 deep': nested('[', ']', 100),
  'prototype-pollution object': '{"__proto__":{"polluted":true},"constructor":{"prototype":{}}}',
  boolean: 'true',
  null: 'null',
  array: '[1,"a",null,{}]',
  object: '{"x":1}',
  '100,000-char string': JSON.stringify('x'.repeat(100_000)),
};

/** Query and path values, already URL-encoded. */
const URL_VALUES: Record<string, string> = {
  NUL: '%00',
  'invalid UTF-8 (lone surrogate)': '%ED%A0%80',
  'number past double range': '1e309',
  '30-digit integer': '123456789012345678901234567890',
  negative: '-1',
  traversal: '..%2F..%2Fetc%2Fpasswd',
  'percent sign': '%25',
  __proto__: '__proto__',
  '3,000-char string': 'x'.repeat(3000),
};

const SENTINEL = '"__hostile__"';

function resolve(doc: OpenApi, schema: Schema | undefined): Schema {
  let current = schema ?? {};
  for (let i = 0; i < 10 && current.$ref; i++) {
    current = doc.components?.schemas?.[current.$ref.split('/').pop() ?? ''] ?? {};
  }
  const composed = current.allOf?.[0] ?? current.oneOf?.[0] ?? current.anyOf?.[0];
  return composed ? resolve(doc, composed) : current;
}

/** A plausible value for a schema: the base that each mutation changes one field of. */
function sample(doc: OpenApi, raw: Schema | undefined, depth = 0): unknown {
  const schema = resolve(doc, raw);
  if (schema.enum?.length) return schema.enum[0];
  if (schema.type === 'array') return depth > 4 ? [] : [sample(doc, schema.items, depth + 1)];
  if (schema.type === 'object' || (schema.type === undefined && schema.properties)) {
    if (depth > 4) return {};
    return Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([name, prop]) => [name, sample(doc, prop, depth + 1)]),
    );
  }
  if (schema.type === 'integer' || schema.type === 'number') return 1;
  if (schema.type === 'boolean') return false;
  if (schema.format === 'uuid') return randomUUID();
  if (schema.format === 'date-time') return new Date().toISOString();
  return 'BTC-USD';
}

/** Every body that replaces one top-level field (of the first item, for array bodies) by a hostile value. */
function mutatedBodies(base: unknown): Array<[string, string]> {
  const target = Array.isArray(base) ? (base[0] as Record<string, unknown> | undefined) : base;
  if (!target || typeof target !== 'object') return [];
  const bodies: Array<[string, string]> = [];
  for (const field of Object.keys(target)) {
    for (const [kind, raw] of Object.entries(RAW_VALUES)) {
      const copy = { ...(target as Record<string, unknown>), [field]: '__hostile__' };
      const text = JSON.stringify(Array.isArray(base) ? [copy] : copy).replace(SENTINEL, raw);
      bodies.push([`${field} = ${kind}`, text]);
    }
  }
  return bodies;
}

function fillPath(template: string, overrides: Record<string, string> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) =>
    name in overrides ? overrides[name] : name === 'symbol' ? 'BTC-USD' : randomUUID(),
  );
}

describe('hostile input on every documented operation', () => {
  let t: TestApp;
  let server: Server;
  let token: string;
  let doc: OpenApi;

  beforeAll(async () => {
    t = await createTestApp({ env: AUTH_ENV });
    server = t.app.getHttpServer();
    token = (await login(server, ADMIN_USERNAME, ADMIN_PASSWORD)).access_token;
    doc = (await request(server).get('/docs-json').expect(200)).body as OpenApi;
  });
  afterAll(async () => t?.close());

  /** Sends one request; returns a description when the answer is a 5xx. */
  async function send(
    method: string,
    path: string,
    body: string | undefined,
    label: string,
    bearer = token,
  ): Promise<string | undefined> {
    let req = request(server)[method as 'get'](path).set('Authorization', `Bearer ${bearer}`);
    if (body !== undefined) req = req.set('Content-Type', 'application/json').send(body);
    const res = await req;
    return res.status >= 500 ? `${method.toUpperCase()} ${path} [${label}] -> ${res.status}` : undefined;
  }

  /** Logging out revokes the caller's token: each such request gets a fresh one. */
  async function bearerFor(path: string): Promise<string> {
    return /\/auth\/logout$/.test(path) ? (await login(server, ADMIN_USERNAME, ADMIN_PASSWORD)).access_token : token;
  }

  async function runAll(jobs: Array<() => Promise<string | undefined>>): Promise<string[]> {
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const failure = await jobs[next++]();
        if (failure) failures.push(failure);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return failures;
  }

  function operations(): Array<[string, string, Operation]> {
    const ops: Array<[string, string, Operation]> = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) ops.push([method, path, op]);
    }
    return ops;
  }

  it('walks a document with every write route in it', () => {
    const withBodies = operations().filter(([, , op]) => op.requestBody);
    expect(withBodies.length).toBeGreaterThanOrEqual(10);
  });

  it('answers hostile bodies with a 4xx problem, never a 5xx', async () => {
    const jobs: Array<() => Promise<string | undefined>> = [];
    for (const [method, template, op] of operations()) {
      const content = op.requestBody?.content?.['application/json'];
      if (!content) continue;
      const base = sample(doc, content.schema);
      const bodies: Array<[string, string]> = [...Object.entries(RAW_BODIES), ...mutatedBodies(base)];
      for (const [label, body] of bodies) {
        jobs.push(async () => send(method, fillPath(template), body, label, await bearerFor(template)));
      }
    }
    expect(jobs.length).toBeGreaterThan(500);
    expect(await runAll(jobs)).toEqual([]);
  }, 180_000);

  it('answers hostile query values and path ids with a 4xx, never a 5xx', async () => {
    const jobs: Array<() => Promise<string | undefined>> = [];
    for (const [method, template, op] of operations()) {
      if (/\/auth\/logout$/.test(template)) continue;
      const params = op.parameters ?? [];
      for (const [label, value] of Object.entries(URL_VALUES)) {
        for (const param of params.filter((p) => p.in === 'query')) {
          jobs.push(() =>
            send(method, `${fillPath(template)}?${param.name}=${value}`, undefined, `${param.name} = ${label}`),
          );
        }
        for (const param of params.filter((p) => p.in === 'path')) {
          jobs.push(() =>
            send(method, fillPath(template, { [param.name]: value }), undefined, `${param.name} = ${label}`),
          );
        }
        // Duplicated and pollution-shaped parameter names on every GET.
        if (method === 'get') {
          jobs.push(() =>
            send(method, `${fillPath(template)}?__proto__[x]=${value}`, undefined, `__proto__ = ${label}`),
          );
        }
      }
      for (const param of params.filter((p) => p.in === 'query')) {
        jobs.push(() => send(method, `${fillPath(template)}?${param.name}=1&${param.name}=2`, undefined, 'repeated'));
      }
    }
    expect(jobs.length).toBeGreaterThan(100);
    expect(await runAll(jobs)).toEqual([]);
  }, 120_000);
});
