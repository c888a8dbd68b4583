import { leaveTempRoot } from './temp-root';

export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__E2E_STARTED__;
  try {
    started?.redisServer?.kill('SIGTERM');
    await started?.embedded?.stop();
  } finally {
    leaveTempRoot();
  }
}
