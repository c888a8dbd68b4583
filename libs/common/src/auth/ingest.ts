import { SetMetadata } from '@nestjs/common';

export const INGEST_BODY_KEY = 'http:ingest-body';

/**
 * Marks a bulk ingest route: its body may be as large as INGEST_BODY_LIMIT, but only for a
 * caller holding `transparency:write` (or `admin`); everyone else gets BODY_LIMIT there too,
 * so the large limit is never offered to an anonymous or read-only client.
 */
export const IngestBody = (): MethodDecorator => SetMetadata(INGEST_BODY_KEY, true);
