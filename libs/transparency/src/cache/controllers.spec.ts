import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { AiController } from '../ai/ai.controller';
import { BacktestsController } from '../backtests/backtests.controller';
import { PerformanceController } from '../performance/performance.controller';
import { PortfolioController } from '../positions/portfolio.controller';
import { StatsController } from '../stats/stats.controller';
import { TradesController } from '../trades/trades.controller';
import { CACHE_TTL_SECONDS } from './cache-families';
import { CACHED_READ_KEY, type CachedReadOptions } from './cached-read-options';

const ROOT = join(__dirname, '..');
const CONTROLLERS: Type[] = [
  AiController,
  BacktestsController,
  PerformanceController,
  PortfolioController,
  StatsController,
  TradesController,
];
/** Reads whose answer changes on every call (`api.uptime_seconds`, request counts). */
const UNCACHED_READS = new Set(['StatsController.get']);

function controllerFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? controllerFiles(join(dir, entry.name))
      : entry.name.endsWith('.controller.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

function getHandlers(controller: Type): [string, (...args: unknown[]) => unknown][] {
  const prototype = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype)
    .filter((name) => name !== 'constructor' && typeof prototype[name] === 'function')
    .map((name): [string, (...args: unknown[]) => unknown] => [
      name,
      prototype[name] as (...args: unknown[]) => unknown,
    ])
    .filter(([, handler]) => Reflect.getMetadata(METHOD_METADATA, handler) === RequestMethod.GET);
}

describe('transparency controllers', () => {
  it('return plain data: no @Res/@Response, nothing from Express, no cache calls', () => {
    const files = controllerFiles();
    expect(files.length).toBeGreaterThanOrEqual(CONTROLLERS.length);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      expect({ file, res: /@(Res|Response|Next)\(/.test(source) }).toEqual({ file, res: false });
      expect({ file, express: /from 'express'/.test(source) }).toEqual({ file, express: false });
      expect({ file, cache: /TransparencyCache\b/.test(source) }).toEqual({ file, cache: false });
    }
  });

  it('cache every read but the stats through @CachedRead, with the family TTL and a unique label', () => {
    const labels = new Set<string>();
    let cached = 0;
    for (const controller of CONTROLLERS) {
      for (const [name, handler] of getHandlers(controller)) {
        const options = Reflect.getMetadata(CACHED_READ_KEY, handler) as CachedReadOptions | undefined;
        const id = `${controller.name}.${name}`;
        if (UNCACHED_READS.has(id)) {
          expect({ id, options }).toEqual({ id, options: undefined });
          continue;
        }
        expect({ id, cached: options !== undefined }).toEqual({ id, cached: true });
        expect(options?.ttlSeconds).toBe(CACHE_TTL_SECONDS[options!.family]);
        expect(labels.has(options!.label)).toBe(false);
        labels.add(options!.label);
        cached++;
      }
    }
    expect(cached).toBe(11);
  });
});
