import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';

/** The event name every security event is emitted under (subscribe with `@OnEvent(SECURITY_EVENT)`). */
export const SECURITY_EVENT = 'security.event';

/** The security events that become audit records (docs/observability.md). */
export type SecurityEventType =
  | 'login.success'
  | 'login.failure'
  | 'login.lockout'
  | 'token.issued'
  | 'token.refreshed'
  | 'token.revoked'
  | 'token.refresh_reuse'
  | 'scope.denied'
  | 'user.created'
  | 'user.updated';

export interface SecurityEvent {
  type: SecurityEventType;
  /** Who acted: a username or token subject; `anonymous` when unknown. */
  actor: string;
  /** The `jti` involved, if any (never the token itself). */
  tokenId?: string;
  ip?: string;
  requestId?: string;
  /** Extra facts, free of secrets (no passwords, tokens or Authorization values). */
  detail?: Record<string, unknown>;
  occurredAt: Date;
}

/**
 * The security-event bus (identity publishes, audit persists). Publishing never throws and
 * never waits for subscribers: a slow or failing audit must not fail a login.
 */
@Injectable()
export class SecurityEvents {
  constructor(private readonly emitter: EventEmitter2) {}

  publish(event: Omit<SecurityEvent, 'occurredAt'> & { occurredAt?: Date }): void {
    const complete: SecurityEvent = { ...event, occurredAt: event.occurredAt ?? new Date() };
    try {
      this.emitter.emit(SECURITY_EVENT, complete);
    } catch {
      // A subscriber's synchronous failure is the subscriber's problem, not the caller's.
    }
  }
}
