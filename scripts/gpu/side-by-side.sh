#!/usr/bin/env bash
# SoSeg vs the PyTorch reference of SoSegFormer on one CUDA GPU, in one run, one table (docs/benchmarks.md).
#   SoSeg:   soseg bench --model sosegformer --size 512 --batch 4 --device cuda --precision fp32|tf32|bf16 (and bf16 --channels-last)
#   PyTorch: the reference's run_gpu.sh (fp32, defaults, tf32, bf16, bf16+channels_last, compile)
# Usage: scripts/gpu/side-by-side.sh [out-folder]     (default: a new temporary folder; about 8 minutes)
#   SOSEG_RUN     command that runs soseg (default: .gpu/run.sh from scripts/gpu/pack.sh, made now if dotnet is here)
#   PERF_ANCHOR   folder of the PyTorch reference (default: ../shared/perf-anchor next to the repository)
#   SOSEG_STEPS   timed steps per phase (default 20, as the reference), SOSEG_WARMUP (default 5)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${1:-}" ]; then mkdir -p "$1" && out=$(cd "$1" && pwd); else out=$(mktemp -d); fi
anchor=${PERF_ANCHOR:-$root/../shared/perf-anchor}
steps=${SOSEG_STEPS:-20}
warmup=${SOSEG_WARMUP:-5}

if [ -z "${SOSEG_RUN:-}" ]; then
  if [ ! -x "$root/.gpu/run.sh" ]; then
    command -v dotnet >/dev/null 2>&1 || { echo "side-by-side.sh: no .gpu/run.sh and no dotnet to make it; run scripts/gpu/pack.sh where .NET is and bring .gpu/ along, or set SOSEG_RUN" >&2; exit 2; }
    "$root/scripts/gpu/pack.sh" "$root/.gpu" || exit 2
  fi
  SOSEG_RUN=$root/.gpu/run.sh
fi
[ -f "$anchor/run_gpu.sh" ] || { echo "side-by-side.sh: PyTorch reference not found at $anchor (set PERF_ANCHOR)" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "side-by-side.sh: python3 (with CUDA torch) is needed for the reference" >&2; exit 2; }

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | tee "$out/gpu.txt"
for variant in fp32 tf32 bf16 bf16-cl; do
  precision=${variant%-cl}; layout=(); [ "$variant" = bf16-cl ] && layout=(--channels-last)
  echo "== soseg bench --precision $precision ${layout[*]}" >&2
  timeout -k 10 240 $SOSEG_RUN bench --model sosegformer --size 512 --batch 4 --steps "$steps" --warmup "$warmup" \
    --device cuda --precision "$precision" "${layout[@]}" --json --no-progress > "$out/soseg-$variant.json" \
    || echo "   soseg bench --precision $precision ${layout[*]} failed (see above)" >&2
done
echo "== PyTorch reference: run_gpu.sh" >&2
bash "$anchor/run_gpu.sh" "$out/pytorch.jsonl" > "$out/pytorch.txt" || echo "   run_gpu.sh failed" >&2

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def load(path):
    try:
        with open(path) as f: return json.load(f)
    except (OSError, ValueError): return None
soseg = {p: load(os.path.join(out, f"soseg-{p}.json")) for p in ("fp32", "tf32", "bf16", "bf16-cl")}
rows = []
try:
    rows = [json.loads(l) for l in open(os.path.join(out, "pytorch.jsonl")) if l.startswith("{")]
except OSError: pass
def variant(r):
    return r["mode"] + ("+channels_last" if r["channels_last"] else "") + ("+compile" if r["compile"] else "") + ("+adamwloop" if r.get("adamw") == "loop" else "")
torch_ms = {}
for r in rows:
    torch_ms.setdefault(variant(r), {})[r["measure"]] = r
eager = [v["train_step"]["ms_median"] for k, v in torch_ms.items() if "compile" not in k and "adamwloop" not in k and "train_step" in v]
best = min(eager) if eager else None
gpu = open(os.path.join(out, "gpu.txt")).read().strip() if os.path.exists(os.path.join(out, "gpu.txt")) else "unknown GPU"
print(f"\nsosegformer, 512 x 512, batch 4, training step (forward, cross-entropy, backward, AdamW) and inference, median ms; {gpu}")
def f(x): return "-" if x is None else f"{x:.1f}"
def ratio(a, b): return "-" if a is None or b is None else f"{a / b:.2f}"
print(f"{'precision':11}{'SoSeg train':>12}{'PyTorch train':>14}{'ratio':>7}{'vs best eager':>14}{'SoSeg AdamW':>12}{'SoSeg infer':>12}{'PyTorch infer':>14}{'ratio':>7}")
for p, mode in (("fp32", "fp32"), ("tf32", "tf32"), ("bf16", "bf16"), ("bf16-cl", "bf16+channels_last")):
    s = soseg[p] or {}
    st = (s.get("trainStep") or {}).get("medianMs")
    so = (s.get("optimizerStep") or {}).get("medianMs")
    si = (s.get("forward") or {}).get("medianMs")
    t = torch_ms.get(mode, {})
    pt = t.get("train_step", {}).get("ms_median")
    pi = t.get("inference", {}).get("ms_median")
    print(f"{p:11}{f(st):>12}{f(pt):>14}{ratio(st, pt):>7}{ratio(st, best):>14}{f(so):>12}{f(si):>12}{f(pi):>14}{ratio(si, pi):>7}")
print("\nPyTorch variants (train ms): " + ", ".join(f"{k} {f(v.get('train_step', {}).get('ms_median'))}" for k, v in torch_ms.items()))
print(f"ratio = SoSeg / PyTorch (below 1: SoSeg faster); best eager = PyTorch's fastest non-compiled variant ({f(best)} ms)")
print(f"raw results: {out}")
PY
