import { isDeepStrictEqual } from 'node:util';
import { stripPrototypeKeys } from '@app/common';
import { type FastItemCheck, validateBatch, validateItem } from './ingest';

/** Helpers of the specs of `FastItemCheck`s (not used by the application). */

/**
 * A deep copy made of this realm's objects (`structuredClone` answers objects of Node's main
 * realm, not of Jest's, and deep equality compares prototypes), like a parsed JSON body.
 */
function clone<V>(value: V): V {
  if (Array.isArray(value)) return value.map((item: unknown) => clone(item)) as V;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = clone(item);
  return copy as V;
}

/** Values that break one rule or another: each is put in every field of a valid item in turn. */
export const HOSTILE_VALUES: readonly unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'x',
  'BTC-USD',
  'btc-usd',
  'order_filled',
  'market',
  'buy',
  'filled',
  'long',
  'pending',
  '4h',
  'a'.repeat(21),
  'a'.repeat(101),
  'a'.repeat(4001),
  'bad\u0000nul',
  'lone \ud800 surrogate',
  '\udc00',
  'emoji 😀',
  '2026-11-28T11:55:00.000Z',
  '2026-11-28',
  '2026-02-30T00:00:00Z',
  '2026-11-28 11:55:00',
  '0b7c6f0e-1d1a-4c57-9a36-2f1f5f4d8a10',
  '0B7C6F0E-1D1A-4C57-9A36-2F1F5F4D8A10',
  '0b7c6f0e1d1a4c579a362f1f5f4d8a10',
  '12',
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  -1e-9,
  1e308,
  2_147_483_647,
  2_147_483_648,
  NaN,
  Infinity,
  -Infinity,
  true,
  false,
  [],
  [1],
  {},
  { a: 1 },
  { nested: { deep: ['x', { y: null }] } },
  { 'bad\u0000key': 1 },
  { text: 'lone \udbff' },
];

/**
 * Compares a fast check with the class-validator path on `valid` items and on each of them
 * with every field (and an unknown one) set to every hostile value, or removed: the fast path
 * may only answer items the slow path accepts, and then the same item. Answers how many items
 * the fast path took, so a test can also require that it takes the valid ones.
 */
export function compareFastCheck<T extends object>(
  cls: new () => T,
  fast: FastItemCheck<T>,
  valid: readonly Record<string, unknown>[],
  extraFields: readonly string[] = ['unknown_field', 'total_value'],
): { compared: number; fastAccepted: number; slowAccepted: number; mismatches: string[] } {
  const mismatches: string[] = [];
  let compared = 0;
  let fastAccepted = 0;
  let slowAccepted = 0;
  const check = (raw: Record<string, unknown>, label: string): void => {
    compared++;
    const body = clone(raw);
    stripPrototypeKeys(body);
    const slow = validateItem(cls, clone(body), '[0]');
    const fastItem = fast(clone(body));
    if (slow.errors.length === 0) slowAccepted++;
    if (fastItem === undefined) return;
    fastAccepted++;
    if (slow.errors.length > 0) {
      mismatches.push(`${label}: fast accepted, slow refused with ${JSON.stringify(slow.errors)}`);
    } else if (!isDeepStrictEqual(fastItem, slow.item)) {
      mismatches.push(`${label}: items differ: ${JSON.stringify(fastItem)} vs ${JSON.stringify(slow.item)}`);
    }
  };
  valid.forEach((item, index) => {
    check(item, `valid[${index}]`);
    const fields = [...new Set([...Object.keys(item), ...Object.keys(new cls()), ...extraFields])];
    for (const field of fields) {
      const removed = { ...item };
      delete removed[field];
      check(removed, `valid[${index}] without ${field}`);
      HOSTILE_VALUES.forEach((value, v) => {
        check({ ...item, [field]: value }, `valid[${index}].${field} = hostile[${v}]`);
        // One level down too (nested DTOs, json fields).
        const current = item[field];
        if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
          for (const inner of [...Object.keys(current), 'unknown_inner']) {
            check(
              { ...item, [field]: { ...current, [inner]: value } },
              `valid[${index}].${field}.${inner} = hostile[${v}]`,
            );
          }
        }
      });
    }
  });
  // Random mixes: each field from a random valid item, or (one time in eight) a hostile value.
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const fields = [...new Set(valid.flatMap((item) => Object.keys(item)))];
  for (let i = 0; i < 2000; i++) {
    const mixed: Record<string, unknown> = {};
    for (const field of fields) {
      const value =
        random(8) === 0 ? HOSTILE_VALUES[random(HOSTILE_VALUES.length)] : valid[random(valid.length)][field];
      if (value !== undefined) mixed[field] = value;
    }
    check(mixed, `mixed[${i}] ${JSON.stringify(mixed)}`);
  }
  return { compared, fastAccepted, slowAccepted, mismatches };
}

/** `validateBatch` with and without the fast check (a spec expects them equal: the same items or problem). */
export function compareBatches<T extends object>(
  cls: new () => T,
  fast: FastItemCheck<T>,
  body: unknown[],
): { withFast: unknown; without: unknown } {
  const run = (withFast: boolean): unknown => {
    try {
      return { items: validateBatch(cls, clone(body), undefined, withFast ? fast : undefined) };
    } catch (error) {
      return { problem: (error as { problem?: unknown }).problem ?? String(error) };
    }
  };
  return { withFast: run(true), without: run(false) };
}
