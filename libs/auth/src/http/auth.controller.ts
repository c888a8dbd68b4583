import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthService, type RequestContext } from '../auth.service';
import { CurrentPrincipal, type Principal, Public, RetryOnConnectionLoss, Scopes } from '@app/common';
import { LoginDto, LogoutDto, MeResponseDto, RefreshDto, RevokeDto, TokenResponseDto } from '../dto/auth.dto';
import { UsersService } from '../users/users.service';
import { toTokenResponse } from './mappers';

export function requestContext(req: Request): RequestContext {
  return { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', requestId: req.requestId };
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a username and password for an access token and a refresh token.' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: 'Wrong credentials (the same answer for an unknown or disabled user).' })
  @ApiTooManyRequestsResponse({
    description: 'Too many failed logins for this username and IP, or this IP; see Retry-After.',
  })
  @ApiUnprocessableEntityResponse({ description: 'Body validation failed (problem+json with errors).' })
  async login(@Body() body: LoginDto, @Req() req: Request): Promise<TokenResponseDto> {
    return toTokenResponse(await this.auth.login(body.username, body.password, requestContext(req)));
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate: exchange a refresh token for a new pair. Re-using a rotated token revokes its whole family.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired, revoked or already used refresh token.' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation failed.' })
  async refresh(@Body() body: RefreshDto, @Req() req: Request): Promise<TokenResponseDto> {
    return toTokenResponse(await this.auth.refresh(body.refresh_token, requestContext(req)));
  }

  @Post('logout')
  @Scopes()
  @HttpCode(204)
  @ApiOperation({
    summary: "Revoke the caller's access token and its family (and the family of a given refresh token).",
  })
  @ApiBody({ type: LogoutDto, required: false })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation failed.' })
  async logout(@CurrentPrincipal() principal: Principal, @Body() body: LogoutDto, @Req() req: Request): Promise<void> {
    await this.auth.logout(principal, body?.refresh_token, requestContext(req));
  }

  @Post('revoke')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Revoke a token you hold (RFC 7009 style): a refresh token ends its whole session (family); an access ' +
      'token ends itself and its session. The answer is 200 whether or not the token was known, valid or ' +
      'already revoked, so it reveals nothing about tokens.',
  })
  @ApiOkResponse({ description: 'Done (also for an unknown, expired or already revoked token). Empty body.' })
  @ApiUnprocessableEntityResponse({
    description: 'Body validation failed: `token` missing, not a string, longer than 4096, or unknown fields.',
  })
  @ApiTooManyRequestsResponse({ description: 'Rate limited, like every route.' })
  async revoke(@Body() body: RevokeDto, @Req() req: Request): Promise<void> {
    await this.auth.revoke(body.token, requestContext(req));
  }

  @Get('me')
  @Scopes()
  @RetryOnConnectionLoss()
  @ApiOperation({ summary: 'Who the bearer token says the caller is.' })
  @ApiOkResponse({ type: MeResponseDto })
  async me(@CurrentPrincipal() principal: Principal): Promise<MeResponseDto> {
    const username =
      principal.username ??
      (principal.kind === 'user' ? (await this.users.findById(principal.sub))?.username : undefined);
    return {
      sub: principal.sub,
      username: username ?? null,
      scopes: principal.scopes,
      token_id: principal.tokenId,
      expires_at: principal.expiresAt.toISOString(),
    };
  }
}
