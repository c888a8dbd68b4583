import { timeOrderedUuid } from './audit-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedUuid', () => {
  it('makes version 7 UUIDs carrying the time, unique and in the order they were made', () => {
    const start = Date.now();
    const ids = Array.from({ length: 20_000 }, () => timeOrderedUuid());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const ms = Number.parseInt(ids[0].replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(start);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('keeps the order when the clock steps back or stands still', () => {
    const now = Date.now() + 60_000;
    const ids = [timeOrderedUuid(now), timeOrderedUuid(now), timeOrderedUuid(now - 5000), timeOrderedUuid(now + 1)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
  });
});
