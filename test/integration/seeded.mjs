// A small seedable random source for the cross-checks (test/aws/sigv4_crosscheck.mjs,
// test/auth/jwt_crosscheck.mjs): the same seed gives the same cases, so a failure printed with
// its seed can be replayed.

// mulberry32: small, seedable, good enough to spread cases.
function mulberry32(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// {rand: [0, 1), int(n): 0..n-1, pick(xs), chance(p)} drawn from one sequence.
export function seeded(seed) {
  const rand = mulberry32(seed);
  const int = (n) => Math.floor(rand() * n);
  return { rand, int, pick: (xs) => xs[int(xs.length)], chance: (p) => rand() < p };
}
