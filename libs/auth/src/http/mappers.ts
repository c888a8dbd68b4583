import type { IssuedTokenResponseDto, TokenMetadataDto, TokenResponseDto, UserDto } from '../dto/auth.dto';
import type { IssuedTokenEntity } from '../entities/issued-token.entity';
import type { UserEntity } from '../entities/user.entity';
import type { ServiceToken, TokenPair } from '../tokens/tokens.service';

export function toTokenResponse(pair: TokenPair): TokenResponseDto {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    token_type: 'Bearer',
    expires_in: pair.expiresIn,
    scope: pair.scopes.join(' '),
  };
}

export function toIssuedToken(token: ServiceToken): IssuedTokenResponseDto {
  return {
    id: token.id,
    access_token: token.accessToken,
    token_type: 'Bearer',
    expires_at: token.expiresAt.toISOString(),
    scope: token.scopes.join(' '),
  };
}

export function toTokenMetadata(token: IssuedTokenEntity, now = Date.now()): TokenMetadataDto {
  return {
    id: token.id,
    kind: token.kind,
    subject: token.subject,
    user_id: token.userId,
    scopes: token.scopes,
    description: token.description,
    created_by: token.createdBy,
    issued_at: token.issuedAt.toISOString(),
    expires_at: token.expiresAt.toISOString(),
    revoked_at: token.revokedAt?.toISOString() ?? null,
    status: token.revokedAt ? 'revoked' : token.expiresAt.getTime() <= now ? 'expired' : 'active',
  };
}

export function toUser(user: UserEntity): UserDto {
  return {
    id: user.id,
    username: user.username,
    scopes: user.scopes,
    disabled: user.disabled,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}
