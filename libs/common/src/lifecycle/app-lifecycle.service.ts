import { Injectable } from '@nestjs/common';

/**
 * Process-wide lifecycle state: set when SIGTERM arrives, so readiness reports 503 and the
 * load balancer drains this replica while in-flight requests finish. Long-lived responses (the
 * live stream) subscribe with `onShutdown`: they end at the signal, not after the drain, or they
 * would hold the listener open for the whole shutdown budget.
 */
@Injectable()
export class AppLifecycle {
  private draining = false;
  private readonly listeners: Array<() => void> = [];

  get shuttingDown(): boolean {
    return this.draining;
  }

  onShutdown(listener: () => void): void {
    this.listeners.push(listener);
  }

  beginShutdown(): void {
    if (this.draining) return;
    this.draining = true;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // One subscriber's failure must not stop the others from ending their work.
      }
    }
  }
}
