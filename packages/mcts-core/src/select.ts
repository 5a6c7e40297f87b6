import {
  RULE_MUZERO,
  RULE_PUCT,
  RULE_UCT,
  T_MINMAX,
  T_MIX,
  T_NONE,
  T_PARENT_SIBLINGS,
  type Config,
  type RuleConfig,
  type Transform,
} from "./config.js";
import { consideredVisitSequence } from "./gumbel.js";
import type { Rng } from "./rng.js";
import type { Tree } from "./tree.js";

const TINY = 1.1754943508222875e-38;

/**
 * Action selection and Q transforms over a {@link Tree}. Holds scratch buffers (so selection allocates nothing),
 * the tree-wide min/max of Q for the `minMax` transform, and the root's Gumbel noise and halving schedule.
 */
export class Selector<S, A> {
  /** Transformed (completed) Q of the node being scored, per edge. */
  q: Float64Array = new Float64Array(64);
  /** Effective visits (with virtual visits) of the node being scored, per edge. */
  n: Float64Array = new Float64Array(64);
  private scratch: Float64Array = new Float64Array(64);
  minSeen = Infinity;
  maxSeen = -Infinity;
  /** Gumbel noise per root edge (Gumbel root selection). */
  rootGumbel: Float64Array = new Float64Array(0);
  /** Root edge visits when the current search started (the halving schedule counts from them). */
  rootBase: Float64Array = new Float64Array(0);
  /** Considered-visit schedule of the current Gumbel search. */
  schedule: Int32Array = new Int32Array(0);
  /** Whether virtual losses are counted (parallel searches). */
  virtual = false;

  constructor(private readonly cfg: Config<S, A>) {}

  private ensure(k: number): void {
    if (k <= this.q.length) return;
    let cap = this.q.length;
    while (cap < k) cap *= 2;
    this.q = new Float64Array(cap);
    this.n = new Float64Array(cap);
    this.scratch = new Float64Array(cap);
  }

  /** Forgets the tree-wide min/max of Q (a new tree). */
  resetBounds(): void {
    this.minSeen = Infinity;
    this.maxSeen = -Infinity;
  }

  /** Recomputes the tree-wide min/max of Q from every visited edge of `tree` (after `advance` pruned it). */
  recomputeBounds(tree: Tree<S, A>): void {
    this.resetBounds();
    for (let e = 0; e < tree.edgeTotal; e++) {
      const n = tree.edgeVisits[e]!;
      if (n > 0) this.observe(tree.edgeValue[e]! / n);
    }
  }

  /** Records a backed-up Q for the tree-wide `minMax` transform. */
  observe(q: number): void {
    if (q < this.minSeen) this.minSeen = q;
    if (q > this.maxSeen) this.maxSeen = q;
  }

  /** Samples Gumbel noise for the root's edges and builds the halving schedule for `simulations` simulations. */
  prepareGumbel(tree: Tree<S, A>, root: number, simulations: number, rng: Rng, base: Float64Array): void {
    this.rootBase = base;
    const rule = this.cfg.root;
    const count = tree.edgeCount[root]!;
    this.rootGumbel = new Float64Array(count);
    for (let i = 0; i < count; i++) this.rootGumbel[i] = rule.gumbelScale === 0 ? 0 : rule.gumbelScale * rng.gumbel();
    const considered = Math.min(rule.maxConsidered, count);
    this.schedule = Int32Array.from(consideredVisitSequence(considered, simulations));
  }

  /** Picks the edge to follow from `node` at `depth` (the root has depth 0). */
  select(tree: Tree<S, A>, node: number, depth: number): number {
    const rule = depth === 0 ? this.cfg.root : this.cfg.interior;
    const transform = depth === 0 ? this.cfg.rootTransform : this.cfg.transform;
    if (rule.code === RULE_UCT && transform === T_NONE && !this.virtual) return this.fastUct(tree, node, rule.c);
    this.completeQ(tree, node, transform);
    switch (rule.code) {
      case RULE_UCT:
        return this.uct(tree, node, rule);
      case RULE_PUCT:
        return this.puct(tree, node, rule);
      case RULE_MUZERO:
        return this.muzero(tree, node, rule);
      default:
        return depth === 0 ? this.gumbelRoot(tree, node) : this.gumbelInterior(tree, node);
    }
  }

  /** UCT on raw mean returns without virtual loss: the allocation-free hot path. */
  private fastUct(tree: Tree<S, A>, node: number, c: number): number {
    const first = tree.firstEdge[node]!;
    const end = first + tree.edgeCount[node]!;
    const visits = tree.edgeVisits;
    const values = tree.edgeValue;
    const prior = tree.edgePrior;
    let unvisited = -1;
    let unvisitedPrior = -1;
    let best = first;
    let bestScore = -Infinity;
    const logN = Math.log(Math.max(1, tree.visits[node]!));
    for (let e = first; e < end; e++) {
      const n = visits[e]!;
      if (n === 0) {
        const p = prior[e]!;
        if (p > unvisitedPrior) {
          unvisitedPrior = p;
          unvisited = e;
        }
        continue;
      }
      const score = values[e]! / n + c * Math.sqrt(logN / n);
      if (score > bestScore || (score === bestScore && prior[e]! > prior[best]!)) {
        bestScore = score;
        best = e;
      }
    }
    return unvisited >= 0 ? unvisited : best;
  }

  /** Fills `q` and `n` for `node`'s edges according to `transform` (default: the root's). */
  completeQ(tree: Tree<S, A>, node: number, transform: Transform = this.cfg.rootTransform): void {
    const cfg = this.cfg;
    const first = tree.firstEdge[node]!;
    const k = tree.edgeCount[node]!;
    this.ensure(k);
    const q = this.q;
    const n = this.n;
    const loss = cfg.virtualLoss;
    for (let i = 0; i < k; i++) {
      const e = first + i;
      let visits = tree.edgeVisits[e]!;
      let sum = tree.edgeValue[e]!;
      if (this.virtual) {
        const v = tree.edgeVirtual[e]!;
        visits += v;
        sum -= v * loss;
      }
      n[i] = visits;
      q[i] = visits > 0 ? sum / visits : 0;
    }
    switch (transform) {
      case T_NONE:
        for (let i = 0; i < k; i++) if (n[i] === 0) q[i] = cfg.initialQ;
        return;
      case T_MINMAX: {
        const lo = cfg.minMaxFixed ? cfg.minValue : this.minSeen;
        const hi = cfg.minMaxFixed ? cfg.maxValue : this.maxSeen;
        const range = hi - lo;
        for (let i = 0; i < k; i++) {
          if (n[i] === 0) q[i] = cfg.initialQ;
          else if (range > 0) q[i] = (q[i]! - lo) / range;
        }
        return;
      }
      case T_PARENT_SIBLINGS: {
        const nodeValue = tree.nodeValue(node);
        let lo = nodeValue;
        let hi = nodeValue;
        for (let i = 0; i < k; i++) {
          if (n[i]! > 0) {
            if (q[i]! < lo) lo = q[i]!;
            if (q[i]! > hi) hi = q[i]!;
          }
        }
        const range = Math.max(hi - lo, cfg.epsilon);
        for (let i = 0; i < k; i++) q[i] = n[i]! > 0 ? (q[i]! - lo) / range : 0;
        return;
      }
      case T_MIX:
        this.mixValue(tree, node, first, k);
        return;
    }
  }

  /** mctx's completed Q by mixed value, scaled by (maxVisitInit + max n)·valueScale. */
  private mixValue(tree: Tree<S, A>, node: number, first: number, k: number): void {
    const cfg = this.cfg;
    const q = this.q;
    const n = this.n;
    let value = tree.rawValue[node]!;
    if (cfg.useMixedValue) {
      let sumVisits = 0;
      let sumProbs = 0;
      for (let i = 0; i < k; i++) {
        sumVisits += n[i]!;
        if (n[i]! > 0) sumProbs += Math.max(TINY, tree.edgePrior[first + i]!);
      }
      let weighted = 0;
      for (let i = 0; i < k; i++) {
        if (n[i]! > 0) weighted += (Math.max(TINY, tree.edgePrior[first + i]!) * q[i]!) / sumProbs;
      }
      value = (value + sumVisits * weighted) / (sumVisits + 1);
    }
    let maxVisit = 0;
    for (let i = 0; i < k; i++) {
      if (n[i] === 0) q[i] = value;
      if (n[i]! > maxVisit) maxVisit = n[i]!;
    }
    if (cfg.rescaleValues) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < k; i++) {
        if (q[i]! < lo) lo = q[i]!;
        if (q[i]! > hi) hi = q[i]!;
      }
      const range = Math.max(hi - lo, cfg.epsilon);
      for (let i = 0; i < k; i++) q[i] = (q[i]! - lo) / range;
    }
    const scale = (cfg.maxVisitInit + maxVisit) * cfg.valueScale;
    for (let i = 0; i < k; i++) q[i] = scale * q[i]!;
  }

  private parentVisits(tree: Tree<S, A>, node: number): number {
    return tree.visits[node]! + (this.virtual ? tree.nodeVirtual[node]! : 0);
  }

  private uct(tree: Tree<S, A>, node: number, rule: RuleConfig): number {
    const first = tree.firstEdge[node]!;
    const k = tree.edgeCount[node]!;
    const logN = Math.log(Math.max(1, this.parentVisits(tree, node)));
    let best = 0;
    let bestScore = -Infinity;
    let bestPrior = -1;
    for (let i = 0; i < k; i++) {
      const n = this.n[i]!;
      const p = tree.edgePrior[first + i]!;
      const score = n === 0 ? Infinity : this.q[i]! + rule.c * Math.sqrt(logN / n);
      if (score > bestScore || (score === bestScore && p > bestPrior)) {
        bestScore = score;
        bestPrior = p;
        best = i;
      }
    }
    return first + best;
  }

  private puct(tree: Tree<S, A>, node: number, rule: RuleConfig): number {
    const first = tree.firstEdge[node]!;
    const k = tree.edgeCount[node]!;
    let total = 0;
    for (let i = 0; i < k; i++) total += this.n[i]!;
    const sqrtTotal = Math.sqrt(total);
    let best = 0;
    let bestScore = -Infinity;
    let bestPrior = -1;
    for (let i = 0; i < k; i++) {
      const p = tree.edgePrior[first + i]!;
      const score = this.q[i]! + (rule.c * p * sqrtTotal) / (1 + this.n[i]!);
      if (score > bestScore || (score === bestScore && p > bestPrior)) {
        bestScore = score;
        bestPrior = p;
        best = i;
      }
    }
    return first + best;
  }

  private muzero(tree: Tree<S, A>, node: number, rule: RuleConfig): number {
    const first = tree.firstEdge[node]!;
    const k = tree.edgeCount[node]!;
    const nodeVisits = this.parentVisits(tree, node);
    const pbC = rule.pbCInit + Math.log((nodeVisits + rule.pbCBase + 1) / rule.pbCBase);
    const scale = Math.sqrt(nodeVisits) * pbC;
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < k; i++) {
      const score = this.q[i]! + (scale * tree.edgePrior[first + i]!) / (this.n[i]! + 1);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return first + best;
  }

  /** Gumbel MuZero's non-root selection: argmax of softmax(logits + σ(q̂)) − n / (1 + Σn). */
  private gumbelInterior(tree: Tree<S, A>, node: number): number {
    const first = tree.firstEdge[node]!;
    const k = tree.edgeCount[node]!;
    const logits = this.scratch;
    let hi = -Infinity;
    let total = 0;
    for (let i = 0; i < k; i++) {
      const l = Math.log(Math.max(TINY, tree.edgePrior[first + i]!)) + this.q[i]!;
      logits[i] = l;
      if (l > hi) hi = l;
      total += this.n[i]!;
    }
    let z = 0;
    for (let i = 0; i < k; i++) {
      const w = Math.exp(logits[i]! - hi);
      logits[i] = w;
      z += w;
    }
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < k; i++) {
      const score = logits[i]! / z - this.n[i]! / (1 + total);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return first + best;
  }

  /**
   * Gumbel MuZero's root selection (sequential halving): among actions whose visits equal the scheduled count,
   * the highest g + logits + σ(q̂). When no action has that count (a reused root), the least-visited of the
   * best-scored actions is taken instead.
   */
  private gumbelRoot(tree: Tree<S, A>, node: number): number {
    const first = tree.firstEdge[node]!;
    const k = tree.edgeCount[node]!;
    let total = 0;
    let maxLogit = -Infinity;
    const base = this.rootBase;
    for (let i = 0; i < k; i++) {
      total += this.n[i]! - (i < base.length ? base[i]! : 0);
      const l = Math.log(Math.max(TINY, tree.edgePrior[first + i]!));
      this.scratch[i] = l;
      if (l > maxLogit) maxLogit = l;
    }
    const considered = total < this.schedule.length ? this.schedule[total]! : -1;
    let best = -1;
    let bestScore = -Infinity;
    let fallback = 0;
    let fallbackVisits = Infinity;
    let fallbackScore = -Infinity;
    for (let i = 0; i < k; i++) {
      const g = i < this.rootGumbel.length ? this.rootGumbel[i]! : 0;
      const score = Math.max(-1e9, g + this.scratch[i]! - maxLogit + this.q[i]!);
      const visits = this.n[i]! - (i < base.length ? base[i]! : 0);
      if (visits === considered && score > bestScore) {
        bestScore = score;
        best = i;
      }
      if (visits < fallbackVisits || (visits === fallbackVisits && score > fallbackScore)) {
        fallbackVisits = visits;
        fallbackScore = score;
        fallback = i;
      }
    }
    return first + (best >= 0 ? best : fallback);
  }
}
