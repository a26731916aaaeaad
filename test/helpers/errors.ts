// Assertion helpers for the typed-error contract.
import assert from 'node:assert/strict';
import { SpnegoError, type ErrorCode } from '../../src/errors.js';

/** Runs fn; if it throws, the error must be a SpnegoError (optionally with one of `codes`). */
export function onlyTypedErrors(fn: () => unknown, codes?: readonly ErrorCode[]): SpnegoError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (!(e instanceof SpnegoError)) throw new Error(`untyped error: ${String(e)}`, { cause: e });
    if (codes && !codes.includes(e.code)) throw new Error(`unexpected code ${e.code}: ${e.message}`);
    return e;
  }
}

/** Asserts fn throws a SpnegoError with `code` (and, when given, at byte `offset`). */
export function assertCode(fn: () => unknown, code: ErrorCode, offset?: number): SpnegoError {
  const e = onlyTypedErrors(fn);
  assert.ok(e, `expected ${code}, but nothing was thrown`);
  assert.equal(e.code, code, e.message);
  if (offset !== undefined) assert.equal(e.offset, offset, e.message);
  return e;
}

export const DECODE_CODES: readonly ErrorCode[] = [
  'DECODE_TRUNCATED', 'DECODE_TRAILING_BYTES', 'DECODE_BAD_TAG', 'DECODE_BAD_LENGTH', 'DECODE_BAD_VALUE', 'DECODE_LIMIT', 'UNKNOWN_TOKEN',
];
