/** Levenshtein edit distance, two rows of memory. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? 0;
}

export interface NearestOptions {
  /** How many suggestions to return at most. @default 3 */
  limit?: number;
}

function lastSegment(slug: string): string {
  return slug.slice(slug.lastIndexOf('/') + 1);
}

/** How far `candidate` is from what the user typed; lower is closer. */
function score(typed: string, candidate: string): number {
  const whole = editDistance(typed, candidate);
  // Someone who types only the last segment ("triage") means the prompt of that name anywhere.
  const byName = typed.includes('/') ? whole : editDistance(typed, lastSegment(candidate)) + 1;
  return Math.min(whole, byName);
}

/**
 * Existing slugs closest to `typed`, best first, for "did you mean ...?" messages. Only
 * candidates within a quarter of the typed length (at least 2 edits), and at most one edit worse
 * than the best, are offered.
 */
export function nearestSlugs(
  typed: string,
  candidates: readonly string[],
  options: NearestOptions = {},
): string[] {
  const limit = options.limit ?? 3;
  const threshold = Math.max(2, Math.floor(typed.length / 4));
  const normalised = typed.toLowerCase();
  const close = candidates
    .map((candidate) => ({ candidate, distance: score(normalised, candidate) }))
    .filter((entry) => entry.distance <= threshold)
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  // A clear winner is offered alone; far worse runners-up only add noise.
  const best = close[0]?.distance ?? 0;
  return close
    .filter((entry) => entry.distance <= best + 1)
    .slice(0, limit)
    .map((entry) => entry.candidate);
}
