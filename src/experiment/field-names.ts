/**
 * The known field nearest to a misspelt or foreign one, for "did you mean" hints:
 * `learningRate` → `lr`, `bn` → `batchNorm` (one name's letters in the other in order, from the
 * same first letter: an abbreviation), `batchsize` → `batchSize` (a few edits apart). No hint when nothing is near.
 */

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** True when `short`'s letters appear in `long` in order and both start alike. */
function abbreviates(short: string, long: string): boolean {
  if (short.length >= long.length || short[0] !== long[0]) return false;
  let at = 0;
  for (const letter of long) if (letter === short[at]) at++;
  return at === short.length;
}

const normal = (name: string) => name.toLowerCase().replace(/[_-]/g, "");

/** The known name nearest to `name`, or undefined when none is near enough to suggest. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const wanted = normal(name);
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const other = normal(candidate);
    const short = abbreviates(other, wanted) || abbreviates(wanted, other);
    const distance = short ? 1 : editDistance(wanted, other);
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(wanted.length / 3)) ? best.name : undefined;
}

/** "; did you mean lr?" or nothing. */
export function didYouMean(name: string, known: readonly string[]): string {
  const nearest = nearestName(name, known);
  return nearest === undefined ? "" : `; did you mean ${nearest}?`;
}
