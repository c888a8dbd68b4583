import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { SecurityEvents } from './events/security-events';
import { AppLifecycle } from './lifecycle/app-lifecycle.service';

@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: true })],
  providers: [AppLifecycle, SecurityEvents],
  exports: [AppLifecycle, SecurityEvents],
})
export class CommonModule {}
