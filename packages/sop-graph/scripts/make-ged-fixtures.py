#!/usr/bin/env python3
"""Generates the GED reference fixtures for @foresight/sop-graph with networkx (run once; tests only read the JSON).

Cost model (the same as sop-graph's `graphEditDistance`): directed graphs, one label per node, no edge labels, no
self-loops here; node substitution costs 0 when labels are equal and 1 otherwise; node insertion/deletion 1; edge
insertion/deletion 1; edge substitution 0. In networkx that is

    nx.graph_edit_distance(g1, g2, node_match=lambda a, b: a["label"] == b["label"])

with every other cost argument left at its default (networkx then uses 1 - node_match(...) for node substitution
and unit insertion/deletion costs), computed exactly (no timeout, no upper bound).

Usage: python3 packages/sop-graph/scripts/make-ged-fixtures.py  (writes src/test-fixtures/ged-networkx.json)
"""
import json
import os
import random

import networkx as nx

SEED = 20250721
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test-fixtures", "ged-networkx.json")


def random_graph(rng: random.Random, n: int, alphabet: list[str], p: float) -> dict:
    labels = [rng.choice(alphabet) for _ in range(n)]
    edges = [[u, v] for u in range(n) for v in range(n) if u != v and rng.random() < p]
    return {"labels": labels, "edges": edges}


def to_nx(graph: dict) -> nx.DiGraph:
    g = nx.DiGraph()
    for i, label in enumerate(graph["labels"]):
        g.add_node(i, label=label)
    g.add_edges_from(tuple(e) for e in graph["edges"])
    return g


def perturb(rng: random.Random, graph: dict, alphabet: list[str], edits: int) -> dict:
    labels = list(graph["labels"])
    edges = [list(e) for e in graph["edges"]]
    for _ in range(edits):
        kind = rng.choice(["relabel", "add-edge", "drop-edge", "add-node", "drop-node"])
        n = len(labels)
        if kind == "relabel" and n:
            labels[rng.randrange(n)] = rng.choice(alphabet)
        elif kind == "add-edge" and n > 1:
            u, v = rng.sample(range(n), 2)
            if [u, v] not in edges:
                edges.append([u, v])
        elif kind == "drop-edge" and edges:
            edges.pop(rng.randrange(len(edges)))
        elif kind == "add-node":
            labels.append(rng.choice(alphabet))
            if n:
                edges.append([rng.randrange(n), n])
        elif kind == "drop-node" and n > 1:
            k = rng.randrange(n)
            labels.pop(k)
            edges = [[u - (u > k), v - (v > k)] for u, v in edges if k not in (u, v)]
    return {"labels": labels, "edges": edges}


def main() -> None:
    rng = random.Random(SEED)
    cases = []
    # independent random pairs over a small alphabet (repeated labels)
    for i in range(24):
        n1, n2 = rng.randint(0, 6), rng.randint(1, 6)
        alphabet = ["a", "b", "c", "d"][: rng.randint(2, 4)]
        cases.append({"name": f"random-{i}", "g1": random_graph(rng, n1, alphabet, 0.3), "g2": random_graph(rng, n2, alphabet, 0.3)})
    # SOP-like pairs: unique names, the second a perturbed copy of the first
    names = ["代理.开始", "代理.核对身份", "用户.是本人", "用户.非本人", "代理.介绍产品", "用户.同意", "代理.礼貌结束", "Agent.X", "User.Y"]
    for i in range(12):
        n = rng.randint(3, 7)
        base = {"labels": rng.sample(names, n), "edges": [[u, v] for u in range(n) for v in range(n) if u != v and rng.random() < 0.25]}
        cases.append({"name": f"perturbed-{i}", "g1": base, "g2": perturb(rng, base, names, rng.randint(1, 4))})
    for case in cases:
        case["ged"] = nx.graph_edit_distance(to_nx(case["g1"]), to_nx(case["g2"]), node_match=lambda a, b: a["label"] == b["label"])
    payload = {
        "generator": "packages/sop-graph/scripts/make-ged-fixtures.py",
        "networkx": nx.__version__,
        "seed": SEED,
        "costModel": "unit costs; node substitution 0 if labels equal else 1; node/edge insertion and deletion 1; directed; edges unlabelled",
        "call": 'nx.graph_edit_distance(g1, g2, node_match=lambda a, b: a["label"] == b["label"])',
        "cases": cases,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
