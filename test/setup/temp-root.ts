import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface TempRoot {
  /** Projects of this run that entered and have not yet left (unit and e2e each enter once). */
  users: number;
  root?: string;
  previous?: string;
}

declare global {
  var __TAPI_TEMP_ROOT__: TempRoot | undefined;
}

/**
 * Every temporary directory a test run makes goes under one root, removed when the run ends:
 * `os.tmpdir()` honours TMPDIR, and jest's workers (and the servers the tests spawn with the
 * inherited environment) see it. Without it each run left about 170 directories in /tmp, data
 * directories of embedded databases among them, about 240 MB.
 */
export function enterTempRoot(): void {
  const state = (globalThis.__TAPI_TEMP_ROOT__ ??= { users: 0 });
  if (state.users++ > 0) return;
  state.previous = process.env.TMPDIR;
  state.root = mkdtempSync(join(tmpdir(), 'tapi-test-run-'));
  process.env.TMPDIR = state.root;
}

/** The last project to finish removes the root (the e2e teardown stops its databases first). */
export function leaveTempRoot(): void {
  const state = globalThis.__TAPI_TEMP_ROOT__;
  if (!state || --state.users > 0 || !state.root) return;
  if (state.previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = state.previous;
  rmSync(state.root, { recursive: true, force: true });
  globalThis.__TAPI_TEMP_ROOT__ = undefined;
}
