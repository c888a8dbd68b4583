import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from './audit-chain';
import { AuditSpill } from './audit-spill';

const entry = (n: number): AuditEntry => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  occurredAt: new Date(1_790_000_000_000 + n),
  requestId: `r-${n}`,
  actor: 'anonymous',
  tokenId: null,
  ip: null,
  method: 'GET',
  route: null,
  path: '/x',
  status: 200,
  durationMs: '1.000',
  userAgent: null,
  event: 'http.request',
  detail: null,
});

describe('AuditSpill', () => {
  it('keeps records in bounded segments, hands them back oldest first, and forgets them once removed', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'spill-')), 'audit-spill');
    const spill = new AuditSpill(dir, 3, 1 << 20, () => undefined);
    await spill.open();
    for (let n = 0; n < 7; n++) spill.append(entry(n));
    expect(spill.depth).toBe(7);

    const seen: number[] = [];
    for (let segment = await spill.oldest(); segment; segment = await spill.oldest()) {
      expect(segment.entries.length).toBeLessThanOrEqual(3);
      seen.push(...segment.entries.map((e) => Number(e.requestId?.slice(2))));
      expect(segment.entries[0]?.occurredAt).toBeInstanceOf(Date);
      await spill.remove(segment);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(spill.depth).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('finds what an earlier process left behind', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'spill-')), 'audit-spill');
    const first = new AuditSpill(dir, 10, 1 << 20, () => undefined);
    await first.open();
    for (let n = 0; n < 4; n++) first.append(entry(n));
    await first.seal();

    const second = new AuditSpill(dir, 10, 1 << 20, () => undefined);
    await second.open();
    expect(second.depth).toBe(4);
    const segment = await second.oldest();
    expect(segment?.entries.map((e) => e.id)).toEqual([0, 1, 2, 3].map((n) => entry(n).id));
  });

  it('refuses records past its byte bound, and takes them again once a segment is drained', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'spill-')), 'audit-spill');
    const lineBytes = Buffer.byteLength(`${JSON.stringify(entry(0))}\n`);
    const spill = new AuditSpill(dir, 2, lineBytes * 3, () => undefined);
    await spill.open();
    expect([0, 1, 2, 3, 4].map((n) => spill.append(entry(n)))).toEqual([true, true, true, false, false]);
    expect(spill.depth).toBe(3);
    expect(spill.bytes).toBe(lineBytes * 3);
    const segment = await spill.oldest();
    await spill.remove(segment!);
    expect(spill.bytes).toBe(lineBytes);
    expect(spill.append(entry(5))).toBe(true);

    // A restart counts the bytes already on disk against the bound.
    await spill.seal();
    const again = new AuditSpill(dir, 2, lineBytes * 3, () => undefined);
    await again.open();
    expect(again.bytes).toBe(lineBytes * 2);
    expect(again.append(entry(6))).toBe(true);
    expect(again.append(entry(7))).toBe(false);
  });
});
