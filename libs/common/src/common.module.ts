import { Global, Module } from '@nestjs/common';
import { AppLifecycle } from './lifecycle/app-lifecycle.service';

@Global()
@Module({
  providers: [AppLifecycle],
  exports: [AppLifecycle],
})
export class CommonModule {}
