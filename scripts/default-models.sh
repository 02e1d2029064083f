#!/usr/bin/env bash
# Small default models so a new user can score at once: trained on the simulated fleet with fast settings,
# exported to ONNX, written to models/<family>/<version>/. A family that already has a version is left alone
# (versions are never overwritten); FORCE=1 trains new versions anyway. This is the documented command that
# reproduces the committed default models.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MODELS_DIR="${MODELS_DIR:-models}"
SEED="${DEFAULT_MODELS_SEED:-42}"

has_version() { compgen -G "$MODELS_DIR/$1/*/model.onnx" >/dev/null; }

for family in anomaly fault ttf throughput; do
  if [ "${FORCE:-0}" != 1 ] && has_version "$family"; then
    echo "[default-models] $family: already present ($(ls "$MODELS_DIR/$family" | grep -v ACTIVE | tail -1))"
    continue
  fi
  echo "[default-models] training $family on the simulated fleet (fast settings)"
  npx tsx scripts/train.ts --model "$family" --source sim --sim-seed "$SEED" --seed "$SEED" \
    --out "$MODELS_DIR" --progress lines
done
