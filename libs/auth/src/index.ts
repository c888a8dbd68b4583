export { AuthCoreModule, AuthModule } from './auth.module';
export { AUTH_PROBLEM_TYPES, AuthService, type RequestContext } from './auth.service';
export { CurrentPrincipal, IS_PUBLIC_KEY, Public, PUBLIC_READ_KEY, Scopes, SCOPES_KEY } from './decorators';
export { IssuedTokenEntity, type IssuedTokenKind } from './entities/issued-token.entity';
export { RefreshTokenEntity } from './entities/refresh-token.entity';
export { RevokedTokenEntity } from './entities/revoked-token.entity';
export { UserEntity } from './entities/user.entity';
export { AuthGuard } from './http/auth.guard';
export {
  TOKEN_VALIDATED_EVENT,
  type TokenValidatedEvent,
  type TokenValidationResult,
} from './http/bearer-auth.middleware';
export type { Principal } from './principal';
export { hasScopes, isScope, parseScopeClaim, type Scope, SCOPES } from './scopes';
export { JwtKeysService } from './tokens/jwt-keys.service';
export { TokenMaintenance } from './tokens/token-maintenance.service';
export { RevocationCache, RevocationStore } from './tokens/revocation.service';
export { type ServiceToken, type TokenPair, TokensService } from './tokens/tokens.service';
export { ADMIN_PASSWORD_FILE, GENERATED_ADMIN_USERNAME } from './users/admin-bootstrap.service';
export { PasswordService } from './users/password.service';
export { UsernameTakenError, UsersService } from './users/users.service';
