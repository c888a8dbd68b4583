import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TokensService } from './tokens.service';

const PRUNE_INTERVAL_MS = 10 * 60_000;

/** Drops the metadata of long-expired login tokens and refresh tokens, so the tables stay small. */
@Injectable()
export class TokenMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TokenMaintenance');
  private timer?: NodeJS.Timeout;

  constructor(private readonly tokens: TokensService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.tokens.pruneExpired().catch((error: Error) => this.logger.warn(`Pruning tokens failed: ${error.message}`));
    }, PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
