/**
 * How a lost or unreachable backing service (Postgres through `pg` and TypeORM) surfaces as an
 * error. Two questions are asked of an error: is it an outage (answer 503 with Retry-After,
 * never 500), and, narrower, did it cut work off mid-way on a connection that is now gone, so
 * that one retry on a fresh connection is worth it.
 */

/** A connection that was open and died under the work: a fresh one may well succeed. */
const LOST_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  '57P01', // admin_shutdown: pg_terminate_backend, or a server stopping
  '57P02', // crash_shutdown
  '08003', // connection_does_not_exist
  '08006', // connection_failure
]);

/** The server cannot be reached at all: retrying at once would only double the wait. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', '57P03', '08000', '08001']);

const LOST_MESSAGES =
  /Connection terminated|terminating connection|Client has encountered a connection error|Client was closed and is not queryable|Connection ended unexpectedly/i;
const UNREACHABLE_MESSAGES = /timeout exceeded when trying to connect|connect ECONNREFUSED/i;

/**
 * TypeORM's transaction helper rolls back on the runner whose connection just died; the
 * rollback throws the first and hides the driver's error, and a query made through the
 * transaction's manager after that throws the second. In this codebase no runner is used after
 * release, so both only ever mean a lost connection.
 */
const LOST_ERROR_NAMES = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

function matches(error: unknown, codes: Set<string>, messages: RegExp, names?: Set<string>, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && codes.has(code)) return true;
  if (names?.has(error.name) || names?.has(error.constructor.name)) return true;
  if (messages.test(error.message)) return true;
  const driverError = (error as { driverError?: unknown }).driverError;
  if (driverError !== error && matches(driverError, codes, messages, names, depth + 1)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== error && matches(cause, codes, messages, names, depth + 1);
}

/** Work was cut off by a connection that died under it (worth one retry on a fresh one). */
export function isConnectionLoss(error: unknown): boolean {
  return matches(error, LOST_CODES, LOST_MESSAGES, LOST_ERROR_NAMES);
}

/** A backing service is lost or unreachable: the client gets 503 and Retry-After, never 500. */
export function isDependencyOutage(error: unknown): boolean {
  return isConnectionLoss(error) || matches(error, UNREACHABLE_CODES, UNREACHABLE_MESSAGES);
}
