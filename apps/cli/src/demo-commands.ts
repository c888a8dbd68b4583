import type { INestApplicationContext } from '@nestjs/common';
import { runMigrationsLocked } from '@app/database';
import { DemoDataService } from '@app/transparency';
import { DataSource } from 'typeorm';
import { parseCommandArgs, UsageError } from './cli-args';

export const DEMO_USAGE = `  seed-demo                  load the deterministic demo data set (idempotent: present rows are kept)`;

/** `seed-demo` takes no arguments. */
export function parseSeedDemoArgs(args: string[]): void {
  const { positional } = parseCommandArgs('seed-demo', args, {});
  if (positional.length > 0) throw new UsageError('seed-demo takes no arguments');
}

/** `seed-demo`: migrate, then insert the demo set; re-running inserts nothing twice. */
export async function seedDemo(app: INestApplicationContext, out: (line: string) => void): Promise<void> {
  await runMigrationsLocked(app.get(DataSource));
  const report = await app.get(DemoDataService).seed();
  const parts = Object.entries(report.inserted).map(([table, n]) => `${table} ${n}`);
  const total = Object.values(report.inserted).reduce((a, b) => a + b, 0);
  out(`Demo data: inserted ${total} of ${report.generated} rows (${parts.join(', ')}) in ${report.elapsedMs} ms.`);
}
