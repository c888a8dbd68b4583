import {
  Body,
  ConflictException,
  Controller,
  Get,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentPrincipal, type Principal, RetryOnConnectionLoss, Scopes, SecurityEvents } from '@app/common';
import { CreateUserDto, UpdateUserDto, UserDto, UserListDto } from '../dto/auth.dto';
import { UsernameTakenError, UsersService } from '../users/users.service';
import { requestContext } from './auth.controller';
import { toUser } from './mappers';

@ApiTags('admin')
@Controller('admin/users')
@Scopes('admin')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly events: SecurityEvents,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a user (password hashed with argon2id).' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ description: 'The username is taken.' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation failed.' })
  async create(
    @Body() body: CreateUserDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
  ): Promise<UserDto> {
    try {
      const user = await this.users.create(body);
      this.events.publish({
        type: 'user.created',
        actor: principal.username ?? principal.sub,
        ...requestContext(req),
        detail: { user_id: user.id, username: user.username, scopes: user.scopes },
      });
      return toUser(user);
    } catch (error) {
      if (error instanceof UsernameTakenError) throw new ConflictException(error.message);
      throw error;
    }
  }

  @Get()
  @RetryOnConnectionLoss()
  @ApiOperation({ summary: 'Every user (no password hashes).' })
  @ApiOkResponse({ type: UserListDto })
  async list(): Promise<UserListDto> {
    const users = await this.users.list();
    return { users: users.map(toUser), total_count: users.length, timestamp: new Date().toISOString() };
  }

  @Patch(':id')
  @ApiOperation({
    summary: "Change a user's scopes or disable it; disabling (or removing a scope) revokes its tokens.",
  })
  @ApiOkResponse({ type: UserDto })
  @ApiBadRequestResponse({ description: 'The id is not a UUID.' })
  @ApiNotFoundResponse({ description: 'No user with this id.' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation failed.' })
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateUserDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
  ): Promise<UserDto> {
    const result = await this.users.update(id, { scopes: body.scopes, disabled: body.disabled });
    if (!result) throw new NotFoundException(`No user with id ${id}.`);
    this.events.publish({
      type: 'user.updated',
      actor: principal.username ?? principal.sub,
      ...requestContext(req),
      detail: {
        user_id: id,
        changes: {
          ...(body.scopes ? { scopes: body.scopes } : {}),
          ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
        },
        revoked_tokens: result.revokedTokens,
      },
    });
    return toUser(result.user);
  }
}
