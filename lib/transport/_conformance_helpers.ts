/**
 * Helpers shared by the conformance suites.
 *
 * @module
 */
import assert from "node:assert/strict";
import { MidgramError } from "../errors.ts";

export const encode = (text: string) => new TextEncoder().encode(text);
export const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

export async function withTimeout<T>(promise: Promise<T>, ms = 3000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function codeOf(error: unknown): string {
  return error instanceof MidgramError ? error.code : `not a MidgramError: ${error}`;
}

export async function rejectsWith(
  promise: Promise<unknown>,
  codes: string[],
): Promise<MidgramError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(
      codes.includes(codeOf(error)),
      `expected ${codes.join("|")}, got ${codeOf(error)}: ${error}`,
    );
    return error as MidgramError;
  }
  assert.fail(`expected a ${codes.join("|")} error`);
}
