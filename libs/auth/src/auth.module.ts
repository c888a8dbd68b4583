import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthService } from './auth.service';
import { IssuedTokenEntity } from './entities/issued-token.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { RevokedTokenEntity } from './entities/revoked-token.entity';
import { UserEntity } from './entities/user.entity';
import { AdminTokensController } from './http/admin-tokens.controller';
import { AdminUsersController } from './http/admin-users.controller';
import { AuthController } from './http/auth.controller';
import { BearerAuthMiddleware } from './http/bearer-auth.middleware';
import { JwksController } from './http/jwks.controller';
import { LoginLockoutService } from './lockout/login-lockout.service';
import { JwtKeysService } from './tokens/jwt-keys.service';
import { RevocationCache, RevocationStore } from './tokens/revocation.service';
import { TokenMaintenance } from './tokens/token-maintenance.service';
import { TokensService } from './tokens/tokens.service';
import { AdminBootstrapService } from './users/admin-bootstrap.service';
import { PasswordService } from './users/password.service';
import { UsersService } from './users/users.service';

/**
 * Users, tokens and revocation writes, without HTTP: what the CLI needs. Importing it
 * registers the identity entities (so migration:generate sees them).
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, IssuedTokenEntity, RefreshTokenEntity, RevokedTokenEntity])],
  providers: [
    JwtKeysService,
    PasswordService,
    RevocationStore,
    TokensService,
    UsersService,
    LoginLockoutService,
    AuthService,
  ],
  exports: [
    TypeOrmModule,
    JwtKeysService,
    PasswordService,
    RevocationStore,
    TokensService,
    UsersService,
    LoginLockoutService,
    AuthService,
  ],
})
export class AuthCoreModule {}

/**
 * The API side of identity: routes of SPEC §3, the bearer verification step (a middleware on
 * every route, so it runs before every guard), the replica's revocation cache and the first
 * admin. The global `AuthGuard` is registered by the application (APP_GUARD).
 */
@Module({
  imports: [AuthCoreModule],
  controllers: [AuthController, AdminTokensController, AdminUsersController, JwksController],
  providers: [RevocationCache, TokenMaintenance, BearerAuthMiddleware, AdminBootstrapService],
  exports: [AuthCoreModule, RevocationCache],
})
export class AuthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(BearerAuthMiddleware).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}
