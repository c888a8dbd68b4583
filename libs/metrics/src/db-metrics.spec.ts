import { queryOperation } from './db-metrics';

describe('queryOperation', () => {
  it('labels a statement by its first keyword from a fixed set, never by its text', () => {
    expect(queryOperation('SELECT * FROM trades WHERE id = $1')).toBe('select');
    expect(queryOperation('  insert into audit_records VALUES ($1)')).toBe('insert');
    expect(queryOperation('/* typeorm */ UPDATE x SET y = 1')).toBe('update');
    expect(queryOperation('START TRANSACTION')).toBe('begin');
    expect(queryOperation('COMMIT')).toBe('commit');
    expect(queryOperation('SELECT pg_advisory_xact_lock($1)')).toBe('select');
    expect(queryOperation('CREATE TABLE secret_stuff (x int)')).toBe('other');
    expect(queryOperation('')).toBe('other');
  });
});
