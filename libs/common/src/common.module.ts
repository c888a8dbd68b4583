import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AppEventBus } from './events/app-events';
import { SecurityEvents } from './events/security-events';
import { AppLifecycle } from './lifecycle/app-lifecycle.service';

@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: true })],
  providers: [AppLifecycle, AppEventBus, SecurityEvents],
  exports: [AppLifecycle, AppEventBus, SecurityEvents],
})
export class CommonModule {}
