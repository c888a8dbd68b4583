import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import {
  CurrentPrincipal,
  type Principal,
  RetryOnConnectionLoss,
  Scopes,
  SecurityEvents,
  validationProblem,
} from '@app/common';
import {
  DEFAULT_SERVICE_TOKEN_TTL_SECONDS,
  IssuedTokenResponseDto,
  IssueTokenDto,
  TokenListDto,
  TokenListQueryDto,
} from '../dto/auth.dto';
import { TokensService } from '../tokens/tokens.service';
import { UsersService } from '../users/users.service';
import { requestContext } from './auth.controller';
import { toIssuedToken, toTokenMetadata } from './mappers';

@ApiTags('admin')
@Controller('admin/tokens')
@Scopes('admin')
export class AdminTokensController {
  constructor(
    private readonly tokens: TokensService,
    private readonly users: UsersService,
    private readonly events: SecurityEvents,
  ) {}

  @Post()
  @ApiOperation({
    summary:
      'Issue a service token. The token is returned once and never stored. It never carries `admin`, ' +
      'and its subject may not be an existing username or user id.',
  })
  @ApiCreatedResponse({ type: IssuedTokenResponseDto })
  @ApiUnprocessableEntityResponse({
    description: 'Body validation failed, `admin` was asked for, or the subject names an existing user.',
  })
  async issue(
    @Body() body: IssueTokenDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
  ): Promise<IssuedTokenResponseDto> {
    const actor = principal.username ?? principal.sub;
    // A service token named after a user would act as that user in audit records and share
    // its rate-limit bucket.
    if (await this.users.existsByUsernameOrId(body.subject)) {
      throw validationProblem([
        { field: 'subject', message: 'subject must not be the username or id of an existing user' },
      ]);
    }
    const token = await this.tokens.issueServiceToken({
      subject: body.subject,
      scopes: body.scopes,
      ttlSeconds: body.ttl_seconds ?? DEFAULT_SERVICE_TOKEN_TTL_SECONDS,
      description: body.description,
      createdBy: actor,
    });
    this.events.publish({
      type: 'token.issued',
      actor,
      tokenId: token.id,
      ...requestContext(req),
      detail: {
        kind: 'service',
        subject: body.subject,
        scopes: body.scopes,
        expires_at: token.expiresAt.toISOString(),
      },
    });
    return toIssuedToken(token);
  }

  @Get()
  @RetryOnConnectionLoss()
  @ApiOperation({ summary: 'Token metadata (never the tokens themselves), newest first.' })
  @ApiOkResponse({ type: TokenListDto })
  @ApiUnprocessableEntityResponse({ description: 'Unknown query parameter or kind.' })
  async list(@Query() query: TokenListQueryDto): Promise<TokenListDto> {
    const tokens = await this.tokens.list(query.kind);
    const now = Date.now();
    return {
      tokens: tokens.map((t) => toTokenMetadata(t, now)),
      total_count: tokens.length,
      timestamp: new Date().toISOString(),
    };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary:
      "Revoke a token by id: every replica refuses it within a second. A login session's access token " +
      'takes its whole family (refresh token included) with it.',
  })
  @ApiNoContentResponse({ description: 'Revoked (also when it already was).' })
  @ApiBadRequestResponse({ description: 'The id is not a UUID.' })
  @ApiNotFoundResponse({ description: 'No token with this id.' })
  async revoke(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
  ): Promise<void> {
    const token = await this.tokens.revokeToken(id, 'admin');
    if (!token) throw new NotFoundException(`No token with id ${id}.`);
    this.events.publish({
      type: 'token.revoked',
      actor: principal.username ?? principal.sub,
      tokenId: id,
      ...requestContext(req),
      detail: {
        reason: 'admin',
        subject: token.subject,
        kind: token.kind,
        ...(token.familyId ? { family_id: token.familyId } : {}),
      },
    });
  }
}
