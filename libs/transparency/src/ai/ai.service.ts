import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ApiProblemException, validationProblem, pageMeta } from '@app/common';
import { StreamOutbox } from '@app/stream';
import { DataSource, type Repository } from 'typeorm';
import { INVALIDATES } from '../cache/cache-families';
import { TransparencyCache } from '../cache/transparency-cache.service';
import { BusinessMetrics } from '../metrics/business-metrics.service';
import type { PerformancePeriod } from '../performance/performance.dto';
import { toNumber } from '../shared/columns';
import { insertReturningStored, type IngestResultDto, readBack } from '../shared/ingest';
import { newestFirstPage } from '../shared/list-page';
import { roundOrNull } from '../shared/round';
import { windowStart } from '../shared/time';
import { AiDecision } from './ai-decision.entity';
import type {
  DecisionDto,
  DecisionIngestItemDto,
  DecisionListDto,
  DecisionPatchDto,
  DecisionsQueryDto,
  ModelListDto,
} from './ai.dto';

export function toDecisionDto(d: AiDecision): DecisionDto {
  return {
    id: d.id,
    timestamp: d.timestamp.toISOString(),
    model_name: d.modelName,
    symbol: d.symbol,
    prediction: {
      direction: d.direction,
      confidence: d.confidence,
      price_target: d.priceTarget,
      time_horizon: d.timeHorizon,
    },
    reasoning: d.reasoning,
    outcome: d.outcome,
    actual_return: d.actualReturn,
    features: d.features,
  };
}

export function decisionRow(item: DecisionIngestItemDto): Partial<AiDecision> {
  return {
    id: item.id.toLowerCase(),
    timestamp: new Date(item.timestamp),
    modelName: item.model_name,
    symbol: item.symbol,
    direction: item.prediction.direction,
    confidence: item.prediction.confidence,
    priceTarget: item.prediction.price_target ?? null,
    timeHorizon: item.prediction.time_horizon ?? null,
    reasoning: item.reasoning ?? null,
    outcome: item.outcome ?? 'pending',
    actualReturn: item.actual_return ?? null,
    features: item.features ?? {},
  };
}

interface ModelRow {
  name: string;
  predictions: number;
  avg_confidence: string;
  wins: number;
  resolved: number;
  correct: number;
  directional: number;
  avg_return: string | null;
  last_prediction_at: Date | null;
}

@Injectable()
export class AiService {
  constructor(
    @InjectRepository(AiDecision) private readonly decisions: Repository<AiDecision>,
    private readonly dataSource: DataSource,
    private readonly cache: TransparencyCache,
    private readonly metrics: BusinessMetrics,
    private readonly outbox: StreamOutbox,
  ) {}

  async list(query: DecisionsQueryDto): Promise<DecisionListDto> {
    const qb = this.decisions.createQueryBuilder('d');
    if (query.model) qb.andWhere('d.modelName = :model', { model: query.model });
    if (query.symbol) qb.andWhere('d.symbol = :symbol', { symbol: query.symbol });
    if (query.outcome) qb.andWhere('d.outcome = :outcome', { outcome: query.outcome });
    const [rows, total] = await newestFirstPage(qb, query);
    return {
      decisions: rows.map(toDecisionDto),
      ...pageMeta(total, query),
    };
  }

  async get(id: string): Promise<DecisionDto> {
    const decision = await this.decisions.findOneBy({ id });
    if (!decision) throw new ApiProblemException({ status: 404, detail: `No AI decision with id ${id}.` });
    return toDecisionDto(decision);
  }

  /** Aggregates per model over the window, in one grouped query. */
  async models(period: PerformancePeriod, now = new Date()): Promise<ModelListDto> {
    const start = windowStart(period, now);
    const rows = await this.dataSource.query<ModelRow[]>(
      `SELECT model_name AS name,
              count(*)::int AS predictions,
              avg(confidence) AS avg_confidence,
              count(*) FILTER (WHERE outcome = 'profitable')::int AS wins,
              count(*) FILTER (WHERE outcome IN ('profitable', 'loss'))::int AS resolved,
              count(*) FILTER (WHERE (direction = 'long' AND actual_return > 0)
                                  OR (direction = 'short' AND actual_return < 0))::int AS correct,
              count(*) FILTER (WHERE direction <> 'neutral' AND actual_return IS NOT NULL)::int AS directional,
              avg(actual_return) AS avg_return,
              max("timestamp") AS last_prediction_at
         FROM ai_decisions
        WHERE ($1::timestamptz IS NULL OR "timestamp" >= $1)
        GROUP BY model_name
        ORDER BY model_name`,
      [start],
    );
    const models = rows.map((r) => ({
      name: r.name,
      predictions: r.predictions,
      avg_confidence: roundOrNull(toNumber(r.avg_confidence), 6) ?? 0,
      win_rate: r.resolved ? roundOrNull((r.wins / r.resolved) * 100, 6) : null,
      accuracy: r.directional ? roundOrNull((r.correct / r.directional) * 100, 6) : null,
      avg_return: roundOrNull(toNumber(r.avg_return), 6),
      last_prediction_at: r.last_prediction_at ? r.last_prediction_at.toISOString() : null,
    }));
    return { models, total_count: models.length, timestamp: now.toISOString() };
  }

  async ingest(items: DecisionIngestItemDto[]): Promise<IngestResultDto> {
    const rows = items.map(decisionRow);
    const ids = new Set(
      await this.dataSource.transaction(async (manager) => {
        const stored = await insertReturningStored(manager, AiDecision, rows);
        await this.outbox.record(manager, 'decision', stored.map(toDecisionDto));
        return stored.map((row) => row.id);
      }),
    );
    const insertedIds = rows.filter((row) => ids.delete(row.id as string));
    for (const row of insertedIds)
      this.metrics.recordPrediction(row.modelName as string, row.outcome as string, row.confidence);
    if (insertedIds.length > 0) {
      await this.outbox.announce();
      await this.cache.invalidate(INVALIDATES.ai);
    }
    return { received: items.length, inserted: insertedIds.length, already_present: items.length - insertedIds.length };
  }

  async patch(id: string, body: DecisionPatchDto): Promise<DecisionDto> {
    if (body.outcome === undefined && body.actual_return === undefined) {
      throw validationProblem([{ field: 'body', message: 'must set outcome and/or actual_return' }]);
    }
    const { updated, previousOutcome } = await this.dataSource.transaction(async (manager) => {
      // Locked, so concurrent patches of one decision emit their events in the order they apply.
      const decision = await manager.findOne(AiDecision, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!decision) throw new ApiProblemException({ status: 404, detail: `No AI decision with id ${id}.` });
      await manager.update(
        AiDecision,
        { id },
        {
          ...(body.outcome !== undefined ? { outcome: body.outcome } : {}),
          ...(body.actual_return !== undefined ? { actualReturn: body.actual_return } : {}),
        },
      );
      const [stored] = await readBack(manager, AiDecision, [id], (row) => row.id);
      const dto = toDecisionDto(stored);
      await this.outbox.record(manager, 'decision', [dto]);
      return { updated: dto, previousOutcome: decision.outcome };
    });
    await this.outbox.announce();
    if (updated.outcome !== previousOutcome) this.metrics.recordPrediction(updated.model_name, updated.outcome);
    await this.cache.invalidate(INVALIDATES.ai);
    return updated;
  }
}
