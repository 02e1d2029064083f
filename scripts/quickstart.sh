#!/usr/bin/env bash
# The README's first command: bring the whole system up on local defaults and run the main loop.
#   install → QuestDB + Redis → schema → simulated fleet backfill → default models (trained once, ONNX) →
#   build → API + workers + scheduler + retraining (compiled), with the simulator streaming live telemetry (and faults) into QuestDB.
# Ctrl-C stops the service and the simulator; `npm run services:down` stops QuestDB and Redis.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export ONNXRUNTIME_NODE_INSTALL=skip
export API_ANONYMOUS_ROLE="${API_ANONYMOUS_ROLE:-admin}"   # loopback demo: no key needed
export FORECAST_EVERY_MINUTES="${FORECAST_EVERY_MINUTES:-1}" # demo: see forecasts and recommendations quickly
SIM_GPUS="${SIM_GPUS:-256}"
SIM_SEED="${SIM_SEED:-42}"
BACKFILL_HOURS="${BACKFILL_HOURS:-2}"
STREAM_HOURS="${STREAM_HOURS:-168}"   # how long the live stream may run before its simulated run ends
log() { printf '\n[quickstart] %s\n' "$*"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

log "starting QuestDB and Redis"
bash scripts/services.sh up

log "backfilling ${BACKFILL_HOURS} h of a simulated ${SIM_GPUS}-GPU fleet (seed ${SIM_SEED}) into QuestDB"
# One simulated run of BACKFILL_HOURS + STREAM_HOURS: the backfill writes its part up to now (END), the live stream
# continues the same run from END (same seed and plan, the fleet in the state the backfill left it), so the first
# live minutes look like the hours before them instead of a different fleet stepping in at the seam.
read -r START END RUN_HOURS < <(node -e "
  const b = Number(process.argv[1]), s = Number(process.argv[2]), end = Date.now();
  console.log(new Date(end - b * 3600e3).toISOString(), new Date(end).toISOString(), b + s);
" "$BACKFILL_HOURS" "$STREAM_HOURS")
SIM_RUN=(--gpus "$SIM_GPUS" --seed "$SIM_SEED" --start "$START" --hours "$RUN_HOURS")
npx tsx scripts/simulate.ts backfill "${SIM_RUN[@]}" --until "$END" --progress lines

log "default models"
bash scripts/default-models.sh

mkdir -p .run   # logs; services.sh creates it only when it starts a service itself
log "starting the simulator stream (live telemetry with faults)"
node --import tsx scripts/simulate.ts stream "${SIM_RUN[@]}" --resume "$END" --progress lines > .run/simulator.log 2>&1 &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null || true' EXIT

log "building (the retrain role runs the compiled training entry points: dist/scripts/{train,evaluate}.js)"
npm run build --silent

log "serving: API on http://${API_HOST:-127.0.0.1}:${API_PORT:-8080} (docs at /docs), workers, scheduler, retraining"
# Every role from the built product: API, remediation and forecast workers, schedulers, and the retrain role
# (admin POST /v1/retrain, daily and drift-triggered retraining, shadow comparisons).
node dist/src/main.js all
