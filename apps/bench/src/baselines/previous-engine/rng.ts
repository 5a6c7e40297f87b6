/** 32-bit FNV-1a hash of a string, used to turn string seeds and fork labels into numbers. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One splitmix32 step: a well-mixed 32-bit value derived from `x`. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A small, fast, seeded pseudo-random generator (sfc32). It allocates nothing per draw, so the search's hot
 * loop can use it freely; the same seed always yields the same sequence.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The numeric seed this generator started from. */
  readonly seed: number;

  /** Creates a generator from a 32-bit seed (use {@link createRng} for string seeds). */
  constructor(seed: number) {
    this.seed = seed >>> 0;
    let s = this.seed;
    s = splitmix32(s);
    this.a = s;
    s = splitmix32(s);
    this.b = s;
    s = splitmix32(s);
    this.c = s;
    s = splitmix32(s);
    this.d = s | 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = (this.d + 1) | 0;
    const t = (((a + b) | 0) + d) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const cr = (c << 21) | (c >>> 11);
    this.c = (cr + t) | 0;
    this.d = d;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard Gumbel(0, 1) sample. */
  gumbel(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return -Math.log(-Math.log(u));
  }

  /** An independent generator derived from this one's seed and a label (stable across runs). */
  fork(label: string | number): Rng {
    return new Rng(hashSeed(`${this.seed}:${label}`));
  }
}

/** Creates a seeded generator; string seeds are hashed. */
export function createRng(seed: number | string): Rng {
  return new Rng(typeof seed === "number" ? seed >>> 0 : hashSeed(seed));
}
