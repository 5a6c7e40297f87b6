/** A seeded pseudo-random generator: `next()` returns a float in [0, 1). */
export interface Rng {
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An independent generator derived from this one's seed and a label (stable across runs). */
  fork(label: string): Rng;
}

/** 32-bit FNV-1a hash of a string. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Creates a seeded generator (mulberry32); the same seed always yields the same sequence. */
export function createRng(seed: number | string): Rng {
  const seedValue = typeof seed === "number" ? seed >>> 0 : hashString(seed);
  let state = seedValue;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    fork: (label) => createRng(hashString(`${seedValue}:${label}`)),
  };
}
