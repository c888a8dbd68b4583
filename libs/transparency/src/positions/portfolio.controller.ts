import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CachedRead } from '../cache/cached-read.decorator';
import { TransparencyRead, TransparencyWrite } from '@app/common';
import { ParseSymbolPipe } from '../shared/symbol.pipe';
import { PortfolioDto, PositionDto, PositionListDto, PositionUpsertDto } from './portfolio.dto';
import { PortfolioService } from './portfolio.service';

const SYMBOL_PARAM = { name: 'symbol', example: 'BTC-USD', description: '1-20 chars of A-Z 0-9 - / (URL-encode "/")' };

@ApiTags('portfolio')
@Controller('portfolio')
export class PortfolioController {
  constructor(private readonly portfolio: PortfolioService) {}

  @Get()
  @TransparencyRead()
  @ApiOperation({ summary: 'The latest portfolio snapshot' })
  @ApiOkResponse({ type: PortfolioDto })
  @CachedRead('portfolio', 'portfolio')
  get(): Promise<PortfolioDto> {
    return this.portfolio.portfolio();
  }

  @Get('positions')
  @TransparencyRead()
  @ApiOperation({ summary: 'Open positions with their unrealized PnL' })
  @ApiOkResponse({ type: PositionListDto })
  @CachedRead('positions', 'positions')
  positions(): Promise<PositionListDto> {
    return this.portfolio.list();
  }

  @Put('positions/:symbol')
  @TransparencyWrite()
  @ApiOperation({ summary: 'Open or update the position in a symbol' })
  @ApiParam(SYMBOL_PARAM)
  @ApiOkResponse({ type: PositionDto })
  @ApiUnprocessableEntityResponse({ description: 'Bad symbol or body (problem+json).' })
  upsert(@Param('symbol', ParseSymbolPipe) symbol: string, @Body() body: PositionUpsertDto): Promise<PositionDto> {
    return this.portfolio.upsert(symbol, body);
  }

  @Delete('positions/:symbol')
  @HttpCode(204)
  @TransparencyWrite()
  @ApiOperation({ summary: 'Close (remove) the position in a symbol' })
  @ApiParam(SYMBOL_PARAM)
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiNotFoundResponse({ description: 'No open position in this symbol (problem+json).' })
  async remove(@Param('symbol', ParseSymbolPipe) symbol: string): Promise<void> {
    await this.portfolio.remove(symbol);
  }
}
