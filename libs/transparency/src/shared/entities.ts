import { AiDecision } from '../ai/ai-decision.entity';
import { Backtest } from '../backtests/backtest.entity';
import { PerformanceSnapshot } from '../performance/performance-snapshot.entity';
import { Position } from '../positions/position.entity';
import { TradeEvent } from '../trades/trade-event.entity';

export const TRANSPARENCY_ENTITIES = [TradeEvent, Position, PerformanceSnapshot, AiDecision, Backtest];
