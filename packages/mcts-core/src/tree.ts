/** Index meaning "no node / no edge / no realization". */
export const NONE = -1;
/** Node flag: the state ends the episode (or has no legal action). */
export const FLAG_TERMINAL = 1;
/** Node flag: the node's edges (actions and priors) exist. */
export const FLAG_EXPANDED = 2;
/**
 * Node flag: the node was stored but the simulation that created it was abandoned (deadline or abort) before its
 * evaluation was backed up; the next simulation to reach it evaluates it as a leaf.
 */
export const FLAG_UNEVALUATED = 4;

/** An error raised when a model returns something the search cannot use; the message names the method. */
export class MctsModelError extends Error {
  constructor(method: string, message: string) {
    super(`model.${method}: ${message}`);
    this.name = "MctsModelError";
  }
}

function grownInt32(array: Int32Array, capacity: number, fill = 0): Int32Array {
  const next = new Int32Array(capacity);
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}

function grownFloat64(array: Float64Array, capacity: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(array);
  return next;
}

function grownUint8(array: Uint8Array, capacity: number): Uint8Array {
  const next = new Uint8Array(capacity);
  next.set(array);
  return next;
}

/**
 * Writes `priors` normalised to sum to one into `out` from `offset` (uniform when absent or summing to zero);
 * throws naming `model.prior` when there are not `count` finite weights ≥ 0.
 */
export function normalisePriors(priors: ArrayLike<number> | undefined, count: number, out: Float64Array, offset: number): void {
  let sum = 0;
  if (priors !== undefined) {
    if (priors.length !== count) throw new MctsModelError("prior", `returned ${priors.length} weights for ${count} actions`);
    for (let i = 0; i < count; i++) {
      const p = priors[i] as number;
      if (!(p >= 0 && p < Infinity)) throw new MctsModelError("prior", `weight ${i} is ${String(p)}, not a finite number ≥ 0`);
      sum += p;
    }
  }
  const uniform = sum <= 0;
  for (let i = 0; i < count; i++) out[offset + i] = uniform ? 1 / count : (priors![i] as number) / sum;
}

/**
 * The search tree as structure-of-arrays. Nodes, edges (one per legal action of an expanded node, stored
 * contiguously) and open-loop realizations live in typed arrays that grow by doubling, so a synchronous search
 * stores nothing per simulation beyond the new node once the arrays are large enough.
 *
 * Statistics: a node holds N and the sum of returns from its own perspective (its first visit is its leaf
 * evaluation, as in mctx); an edge holds N and the sum of returns r + γ·G from its parent's perspective.
 */
export class Tree<S, A> {
  nodeCount = 0;
  nodeCapacity: number;
  visits: Int32Array;
  valueSum: Float64Array;
  rawValue: Float64Array;
  reward: Float64Array;
  parentEdge: Int32Array;
  firstEdge: Int32Array;
  edgeCount: Int32Array;
  nextOutcome: Int32Array;
  nodeVirtual: Int32Array;
  firstReal: Int32Array;
  realCount: Int32Array;
  flags: Uint8Array;
  states: S[] = [];
  actions: (readonly A[] | undefined)[] = [];
  keys: (string | number | undefined)[] = [];

  edgeTotal = 0;
  edgeCapacity: number;
  edgeVisits: Int32Array;
  edgeValue: Float64Array;
  edgePrior: Float64Array;
  edgeChild: Int32Array;
  edgeVirtual: Int32Array;

  realTotal = 0;
  realCapacity: number;
  realLive = 0;
  realStates: (S | undefined)[] = [];
  realVisits: Int32Array;
  realValue: Float64Array;
  realReward: Float64Array;
  realNext: Int32Array;
  realTerminal: Uint8Array;
  /** Caller-supplied static score of each realization (top-value caches with a `score`). */
  realScore: Float64Array;
  /** Generation of each realization slot, bumped when an evicted slot is reused (a stale holder can tell). */
  realGen: Int32Array;
  /** Priors P(·|h) per realization (open loop with `priorPerRealization`), computed on first use. */
  realPriors: (Float64Array | undefined)[] = [];
  /** Head of the free list of evicted realization slots (chained through `realNext`). */
  private realFree = NONE;

  /** Whether nodes hold realization caches (open loop). */
  readonly openLoop: boolean;
  /** Nodes flagged FLAG_UNEVALUATED (abandoned before their evaluation). */
  unevaluated = 0;
  /** Whether virtual-loss counters exist (allocated by the first parallel search). */
  virtualEnabled = false;

  /**
   * Creates an empty tree with room for `nodes` nodes and `edges` edges before the first growth; `openLoop`
   * adds per-node realization caches.
   */
  constructor(nodes = 1024, edges = 4096, openLoop = false, realizations = 0) {
    this.openLoop = openLoop;
    this.nodeCapacity = nodes;
    this.visits = new Int32Array(nodes);
    this.valueSum = new Float64Array(nodes);
    this.rawValue = new Float64Array(nodes);
    this.reward = new Float64Array(nodes);
    this.parentEdge = new Int32Array(nodes);
    this.firstEdge = new Int32Array(nodes);
    this.edgeCount = new Int32Array(nodes);
    this.nextOutcome = new Int32Array(nodes);
    this.nodeVirtual = new Int32Array(0);
    this.firstReal = new Int32Array(openLoop ? nodes : 0);
    this.realCount = new Int32Array(openLoop ? nodes : 0);
    this.flags = new Uint8Array(nodes);
    this.edgeCapacity = edges;
    this.edgeVisits = new Int32Array(edges);
    this.edgeValue = new Float64Array(edges);
    this.edgePrior = new Float64Array(edges);
    this.edgeChild = new Int32Array(edges);
    this.edgeVirtual = new Int32Array(0);
    this.realCapacity = realizations;
    this.realVisits = new Int32Array(realizations);
    this.realValue = new Float64Array(realizations);
    this.realReward = new Float64Array(realizations);
    this.realNext = new Int32Array(realizations);
    this.realTerminal = new Uint8Array(realizations);
    this.realScore = new Float64Array(realizations);
    this.realGen = new Int32Array(realizations);
  }

  private growNodes(): void {
    const cap = this.nodeCapacity * 2;
    this.visits = grownInt32(this.visits, cap);
    this.valueSum = grownFloat64(this.valueSum, cap);
    this.rawValue = grownFloat64(this.rawValue, cap);
    this.reward = grownFloat64(this.reward, cap);
    this.parentEdge = grownInt32(this.parentEdge, cap);
    this.firstEdge = grownInt32(this.firstEdge, cap);
    this.edgeCount = grownInt32(this.edgeCount, cap);
    this.nextOutcome = grownInt32(this.nextOutcome, cap);
    if (this.virtualEnabled) this.nodeVirtual = grownInt32(this.nodeVirtual, cap);
    if (this.openLoop) {
      this.firstReal = grownInt32(this.firstReal, cap);
      this.realCount = grownInt32(this.realCount, cap);
    }
    this.flags = grownUint8(this.flags, cap);
    this.nodeCapacity = cap;
  }

  private growEdges(needed: number): void {
    let cap = this.edgeCapacity * 2;
    while (cap < needed) cap *= 2;
    this.edgeVisits = grownInt32(this.edgeVisits, cap);
    this.edgeValue = grownFloat64(this.edgeValue, cap);
    this.edgePrior = grownFloat64(this.edgePrior, cap);
    this.edgeChild = grownInt32(this.edgeChild, cap);
    if (this.virtualEnabled) this.edgeVirtual = grownInt32(this.edgeVirtual, cap);
    this.edgeCapacity = cap;
  }

  /** Allocates the virtual-loss counters (all zero) if they do not exist yet. */
  enableVirtual(): void {
    if (this.virtualEnabled) return;
    this.virtualEnabled = true;
    this.nodeVirtual = new Int32Array(this.nodeCapacity);
    this.edgeVirtual = new Int32Array(this.edgeCapacity);
  }

  private growRealizations(): void {
    const cap = Math.max(16, this.realCapacity * 2);
    this.realVisits = grownInt32(this.realVisits, cap);
    this.realValue = grownFloat64(this.realValue, cap);
    this.realReward = grownFloat64(this.realReward, cap);
    this.realNext = grownInt32(this.realNext, cap);
    this.realTerminal = grownUint8(this.realTerminal, cap);
    this.realScore = grownFloat64(this.realScore, cap);
    this.realGen = grownInt32(this.realGen, cap);
    this.realCapacity = cap;
  }

  /** Adds a node reached through `parentEdge` (NONE for a root) and returns its index. */
  addNode(parentEdge: number, state: S, reward: number, terminal: boolean): number {
    const node = this.nodeCount;
    if (node === this.nodeCapacity) this.growNodes();
    this.nodeCount = node + 1;
    this.visits[node] = 0;
    this.valueSum[node] = 0;
    this.rawValue[node] = 0;
    this.reward[node] = reward;
    this.parentEdge[node] = parentEdge;
    this.firstEdge[node] = NONE;
    this.edgeCount[node] = 0;
    this.nextOutcome[node] = NONE;
    if (this.virtualEnabled) this.nodeVirtual[node] = 0;
    if (this.openLoop) {
      this.firstReal[node] = NONE;
      this.realCount[node] = 0;
    }
    this.flags[node] = terminal ? FLAG_TERMINAL : 0;
    this.states[node] = state;
    this.actions[node] = undefined;
    return node;
  }

  /**
   * Creates the edges of `node` for `actions`, with priors normalised to sum to one (uniform when `priors` is
   * absent or sums to zero). A node without actions becomes terminal.
   */
  expand(node: number, actions: readonly A[], priors: ArrayLike<number> | undefined): void {
    if (!Array.isArray(actions)) throw new MctsModelError("actions", "must return an array");
    const count = actions.length;
    const first = this.edgeTotal;
    if (first + count > this.edgeCapacity) this.growEdges(first + count);
    normalisePriors(priors, count, this.edgePrior, first);
    this.edgeTotal = first + count;
    this.firstEdge[node] = first;
    this.edgeCount[node] = count;
    this.actions[node] = actions;
    this.flags[node] = this.flags[node]! | FLAG_EXPANDED | (count === 0 ? FLAG_TERMINAL : 0);
    for (let i = 0; i < count; i++) {
      const e = first + i;
      this.edgeVisits[e] = 0;
      this.edgeValue[e] = 0;
      this.edgeChild[e] = NONE;
    }
  }

  /** Adds a realization (open loop) to `node` and returns its index; an evicted slot is reused first. */
  addRealization(node: number, state: S, reward: number, terminal: boolean): number {
    if (!this.openLoop) throw new Error("mcts: realizations exist only in open-loop trees");
    let r = this.realFree;
    if (r !== NONE) {
      this.realFree = this.realNext[r]!;
      this.realGen[r]! += 1;
    } else {
      r = this.realTotal;
      if (r === this.realCapacity) this.growRealizations();
      this.realTotal = r + 1;
      this.realGen[r] = 0;
    }
    this.realStates[r] = state;
    this.realPriors[r] = undefined;
    this.realScore[r] = 0;
    this.realVisits[r] = 0;
    this.realValue[r] = 0;
    this.realReward[r] = reward;
    this.realTerminal[r] = terminal ? 1 : 0;
    this.realNext[r] = this.firstReal[node]!;
    this.firstReal[node] = r;
    this.realCount[node]! += 1;
    this.realLive += 1;
    return r;
  }

  /**
   * Removes realization `r` from `node`'s cache, drops its state and frees its slot for reuse (the slot's
   * generation changes on reuse, so a simulation in flight that still holds `r` can tell; see `realGen`).
   */
  removeRealization(node: number, r: number): void {
    let prev = NONE;
    let cur = this.firstReal[node]!;
    while (cur !== NONE && cur !== r) {
      prev = cur;
      cur = this.realNext[cur]!;
    }
    if (cur === NONE) return;
    if (prev === NONE) this.firstReal[node] = this.realNext[r]!;
    else this.realNext[prev] = this.realNext[r]!;
    this.realCount[node]! -= 1;
    this.realStates[r] = undefined;
    this.realPriors[r] = undefined;
    this.realNext[r] = this.realFree;
    this.realFree = r;
    this.realLive -= 1;
  }

  /** Mean return of node `n` from its own perspective (0 when unvisited). */
  nodeValue(n: number): number {
    const v = this.visits[n]!;
    return v > 0 ? this.valueSum[n]! / v : 0;
  }

  /** Mean return of realization `r` (0 when unvisited). */
  realizationValue(r: number): number {
    const v = this.realVisits[r]!;
    return v > 0 ? this.realValue[r]! / v : 0;
  }

  /** Bytes held by the typed arrays and the JS arrays' slots (not the states themselves). */
  byteSize(): number {
    const optional = (this.virtualEnabled ? 4 : 0) + (this.openLoop ? 8 : 0);
    const nodeBytes = this.nodeCapacity * (4 + 8 + 8 + 8 + 4 + 4 + 4 + 4 + 1 + optional) + 8 * 2 * this.nodeCount;
    const edgeBytes = this.edgeCapacity * (4 + 8 + 8 + 4 + (this.virtualEnabled ? 4 : 0));
    const realBytes = this.realCapacity * (4 + 8 + 8 + 4 + 1 + 8 + 4) + 8 * (this.realStates.length + this.realPriors.length);
    return nodeBytes + edgeBytes + realBytes;
  }
}
