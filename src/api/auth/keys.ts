import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every key starts with this, so leaked keys are easy to spot (secret scanners, logs). */
export const API_KEY_PREFIX = 'opm_';
/** Characters of a key kept for display: `opm_` and 8 more. */
export const DISPLAY_PREFIX_LENGTH = 12;

/**
 * A new random key: `opm_` and 43 base64url characters (256 bits).
 * @example const key = generateApiKey(); // 'opm_Q2x...'
 */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a key. SHA-256 suffices: keys are random, not passwords, so no slow KDF is needed. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The part of a key that lists and logs may show. */
export function displayPrefix(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}

/** Compares two keys in constant time (through their hashes, which have equal length). */
export function keysEqual(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(hashApiKey(a), 'hex'), Buffer.from(hashApiKey(b), 'hex'));
}

/** The key a request carries: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function keyFromHeaders(
  authorization: string | undefined,
  apiKeyHeader: string | undefined,
): string | null {
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] ?? null;
  }
  const direct = apiKeyHeader?.trim();
  return direct ? direct : null;
}
