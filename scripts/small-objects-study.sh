#!/usr/bin/env bash
# Paper recipe vs planned recipe (`soseg plan`) on the three generated modalities, for sosegformer-s and unet,
# several seeds; writes one comparison per modality and arm, and a summary table (summary.md) of mean ± std over
# seeds of per-image foreground Dice, the authors' mDice and object recall per size bin.
#
#   scripts/small-objects-study.sh OUT            the full study (3 seeds; about an hour and a half on a 2-core CPU)
#   REDUCED=1 scripts/small-objects-study.sh OUT  a reduced run (sperm only, 1 seed, short schedule): a smoke test, not evidence
#   MODALITIES="sperm liver"  which modalities, in this order;  PARALLEL=N  cells trained at a time (default 2, one
#   libtorch thread each on a 2-core CPU; figures equal those of the same cells trained one after another at one thread)
#
# Both arms share the schedule (epochs, steps, crop, batch, learning rate) so that only what the plan changes
# differs: loss, foreground oversampling, scale mode and the selection score. The paper arm selects by the authors' mDice.
set -euo pipefail
out=${1:?usage: scripts/small-objects-study.sh OUT}
cd "$(dirname "$0")/.."
soseg=(dotnet run --project src/SoSeg.Cli -c Release --)
if [[ -x src/SoSeg.Cli/bin/Release/net10.0/soseg ]]; then soseg=(src/SoSeg.Cli/bin/Release/net10.0/soseg); fi

if [[ "${REDUCED:-0}" == 1 ]]; then
  modalities=(sperm); seeds=1; count=24; schedule=(--epochs 4 --steps-per-epoch 15 --validate-every 2)
else
  read -r -a modalities <<< "${MODALITIES:-sperm polyp liver}"; seeds=3; count=40; schedule=(--epochs 6 --steps-per-epoch 25 --validate-every 3)
fi
common=(--models sosegformer-s,unet --model-option unet:base-width=16 --seeds "$seeds" --batch 4 --crop 256 --window 640
        --lr 2e-3 --min-lr 1e-5 --warmup-epochs 1 --device cpu --no-progress --parallel "${PARALLEL:-2}" "${schedule[@]}")

mkdir -p "$out"
for modality in "${modalities[@]}"; do
  data="$out/data-$modality"
  # Polyp frames hold about one polyp each, a third of them ultra-small: 160 frames give a test set of 32 frames with 11
  # ultra-small polyps (40 frames gave one). Liver: 8 volumes of 48 slices.
  n=$count; [[ $modality == liver ]] && n=8; [[ $modality == polyp && "${REDUCED:-0}" != 1 ]] && n=160
  [[ -f "$data/dataset.json" ]] || "${soseg[@]}" generate "$modality" "$data" --count "$n" --seed 2024 --no-progress
  extra=(); [[ $modality == liver ]] && extra=(--drop-empty-slices)
  [[ -f "$out/plan-$modality.json" ]] || "${soseg[@]}" plan "$data" --out "$out/plan-$modality.json" --no-progress "${extra[@]}"
  "${soseg[@]}" compare --data "$data" --out "$out/paper-$modality" --loss ce --select-by mdice "${common[@]}" "${extra[@]}"
  "${soseg[@]}" compare --data "$data" --out "$out/planned-$modality" --plan "$out/plan-$modality.json" "${common[@]}" "${extra[@]}"
done

python3 - "$out" "${modalities[@]}" <<'PY'
import json, statistics, sys, os, glob
out, modalities = sys.argv[1], sys.argv[2:]
def stats(values):
    values = [v for v in values if v is not None]
    if not values: return "-"
    mean = statistics.mean(values) * 100
    std = statistics.stdev(values) * 100 if len(values) > 1 else 0.0
    return f"{mean:.1f} ± {std:.1f}"
def stratum(m, name): return next(s for s in m["strata"] if s["name"] == name)
def recall(m, name):
    b = next(b for b in m["objects"]["bins"] if b["name"] == name)["overall"]
    return b["found"] / b["groundTruthObjects"] if b["groundTruthObjects"] else None
def false_positives(m):
    return next(b for b in m["objects"]["bins"] if b["name"] == "all")["overall"]["falsePositives"] / stratum(m, "all")["imageCount"]
rows = ["| modality | model | recipe | per-image fg Dice | authors' mDice | recall ultra-small | recall small | recall all | FP objects / image | per-image Dice per class |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|"]
for modality in modalities:
    for model in ("sosegformer-s", "unet"):
        for arm in ("paper", "planned"):
            files = sorted(glob.glob(os.path.join(out, f"{arm}-{modality}", "runs", model, "seed*", "evaluation-test-best", "metrics.json")))
            metrics = [json.load(open(f)) for f in files]
            if not metrics: continue
            classes = ", ".join(f"{c['name']} " + stats([next(x for x in stratum(m, 'all')['perImage']['classes'] if x['name'] == c['name'])['means']['dice'] for m in metrics])
                                for c in stratum(metrics[0], "all")["perImage"]["classes"])
            rows.append(f"| {modality} | {model} | {arm} | {stats([stratum(m, 'all')['perImage']['foreground']['dice'] for m in metrics])} | "
                        f"{stats([stratum(m, 'all')['dataset']['weighted']['dice'] for m in metrics])} | "
                        + " | ".join(stats([recall(m, b) for m in metrics]) for b in ("ultra-small", "small", "all"))
                        + f" | {statistics.mean(false_positives(m) for m in metrics):.1f} | {classes} |")
open(os.path.join(out, "summary.md"), "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
