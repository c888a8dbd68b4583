import { Injectable } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { AppEventBus, type CacheLookupEvent, OnAppEvent, type RateLimitExceededEvent } from './app-events';

@Injectable()
class Listener {
  readonly lookups: CacheLookupEvent[] = [];

  @OnAppEvent('cache.lookup')
  onLookup(event: CacheLookupEvent): void {
    this.lookups.push(event);
  }

  @OnAppEvent('rate_limit.exceeded')
  onExceeded(_event: RateLimitExceededEvent): void {
    throw new Error('a broken subscriber');
  }
}

describe('AppEventBus and @OnAppEvent', () => {
  it('delivers a typed payload to its subscriber and never lets a failing subscriber reach the producer', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot()],
      providers: [AppEventBus, Listener],
    }).compile();
    await moduleRef.init();
    const bus = moduleRef.get(AppEventBus);
    bus.emit('cache.lookup', { route: 'trades', result: 'hit' });
    expect(moduleRef.get(Listener).lookups).toEqual([{ route: 'trades', result: 'hit' }]);
    expect(() => bus.emit('rate_limit.exceeded', { limit: 'burst' })).not.toThrow();
    await moduleRef.close();
  });
});
