import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotContains,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsStorableText, type Scope, SCOPES } from '@app/common';

const USERNAME_PATTERN = /^[A-Za-z0-9._@-]+$/;
const SUBJECT_PATTERN = /^[A-Za-z0-9._:@-]+$/;
/** Optional, but not nullable: `null` is a wrong type (422), not "leave unchanged" and not "clear". */
const IsOptionalNotNull = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);
export const MIN_PASSWORD_LENGTH = 12;
/** argon2 hashes any length, but a megabyte password is an attack on the CPU, not a password. */
export const MAX_PASSWORD_LENGTH = 1024;
export const MAX_SERVICE_TOKEN_TTL_SECONDS = 366 * 86400;
export const DEFAULT_SERVICE_TOKEN_TTL_SECONDS = 90 * 86400;
const SERVICE_TOKEN_SCOPES = SCOPES.filter((s) => s !== 'admin');

export class LoginDto {
  @ApiProperty({ example: 'admin', maxLength: 64 })
  @IsString()
  @Length(1, 64)
  username!: string;

  @ApiProperty({ format: 'password', maxLength: MAX_PASSWORD_LENGTH })
  @IsString()
  @Length(1, MAX_PASSWORD_LENGTH)
  password!: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token of the last login or refresh (single use).' })
  @IsString()
  @Length(1, 4096)
  refresh_token!: string;
}

export class LogoutDto {
  @ApiPropertyOptional({ description: 'Also revoke the family of this refresh token.' })
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  refresh_token?: string;
}

export const MAX_REVOKE_TOKEN_LENGTH = 4096;

export class RevokeDto {
  @ApiProperty({
    description:
      'A refresh token, or an access token (JWT). Unknown, expired or already revoked tokens are accepted too.',
    maxLength: MAX_REVOKE_TOKEN_LENGTH,
  })
  @IsString()
  @Length(1, MAX_REVOKE_TOKEN_LENGTH)
  token!: string;
}

export class TokenResponseDto {
  @ApiProperty({ description: 'JWT; send as `Authorization: Bearer <access_token>`.' })
  access_token!: string;

  @ApiProperty({ description: 'Opaque, single use: exchange at /api/v1/auth/refresh.' })
  refresh_token!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ description: 'Lifetime of the access token in seconds.', example: 900 })
  expires_in!: number;

  @ApiProperty({ description: 'Space-separated scopes.', example: 'transparency:read' })
  scope!: string;
}

export class MeResponseDto {
  @ApiProperty({ description: 'Token subject (user id, or a service token subject).' })
  sub!: string;

  @ApiProperty({ nullable: true, type: String })
  username!: string | null;

  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes!: Scope[];

  @ApiProperty({ description: 'The token id (`jti`).', format: 'uuid' })
  token_id!: string;

  @ApiProperty({ format: 'date-time' })
  expires_at!: string;
}

export class IssueTokenDto {
  @ApiProperty({
    description: 'The `sub` of the token: who the service is. Not an existing username or user id.',
    example: 'dashboard',
    maxLength: 128,
  })
  @IsString()
  @Length(1, 128)
  @Matches(SUBJECT_PATTERN, { message: 'may contain only letters, digits and . _ : @ -' })
  subject!: string;

  @ApiProperty({
    enum: SERVICE_TOKEN_SCOPES,
    isArray: true,
    example: ['transparency:read'],
    description: 'Never `admin`: admin service tokens are issued with the command line only.',
  })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(SCOPES.length)
  @IsIn(SCOPES, { each: true, message: `each value must be one of ${SCOPES.join(', ')}` })
  @ArrayNotContains(['admin'], { message: 'admin cannot be granted through the API; use the command line' })
  scopes!: Scope[];

  @ApiPropertyOptional({
    description: 'Lifetime in seconds (default 90 days).',
    minimum: 60,
    maximum: MAX_SERVICE_TOKEN_TTL_SECONDS,
  })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(MAX_SERVICE_TOKEN_TTL_SECONDS)
  ttl_seconds?: number;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @IsStorableText()
  description?: string;
}

export class IssuedTokenResponseDto {
  @ApiProperty({ format: 'uuid', description: 'Also the token `jti`; revoke with DELETE /api/v1/admin/tokens/{id}.' })
  id!: string;

  @ApiProperty({ description: 'Shown once: it is not stored and cannot be listed.' })
  access_token!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ format: 'date-time' })
  expires_at!: string;

  @ApiProperty({ example: 'transparency:read' })
  scope!: string;
}

export class TokenMetadataDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['access', 'service'], description: '`access`: from a login; `service`: issued by an admin.' })
  kind!: 'access' | 'service';

  @ApiProperty()
  subject!: string;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  user_id!: string | null;

  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes!: Scope[];

  @ApiProperty({ nullable: true, type: String })
  description!: string | null;

  @ApiProperty({ nullable: true, type: String })
  created_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  issued_at!: string;

  @ApiProperty({ format: 'date-time' })
  expires_at!: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  revoked_at!: string | null;

  @ApiProperty({ enum: ['active', 'expired', 'revoked'] })
  status!: 'active' | 'expired' | 'revoked';
}

export class TokenListDto {
  @ApiProperty({ type: [TokenMetadataDto] })
  tokens!: TokenMetadataDto[];

  @ApiProperty()
  total_count!: number;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}

export class TokenListQueryDto {
  @ApiPropertyOptional({ enum: ['access', 'service'] })
  @IsOptional()
  @IsIn(['access', 'service'])
  kind?: 'access' | 'service';
}

export class CreateUserDto {
  @ApiProperty({ example: 'analyst', minLength: 1, maxLength: 64, pattern: USERNAME_PATTERN.source })
  @IsString()
  @Length(1, 64)
  @Matches(USERNAME_PATTERN, { message: 'may contain only letters, digits and . _ @ -' })
  username!: string;

  @ApiProperty({ format: 'password', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH })
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH)
  password!: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['transparency:read'] })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(SCOPES.length)
  @IsIn(SCOPES, { each: true, message: `each value must be one of ${SCOPES.join(', ')}` })
  scopes!: Scope[];
}

export class UpdateUserDto {
  @ApiPropertyOptional({
    enum: SCOPES,
    isArray: true,
    description: 'Replaces the scopes; removing one revokes live tokens.',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(SCOPES.length)
  @IsIn(SCOPES, { each: true, message: `each value must be one of ${SCOPES.join(', ')}` })
  scopes?: Scope[];

  @ApiPropertyOptional({ description: 'true disables the user and revokes its tokens.' })
  @IsOptionalNotNull()
  @IsBoolean()
  disabled?: boolean;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  username!: string;

  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes!: Scope[];

  @ApiProperty()
  disabled!: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class UserListDto {
  @ApiProperty({ type: [UserDto] })
  users!: UserDto[];

  @ApiProperty()
  total_count!: number;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}

export class JwkDto {
  @ApiProperty({ example: 'EC' }) kty!: string;
  @ApiProperty() kid!: string;
  @ApiProperty({ enum: ['RS256', 'ES256'] }) alg!: string;
  @ApiProperty({ example: 'sig' }) use!: string;
  @ApiPropertyOptional({ description: 'EC curve (ES256).' }) crv?: string;
  @ApiPropertyOptional({ description: 'EC x coordinate (ES256).' }) x?: string;
  @ApiPropertyOptional({ description: 'EC y coordinate (ES256).' }) y?: string;
  @ApiPropertyOptional({ description: 'RSA modulus (RS256).' }) n?: string;
  @ApiPropertyOptional({ description: 'RSA exponent (RS256).' }) e?: string;
}

export class JwksDto {
  @ApiProperty({ type: [JwkDto], description: 'Public verification keys; empty under HS256.' })
  keys!: JwkDto[];
}
