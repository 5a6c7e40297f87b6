/**
 * Solves the square linear assignment problem (minimum-cost perfect matching) with the Hungarian method in its
 * O(n³) shortest-augmenting-path form with row/column potentials. `cost[i][j]` may be `Infinity` for a forbidden
 * pair as long as a finite assignment exists. Returns `assignment[i]` = the column given to row i.
 */
export function solveAssignment(cost: readonly (readonly number[])[]): number[] {
  const n = cost.length;
  if (n === 0) return [];
  for (const row of cost) if (row.length !== n) throw new Error("the assignment cost matrix must be square");
  // 1-based arrays; column 0 is a virtual column used to start each augmentation.
  const rowPotential = new Float64Array(n + 1);
  const colPotential = new Float64Array(n + 1);
  const rowOfCol = new Int32Array(n + 1); // rowOfCol[j] = row matched to column j (0 = none)
  const prevCol = new Int32Array(n + 1);
  for (let row = 1; row <= n; row++) {
    rowOfCol[0] = row;
    let col = 0;
    const minSlack = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Uint8Array(n + 1);
    do {
      used[col] = 1;
      const r = rowOfCol[col] as number;
      let delta = Number.POSITIVE_INFINITY;
      let nextCol = -1;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const reduced = (cost[r - 1] as readonly number[])[j - 1]! - (rowPotential[r] as number) - (colPotential[j] as number);
        if (reduced < (minSlack[j] as number)) {
          minSlack[j] = reduced;
          prevCol[j] = col;
        }
        if ((minSlack[j] as number) < delta) {
          delta = minSlack[j] as number;
          nextCol = j;
        }
      }
      if (nextCol < 0 || !Number.isFinite(delta)) throw new Error("the assignment problem has no finite solution");
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          rowPotential[rowOfCol[j] as number] = (rowPotential[rowOfCol[j] as number] as number) + delta;
          colPotential[j] = (colPotential[j] as number) - delta;
        } else {
          minSlack[j] = (minSlack[j] as number) - delta;
        }
      }
      col = nextCol;
    } while (rowOfCol[col] !== 0);
    do {
      const back = prevCol[col] as number;
      rowOfCol[col] = rowOfCol[back] as number;
      col = back;
    } while (col !== 0);
  }
  const assignment = new Array<number>(n).fill(-1);
  for (let j = 1; j <= n; j++) if ((rowOfCol[j] as number) > 0) assignment[(rowOfCol[j] as number) - 1] = j - 1;
  return assignment;
}
