import { Controller, Get, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/common';
import { JwksDto } from '../dto/auth.dto';
import { JwtKeysService } from '../tokens/jwt-keys.service';

@ApiTags('auth')
@Controller({ path: '.well-known', version: VERSION_NEUTRAL })
@Public()
export class JwksController {
  constructor(private readonly keys: JwtKeysService) {}

  @Get('jwks.json')
  @ApiOperation({ summary: 'Public keys that verify access tokens (RFC 7517); `{ "keys": [] }` under HS256.' })
  @ApiOkResponse({ type: JwksDto })
  jwks(): JwksDto {
    return this.keys.jwks();
  }
}
