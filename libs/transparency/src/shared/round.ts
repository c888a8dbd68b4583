/** Rounds a computed figure to `digits` decimals, dropping binary noise (0.30000000000000004). */
export function round(value: number, digits = 8): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function roundOrNull(value: number | null, digits = 8): number | null {
  return value === null || !Number.isFinite(value) ? null : round(value, digits);
}
