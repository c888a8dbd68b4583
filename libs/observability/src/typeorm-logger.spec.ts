import pino from 'pino';
import { PinoTypeOrmLogger } from './typeorm-logger';

describe('PinoTypeOrmLogger', () => {
  it('logs failed statements as JSON without their parameters', () => {
    const lines: string[] = [];
    const logger = new PinoTypeOrmLogger(pino({ level: 'info' }, { write: (s: string) => lines.push(s) }));
    logger.logQueryError(new Error('duplicate key'), 'INSERT INTO users (password_hash) VALUES ($1)', [
      'argon2-secret-hash',
    ]);
    logger.logQuery();
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, msg: 'query failed', error: 'duplicate key', context: 'TypeORM' });
    expect(lines[0]).not.toContain('argon2-secret-hash');
  });
});
