function lcsLength(a: string, b: string): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * A partial similarity ratio in 0 … 100 in the spirit of fuzzywuzzy's `partial_ratio` (which ConvLab uses for soft
 * constraints): the best LCS ratio 2·LCS/(|s|+|w|) of the shorter string s against every window w of the longer
 * string of the same length, lower-cased and trimmed; 100 for two empty strings, 0 when exactly one is empty.
 */
export function partialRatio(a: string, b: string): number {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  if (x.length === 0 || y.length === 0) return x.length === y.length ? 100 : 0;
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  let best = 0;
  for (let start = 0; start + short.length <= long.length; start++) {
    const window = long.slice(start, start + short.length);
    best = Math.max(best, (2 * lcsLength(short, window)) / (2 * short.length));
    if (best === 1) break;
  }
  return Math.round(best * 100);
}
