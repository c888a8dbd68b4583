export { DemoDataService, type SeedReport } from './demo/demo-data.service';
export { generateDemoData } from './demo/demo-generator';
export { CacheControlGuard } from './cache/cache-control.guard';
export { L1_TTL_MS } from './cache/transparency-cache.service';
export { CACHE_LOOKUP_EVENT, type CacheLookupEvent } from './cache/cache-families';
export { TRANSPARENCY_ENTITIES } from './shared/entities';
export { TransparencyCliModule, TransparencyModule } from './transparency.module';
