import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  type CacheLookupEvent,
  OnAppEvent,
  type RateLimitExceededEvent,
  type SecurityEvent,
  type TokenValidatedEvent,
} from '@app/common';
import { AppConfig } from '@app/config';
import { RequestObserver, UNMATCHED_ROUTE } from '@app/observability';
import { collectDefaultMetrics, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { instrumentDataSource } from './db-metrics';
import { recordRequest } from './http-metrics';
import { getOrCreateCounter, getOrCreateGauge } from './registry';
import { API_VERSION } from './version';

/** Free-form label values from events are cut to a known shape so a bug cannot explode cardinality. */
function boundedLabel(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,40}$/.test(value) ? value : fallback;
}

/** An event counter with one label: its help text and label name. */
const eventCounter = <L extends string>(name: string, help: string, label: L) =>
  getOrCreateCounter({ name, help, labelNames: [label] as const });

const authAttempts = eventCounter(
  'auth_attempts_total',
  'Password logins by result (success, failure, lockout).',
  'result',
);
const tokenValidations = eventCounter(
  'auth_token_validations_total',
  'Bearer token verifications by result.',
  'result',
);
const cacheHits = eventCounter('cache_hits_total', 'Response-cache hits by route template.', 'route');
const cacheMisses = eventCounter('cache_misses_total', 'Response-cache misses by route template.', 'route');
const rateLimited = eventCounter(
  'rate_limit_exceeded_total',
  'Requests refused with 429, by the limit that was exceeded.',
  'limit',
);
const apiInfo = getOrCreateGauge({
  name: 'api_info',
  help: 'Always 1; the labels name the running version and environment.',
  labelNames: ['version', 'environment'] as const,
});

const LOGIN_RESULTS: Partial<Record<SecurityEvent['type'], string>> = {
  'login.success': 'success',
  'login.failure': 'failure',
  'login.lockout': 'lockout',
};

/** Feeds the metrics of docs/observability.md from the request hook, the event bus and the DataSource. */
@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  private detachDataSource?: () => void;

  constructor(
    private readonly config: AppConfig,
    private readonly observer: RequestObserver,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    // Process metrics are process-wide: registered once, whatever the number of app instances.
    if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
    apiInfo.set({ version: API_VERSION, environment: this.config.nodeEnv }, 1);
    this.observer.onRequestCompleted(recordRequest);
    this.detachDataSource = instrumentDataSource(this.dataSource);
  }

  onModuleDestroy(): void {
    this.detachDataSource?.();
  }

  @OnAppEvent('security.event')
  onSecurityEvent(event: SecurityEvent): void {
    const result = LOGIN_RESULTS[event.type];
    if (result) authAttempts.inc({ result });
  }

  @OnAppEvent('auth.token.validated')
  onTokenValidated(event: TokenValidatedEvent): void {
    tokenValidations.inc({ result: boundedLabel(event?.result, 'other') });
  }

  @OnAppEvent('cache.lookup')
  onCacheLookup(event: CacheLookupEvent): void {
    const route = boundedRoute(event?.route);
    if (event?.result === 'hit') cacheHits.inc({ route });
    else if (event?.result === 'miss') cacheMisses.inc({ route });
  }

  @OnAppEvent('rate_limit.exceeded')
  onRateLimitExceeded(event: RateLimitExceededEvent): void {
    rateLimited.inc({ limit: boundedLabel(event?.limit, 'other') });
  }
}

/** A route template (`/api/v1/trades/:id`) or cache family name (`ai.decisions`), else one shared label. */
function boundedRoute(route: unknown): string {
  return typeof route === 'string' && /^[A-Za-z0-9_.:/-]{1,120}$/.test(route) ? route : UNMATCHED_ROUTE;
}
