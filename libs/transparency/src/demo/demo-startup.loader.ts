import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DemoDataService } from './demo-data.service';

/** API only: the CLI seeds on request (`seed-demo`), never as a side effect of booting. */
@Injectable()
export class DemoStartupLoader implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly demo: DemoDataService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.demoData) await this.demo.loadIfEmpty();
  }
}
