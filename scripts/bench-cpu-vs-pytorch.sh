#!/usr/bin/env bash
# SoSeg vs the PyTorch reference of SoSegFormer on this machine's CPU, in one run (docs/benchmarks.md):
# sosegformer at the reference's "small" configuration (same 10.6 M parameters) and at paper scale ("default",
# 177.9 M), at small sizes, fp32 and bf16,
# training step and inference, the two frameworks alternating so both see the same machine state.
# Needs a built soseg (dotnet build -c Release) and python3 with torch (Debian: apt-get install python3-torch).
# Usage: scripts/bench-cpu-vs-pytorch.sh [out-folder]
#   PERF_ANCHOR  the reference's folder (default: ../shared/perf-anchor next to the repository)
#   STEPS, WARMUP  timed and warm-up steps per phase (default 3 and 1); PYTHON  python with torch
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${1:-}" ]; then mkdir -p "$1" && out=$(cd "$1" && pwd); else out=$(mktemp -d); fi
anchor=${PERF_ANCHOR:-$root/../shared/perf-anchor}
soseg=${SOSEG:-$root/src/SoSeg.Cli/bin/Release/net10.0/soseg}
steps=${STEPS:-3}
warmup=${WARMUP:-1}
[ -x "$soseg" ] || { echo "bench-cpu-vs-pytorch.sh: $soseg not built (dotnet build -c Release)" >&2; exit 2; }
[ -f "$anchor/bench.py" ] || { echo "bench-cpu-vs-pytorch.sh: reference not found at $anchor (set PERF_ANCHOR)" >&2; exit 2; }
# The first python with torch: PYTHON, python3 on PATH, or Debian's.
for python in ${PYTHON:-python3 /usr/bin/python3}; do "$python" -c 'import torch' 2>/dev/null && break; python=""; done
[ -n "$python" ] || { echo "bench-cpu-vs-pytorch.sh: no python3 with torch (apt-get install python3-torch, or set PYTHON)" >&2; exit 2; }

threads=$(nproc)
: > "$out/pytorch.jsonl"
# label|SoSeg model|SoSeg model options|reference config|size|batch. The reference's "small" (width 0.25, depths 2,2,2,2)
# is SoSeg's sosegformer with the options below: 10,565,530 parameters in both (sosegformer-s is smaller: 1/8 widths, depth 1).
# Batch 2: with one image the ASPP pooling BatchNorm has one value per channel, which PyTorch refuses in training.
cases=(
  "sosegformer-small|sosegformer|stem=16 widths=16,32,64,128 depths=2,2,2,2 aspp-channels=128|small|128|2"
  "sosegformer|sosegformer||default|64|2"
)
for case in "${cases[@]}"; do
  IFS='|' read -r label model options config size batch <<< "$case"
  model_options=(); for o in $options; do model_options+=(--model-option "$o"); done
  for precision in fp32 bf16; do
    echo "== $label $size x $size batch $batch $precision" >&2
    /usr/bin/time -f "%e %U %S" -o "$out/soseg-$label-$precision.time" \
      "$soseg" bench --model "$model" "${model_options[@]}" --size "$size" --batch "$batch" --steps "$steps" --warmup "$warmup" \
      --device cpu --precision "$precision" --json --no-progress > "$out/soseg-$label-$precision.json" 2>/dev/null \
      || echo "   soseg failed" >&2
    (cd "$anchor" && "$python" bench.py --config "$config" --size "$size" --batch "$batch" --steps "$steps" --warmup "$warmup" \
      --device cpu --threads "$threads" --mode "$precision") | sed "s/^{/{\"soseg_model\": \"$label\", /" >> "$out/pytorch.jsonl" \
      || echo "   reference failed" >&2
  done
done

"$python" - "$out" "$steps" "$warmup" <<'PY'
import json, os, sys, platform
out, steps, warmup = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(l) for l in open(os.path.join(out, "pytorch.jsonl")) if l.startswith("{")]
def ref(model, mode, measure):
    return next((r for r in rows if r["soseg_model"] == model and r["mode"] == mode and r["measure"] == measure), None)
def soseg(model, precision):
    try: return json.load(open(os.path.join(out, f"soseg-{model}-{precision}.json")))
    except (OSError, ValueError): return None
f = lambda x: "-" if x is None else f"{x:.0f}"
r = lambda a, b: "-" if a is None or b is None else f"{a / b:.2f}"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
torch_version = rows[0]["torch"] if rows else "?"
print(f"CPU: {cpu}, {os.cpu_count()} logical CPUs; PyTorch {torch_version}; medians of {steps} steps after {warmup} warm-up\n")
print("| model | parameters (SoSeg / PyTorch) | input | precision | SoSeg train ms | PyTorch train ms | ratio | SoSeg infer ms | PyTorch infer ms | ratio | SoSeg AdamW ms |")
print("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
for model in ("sosegformer-small", "sosegformer"):
    for precision in ("fp32", "bf16"):
        s = soseg(model, precision) or {}
        st = (s.get("trainStep") or {}).get("medianMs"); si = (s.get("forward") or {}).get("medianMs"); so = (s.get("optimizerStep") or {}).get("medianMs")
        pt = (ref(model, precision, "train_step") or {}).get("ms_median"); pi = (ref(model, precision, "inference") or {}).get("ms_median")
        size = f"{s.get('batch', '?')} x {s.get('size', '?')}^2"
        params = f"{s.get('parameters', '?'):,} / " + (f"{(ref(model, 'fp32', 'train_step') or {}).get('params'):,}" if ref(model, 'fp32', 'train_step') else "-")
        print(f"| {model} | {params} | {size} | {precision} | {f(st)} | {f(pt)} | {r(st, pt)} | {f(si)} | {f(pi)} | {r(si, pi)} | {f(so)} |")
print("\nratio = SoSeg / PyTorch (below 1: SoSeg faster). Raw results:", out)
PY
