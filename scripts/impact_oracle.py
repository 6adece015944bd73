#!/usr/bin/env python3
"""Cross-check `examples/impact.rs` against networkx on a generated graph.

    python3 scripts/impact_oracle.py N M QUERIES SEED OUTDIR [--check]

Writes OUTDIR/edges.txt (first line `N M`, then `src dst`: src depends on dst), with a mix of
local edges (layered, like a real estate) and random long edges (which create cycles), and
OUTDIR/queries.txt. With --check it also runs the release example and compares every line with
`len(networkx.ancestors(G, q))`: the CIs that transitively depend on q.
"""
import random
import subprocess
import sys
from pathlib import Path


def main() -> int:
    n, m, q, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])
    check = "--check" in sys.argv
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    edges = []
    for _ in range(m):
        a = rnd.randrange(n)
        if rnd.random() < 0.9:
            # Mostly depend on something "below" and nearby: a layered estate.
            b = max(0, a - 1 - int(rnd.expovariate(1 / 50)))
        else:
            b = rnd.randrange(n)
        edges.append((a, b))
    with open(out / "edges.txt", "w") as f:
        f.write(f"{n} {m}\n")
        f.writelines(f"{a} {b}\n" for a, b in edges)
    queries = [rnd.randrange(n) for _ in range(q)]
    with open(out / "queries.txt", "w") as f:
        f.writelines(f"{x}\n" for x in queries)
    if not check:
        return 0
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    run = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", "impact", "--", str(out / "edges.txt"), str(out / "queries.txt")],
        capture_output=True, text=True, check=True,
    )
    got = [tuple(map(int, line.split())) for line in run.stdout.splitlines()]
    want = [(x, len(nx.ancestors(g, x))) for x in queries]
    bad = [(g_, w) for g_, w in zip(got, want) if g_ != w]
    print(run.stderr.strip().splitlines()[-1])
    print(f"{len(got)} answers, {len(want)} expected, {len(bad)} mismatches; counts range {min(c for _, c in want)}..{max(c for _, c in want)}")
    for pair in bad[:10]:
        print("mismatch", pair)
    return 0 if not bad and len(got) == len(want) else 1


if __name__ == "__main__":
    sys.exit(main())
