// A small seeded pseudo-random generator (mulberry32) for the fault-injection suite: the same
// seed draws the same numbers, so a run's operations and faults can be replayed.
//
//   const rng = makeRng(42);  rng.next() in [0, 1); rng.int(n) in [0, n); rng.chance(p);
//   rng.pick(array); rng.fork('proxy') (an independent stream derived from the seed and a name)

export function makeRng(seed) {
  let a = (Number(seed) >>> 0) || 0x9e3779b9;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = {
    seed,
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    between: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    // A stream of its own: drawing from it does not shift this one's numbers.
    fork(name) {
      let h = a ^ 0x85ebca6b;
      for (const ch of String(name)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
      return makeRng(h);
    },
  };
  return rng;
}

// The seeds of a run: PARLEY_FAULT_SEED (one number, or several separated by commas), else the
// fixed list given.
export function seedsFromEnv(fixed) {
  const given = process.env.PARLEY_FAULT_SEED;
  if (!given) return fixed;
  return given.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n));
}
