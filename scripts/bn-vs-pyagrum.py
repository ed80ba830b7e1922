#!/usr/bin/env python3
"""Side by side: pyAgrum 3.3.1 (LazyPropagation, all posteriors) and `reinnervate bn` on the
same networks and the same evidence, in one run; prints seconds per case, peak memory and the
ratios, and the largest difference between the two engines' posteriors.

Networks with a reference file use its cases; munin1 (no reference file) gets evidence sets
drawn by forward sampling from the network with a fixed seed (so P(e) > 0), the same for both
engines. Each engine runs in its own child process per network so that its peak resident
memory (ru_maxrss / VmHWM) is its own.

Usage: scripts/bn-vs-pyagrum [--networks asia,munin,...] [--munin1-cases 3] [--findings 20]
(the wrapper creates a venv with pyagrum==3.3.1 and builds the binary first).
"""
import argparse
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pyagrum_child(bif_gz, cases_path):
    """Runs in a child process: one LazyPropagation per case, all posteriors."""
    import pyagrum as gum

    with tempfile.NamedTemporaryFile("w", suffix=".bif", delete=False) as f:
        f.write(gzip.open(bif_gz, "rt").read())
        path = f.name
    bn = gum.loadBN(path)
    os.unlink(path)
    cases = json.load(open(cases_path))
    out = []
    for ev in cases:
        t = time.perf_counter()
        ie = gum.LazyPropagation(bn)
        ie.setEvidence(ev)
        ie.makeInference()
        post = {}
        for name in bn.names():
            if name in ev:
                continue
            p = ie.posterior(name)
            var = bn.variable(name)
            post[name] = {var.label(i): float(p[i]) for i in range(var.domainSize())}
        out.append({"evidence": ev, "posteriors": post, "pyagrum_seconds": time.perf_counter() - t})
    with open("/proc/self/status") as f:
        hwm = [l for l in f if l.startswith("VmHWM")][0].split()[1]
    print(json.dumps({"cases": out, "peak_rss_mb": int(hwm) / 1024.0}))


def sample_evidence(bif_gz, n_cases, n_findings, seed):
    """Forward samples full states with pyAgrum's CPTs; keeps n_findings random variables."""
    import pyagrum as gum

    with tempfile.NamedTemporaryFile("w", suffix=".bif", delete=False) as f:
        f.write(gzip.open(bif_gz, "rt").read())
        path = f.name
    bn = gum.loadBN(path)
    os.unlink(path)
    rng = random.Random(seed)
    order = bn.topologicalOrder()
    names = sorted(bn.names())
    cases = []
    for _ in range(n_cases):
        state = {}
        for node in order:
            var = bn.variable(node)
            inst = {bn.variable(p).name(): state[bn.variable(p).name()] for p in bn.parents(node)}
            cpt = bn.cpt(node)
            probs = cpt[{k: var_state for k, var_state in inst.items()}] if inst else cpt[:]
            probs = list(probs) if hasattr(probs, "__iter__") else [probs]
            r, acc, pick = rng.random() * sum(probs), 0.0, len(probs) - 1
            for i, p in enumerate(probs):
                acc += p
                if r < acc:
                    pick = i
                    break
            state[var.name()] = var.label(pick)
        chosen = rng.sample(names, n_findings)
        cases.append({v: state[v] for v in chosen})
    return cases


def cpu_of_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_ours(binary, bif_gz, reference_path):
    """`reinnervate bn check --json`, or the engine-only `bn_check` example (same output)."""
    if os.path.basename(binary).startswith("bn_check"):
        cmd = [binary, bif_gz, reference_path]
    else:
        cmd = [binary, "bn", "check", bif_gz, reference_path, "--json", "--tolerance", "1"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--networks", default="asia,alarm,insurance,hailfinder,munin,munin1")
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared", "bn"))
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "reinnervate"),
                    help="reinnervate, or the engine-only example target/release/examples/bn_check")
    ap.add_argument("--munin1-cases", type=int, default=3)
    ap.add_argument("--findings", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return pyagrum_child(*a.child)
    rows = []
    tmp = tempfile.mkdtemp(prefix="bn-vs-pyagrum-")
    for name in a.networks.split(","):
        bif = os.path.join(a.shared, "networks", f"{name}.bif.gz")
        ref = os.path.join(a.shared, "reference", f"{name}.json")
        if os.path.exists(ref):
            evidence = [c["evidence"] for c in json.load(open(ref))["cases"]]
        else:
            evidence = sample_evidence(bif, a.munin1_cases, a.findings, a.seed)
        cases_path = os.path.join(tmp, f"{name}-evidence.json")
        json.dump(evidence, open(cases_path, "w"))
        print(f"[{name}] pyAgrum on {len(evidence)} cases ...", file=sys.stderr, flush=True)
        cpu0 = cpu_of_children()
        py = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--child", bif, cases_path],
            check=True, capture_output=True, text=True,
        )
        pyres = json.loads(py.stdout)
        cpu1 = cpu_of_children()
        # pyAgrum's posteriors become the reference our engine is checked against.
        ref_path = os.path.join(tmp, f"{name}-pyagrum.json")
        json.dump({"network": name, "engine": "pyAgrum 3.3.1 LazyPropagation", "cases": pyres["cases"]},
                  open(ref_path, "w"))
        print(f"[{name}] reinnervate on the same cases ...", file=sys.stderr, flush=True)
        ours = run_ours(a.binary, bif, ref_path)
        cpu2 = cpu_of_children()
        py_s = sum(c["pyagrum_seconds"] for c in pyres["cases"]) / len(pyres["cases"])
        our_s = sum(ours["seconds"]) / len(ours["seconds"])
        rows.append({
            "network": name, "cases": len(evidence),
            "findings": sorted({len(e) for e in evidence}),
            "pyagrum_s": py_s, "ours_s": our_s, "ours_compile_s": ours["compile_seconds"],
            "speedup": py_s / our_s if our_s > 0 else float("inf"),
            "speedup_incl_compile": py_s / (our_s + ours["compile_seconds"] / len(evidence)),
            "pyagrum_mb": pyres["peak_rss_mb"], "ours_mb": ours["peak_rss_mb"],
            "memory_ratio": ours["peak_rss_mb"] / pyres["peak_rss_mb"],
            "max_abs_diff": ours["max_abs_diff"],
            # Whole-process CPU seconds per case (reading, compiling, all cases): robust to a
            # busy machine, where wall time also counts waiting for a core.
            "pyagrum_cpu_s": (cpu1 - cpu0) / len(evidence), "ours_cpu_s": (cpu2 - cpu1) / len(evidence),
        })
    print("| network | cases | findings | pyAgrum s/case | ours s/case | ours compile s | speed-up | "
          "speed-up incl. compile | CPU s/case pyAgrum / ours (whole process) | pyAgrum peak MB | ours peak MB | "
          "ours/pyAgrum memory | max abs diff |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['network']} | {r['cases']} | {','.join(map(str, r['findings']))} | {r['pyagrum_s']:.4f} | "
              f"{r['ours_s']:.4f} | {r['ours_compile_s']:.3f} | {r['speedup']:.1f}x | "
              f"{r['speedup_incl_compile']:.1f}x | {r['pyagrum_cpu_s']:.3f} / {r['ours_cpu_s']:.3f} | "
              f"{r['pyagrum_mb']:.0f} | {r['ours_mb']:.0f} | "
              f"{r['memory_ratio']:.2f} | {r['max_abs_diff']:.1e} |")
    print(json.dumps(rows), file=open(os.path.join(tmp, "summary.json"), "w"))
    print(f"(raw figures in {tmp}/summary.json; load average {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
