import { Injectable } from '@nestjs/common';

/**
 * Process-wide lifecycle state: set when SIGTERM arrives, so readiness reports 503 and the
 * load balancer drains this replica while in-flight requests finish.
 */
@Injectable()
export class AppLifecycle {
  private draining = false;

  get shuttingDown(): boolean {
    return this.draining;
  }

  beginShutdown(): void {
    this.draining = true;
  }
}
