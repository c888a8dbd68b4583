import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@app/config';
import { AuthService } from './auth.service';
import { IssuedTokenEntity } from './entities/issued-token.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { RevokedTokenEntity } from './entities/revoked-token.entity';
import { UserEntity } from './entities/user.entity';
import { AdminTokensController } from './http/admin-tokens.controller';
import { AdminUsersController } from './http/admin-users.controller';
import { AuthController } from './http/auth.controller';
import { BearerAuthGuard } from './http/bearer-auth.guard';
import { BearerStrategy } from './http/bearer.strategy';
import { JwksController } from './http/jwks.controller';
import { ScopesGuard } from './http/scopes.guard';
import { LoginLockoutService } from './lockout/login-lockout.service';
import { AccessTokenVerifier } from './tokens/access-token.verifier';
import { JWT_KEYS_PROVIDER, JwtKeysService } from './tokens/jwt-keys.service';
import { jwtModuleOptions } from './tokens/jwt-options';
import { RevocationCache, RevocationStore } from './tokens/revocation.service';
import { TokenMaintenance } from './tokens/token-maintenance.service';
import { TokensService } from './tokens/tokens.service';
import { AdminBootstrapService } from './users/admin-bootstrap.service';
import { PasswordService } from './users/password.service';
import { UsersService } from './users/users.service';

/** The signing and verification keys, loaded once from the configuration. */
@Module({ providers: [JWT_KEYS_PROVIDER], exports: [JwtKeysService] })
export class JwtKeysModule {}

/**
 * Users, tokens and revocation writes, without HTTP: what the CLI needs. Importing it
 * registers the identity entities (so migration:generate sees them). `@nestjs/jwt`'s
 * JwtService signs (here) and verifies (AccessTokenVerifier) with the keys of JwtKeysModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, IssuedTokenEntity, RefreshTokenEntity, RevokedTokenEntity]),
    JwtKeysModule,
    JwtModule.registerAsync({
      imports: [JwtKeysModule],
      useFactory: jwtModuleOptions,
      inject: [JwtKeysService, AppConfig],
    }),
  ],
  providers: [
    PasswordService,
    RevocationStore,
    TokensService,
    UsersService,
    LoginLockoutService,
    AuthService,
    AccessTokenVerifier,
  ],
  exports: [
    TypeOrmModule,
    JwtKeysModule,
    PasswordService,
    RevocationStore,
    TokensService,
    UsersService,
    LoginLockoutService,
    AuthService,
    AccessTokenVerifier,
  ],
})
export class AuthCoreModule {}

/**
 * The API side of identity: the routes of docs/auth.md, the Passport bearer strategy, the replica's
 * revocation cache and the first admin. The guards (`BearerAuthGuard`, then the throttler,
 * then `ScopesGuard`) are registered by the application as APP_GUARDs, in that order.
 */
@Module({
  imports: [AuthCoreModule],
  controllers: [AuthController, AdminTokensController, AdminUsersController, JwksController],
  providers: [RevocationCache, TokenMaintenance, BearerStrategy, BearerAuthGuard, ScopesGuard, AdminBootstrapService],
  exports: [AuthCoreModule, RevocationCache, BearerStrategy, BearerAuthGuard, ScopesGuard],
})
export class AuthModule {}
