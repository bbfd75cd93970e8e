#!/usr/bin/env bash
# Real-cluster test of `ecgssl plan --emit slurm` (issue 8): starts a private single-node Slurm cluster on localhost
# (munged + slurmctld + slurmd, state and logs in a temporary folder; no systemd, no cgroups), submits the job-array
# script of a small synthetic config, waits for it, runs `ecgssl merge`, and checks that the merged summary equals
# the one of `ecgssl run` (all stages in one process). Then runs two `ecgssl task` processes concurrently on one
# results folder and checks nothing is corrupted (same fold results as the cluster run, valid JSON, no temp or lock
# files left).
#
# Installs nothing: needs slurm-wlm and munge (Debian: apt-get install slurm-wlm munge), root (the daemons run as
# root), and a built ecgssl (npm run build).
# Exit status: 0 passed; 77 skipped (prerequisites missing, or the daemons could not start here); anything else:
# a real failure (a job failed, or the results differ).
set -uo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
ECGSSL=(node "$REPO/bin/ecgssl.js")
JOB_TIMEOUT_S="${ECGSSL_SLURM_JOB_TIMEOUT_S:-240}"

skip() { echo "slurm-test: SKIP: $*" >&2; exit 77; }
fail() { echo "slurm-test: FAIL: $*" >&2; exit 1; }
note() { echo "slurm-test: $*" >&2; }

for cmd in munged slurmctld slurmd sbatch squeue scontrol sinfo node; do
  command -v "$cmd" >/dev/null 2>&1 || skip "$cmd not found (apt-get install slurm-wlm munge)"
done
[ "$(id -u)" = 0 ] || skip "needs root (the test cluster's daemons run as root)"
[ -f "$REPO/dist/cli/main.js" ] || skip "ecgssl is not built (npm run build)"

WORK="$(mktemp -d /tmp/ecgssl-slurm-XXXXXX)"
chmod 700 "$WORK"
PIDS=()
cleanup() {
  local code=$?
  if [ -n "${JOB_ID:-}" ]; then scancel "$JOB_ID" >/dev/null 2>&1 || true; fi
  # Stop only the daemons this script started, by their pid files.
  for f in "$WORK/slurmd.pid" "$WORK/slurmctld.pid" "$WORK/munged.pid"; do
    if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
  done
  sleep 1
  if [ "$code" = 0 ] || [ "${KEEP_WORK:-0}" != 1 ]; then rm -rf "$WORK"; fi
  exit "$code"
}
trap cleanup EXIT

HOST="$(hostname -s)"
NCPU=4 # declared to Slurm (config_overrides): two 2-CPU array elements run at once even on a 2-core machine
# Private ports, derived from the pid so that concurrent runs do not collide.
PORT_CTLD=$((20000 + ($$ % 20000)))
PORT_D=$((PORT_CTLD + 1))

# --- munge: a private munged with its own key and socket ---------------------------------------------------------
mkdir -p "$WORK/munge"
chmod 700 "$WORK/munge"
if command -v mungekey >/dev/null 2>&1; then
  mungekey --create --keyfile="$WORK/munge/munge.key" >/dev/null 2>&1 || skip "mungekey could not create a key"
else
  dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 600 "$WORK/munge/munge.key"
MUNGE_SOCKET="$WORK/munge/munge.socket"
munged --force --key-file="$WORK/munge/munge.key" --socket="$MUNGE_SOCKET" --pid-file="$WORK/munged.pid" \
  --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/munged.seed" >/dev/null 2>&1 \
  || skip "munged could not start: $(tail -n 3 "$WORK/munge/munged.log" 2>/dev/null)"
for _ in $(seq 1 50); do [ -S "$MUNGE_SOCKET" ] && break; sleep 0.1; done
[ -S "$MUNGE_SOCKET" ] || skip "munged did not create its socket"

# --- slurm.conf: one node (this host), one partition, no cgroups, no accounting -----------------------------------
mkdir -p "$WORK/state" "$WORK/spool"
export SLURM_CONF="$WORK/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=ecgssltest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT_CTLD
SlurmdPort=$PORT_D
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=3600
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$NCPU State=UNKNOWN
PartitionName=ecgssl Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -f "$SLURM_CONF" -c >/dev/null 2>&1 || skip "slurmctld could not start: $(tail -n 3 "$WORK/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" -N "$HOST" >/dev/null 2>&1 || skip "slurmd could not start: $(tail -n 3 "$WORK/slurmd.log" 2>/dev/null)"
up=0
for _ in $(seq 1 60); do
  state="$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1)"
  case "$state" in idle*|mixed*|allocated*) up=1; break ;; esac
  sleep 0.5
done
[ "$up" = 1 ] || skip "the test cluster did not come up (node state '${state:-none}'): $(tail -n 3 "$WORK/slurmd.log" 2>/dev/null)"
note "cluster up: node $HOST, $NCPU CPUs, slurmctld port $PORT_CTLD"

# A probe job: if this cluster cannot run a trivial job here (container limits, slurmstepd problems), that is an
# environment problem, not an ecgssl one: skip.
PROBE_ID="$(sbatch --parsable --output=/dev/null --error=/dev/null --wrap "touch $WORK/probe.ok" 2>/dev/null)" \
  || skip "sbatch refused a trivial job"
for _ in $(seq 1 60); do [ -f "$WORK/probe.ok" ] && break; sleep 0.5; done
[ -f "$WORK/probe.ok" ] || { scancel "$PROBE_ID" >/dev/null 2>&1; skip "the test cluster does not run jobs here: $(tail -n 3 "$WORK/slurmd.log" 2>/dev/null)"; }

# --- a small experiment -------------------------------------------------------------------------------------------
cat > "$WORK/small.yaml" <<EOF
experiment: slurmtest
seed: 4
data:
  kind: synthetic
  root: $WORK/synthetic
  tasks: [arousal, valence]
  synthetic: { subjects: 2, recordingsPerSubject: 4, recordingSeconds: 8, samplingRateHz: 64, seed: 3 }
preprocessing: { targetRateHz: 64, windowSamples: 64 }
transformations: { permute: { segments: 8 } }
model: { filters: [4, 8, 8], kernelSizes: [8, 4, 4], headUnits: 8 }
pretrain: { scope: fold, epochs: 1, batchWindows: 16, heldOutFraction: 0 }
finetune: { epochs: 3, batchSize: 16, units: 16, layers: 1, baselineEpochs: 1 }
evaluation: { folds: 2, labelFractions: ['50%'] }
engine: { backend: wasm, threads: 1 }
output: { root: $WORK/results-slurm, cacheDir: $WORK/cache }
EOF
CFG="$WORK/small.yaml"
cd "$WORK" || fail "cannot enter $WORK"

"${ECGSSL[@]}" plan --config "$CFG" --emit slurm --parallel 2 > "$WORK/job.sh" || fail "ecgssl plan --emit slurm failed"
grep -q '^#SBATCH --array=0-6%2$' "$WORK/job.sh" || fail "unexpected array line: $(grep -- '--array' "$WORK/job.sh")"
JOB_ID="$(sbatch --parsable "$WORK/job.sh")" || fail "sbatch refused the emitted script"
JOB_ID="${JOB_ID%%;*}"
note "submitted job array $JOB_ID (7 tasks, 2 at a time)"

t0=$(date +%s)
while :; do
  left="$(squeue -h -j "$JOB_ID" 2>/dev/null | wc -l)"
  [ "$left" = 0 ] && break
  if [ $(($(date +%s) - t0)) -gt "$JOB_TIMEOUT_S" ]; then
    squeue -j "$JOB_ID" >&2
    fail "job array $JOB_ID still running after $JOB_TIMEOUT_S s"
  fi
  sleep 2
done
note "job array finished in $(($(date +%s) - t0)) s"
states="$(scontrol -o show job "$JOB_ID" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort | uniq -c)"
if [ "$(scontrol -o show job "$JOB_ID" | grep -c 'JobState=COMPLETED')" != 7 ]; then
  for f in "$WORK"/results-slurm/slurmtest/slurm-logs/*.err; do echo "== $f" >&2; tail -n 5 "$f" >&2; done
  fail "not every array element completed: $states"
fi

MERGED="$("${ECGSSL[@]}" merge "$WORK/results-slurm/slurmtest" --json -q)" || fail "ecgssl merge failed (missing tasks?)"
RUN_DIR="$(node -e 'const r = JSON.parse(process.argv[1]); if (r.missing.length) process.exit(1); process.stdout.write(r.points[0].runDir)' "$MERGED")" \
  || fail "merge lists missing tasks: $MERGED"

"${ECGSSL[@]}" run --config "$CFG" --set "output.root=$WORK/results-run" -q > /dev/null || fail "ecgssl run failed"
RUN_ID="$(basename "$RUN_DIR")"
node - "$RUN_DIR/summary.json" "$WORK/results-run/slurmtest/$RUN_ID/summary.json" <<'EOF' || fail "the merged summary differs from ecgssl run's"
const fs = require('node:fs');
const [a, b] = process.argv.slice(2).map((p) => JSON.parse(fs.readFileSync(p, 'utf8')));
const pick = (s) => JSON.stringify({ rows: s.rows, skipped: s.skipped });
if (a.rows.length === 0) { console.error('empty merged summary'); process.exit(1); }
if (pick(a) !== pick(b)) {
  const i = a.rows.findIndex((r, k) => JSON.stringify(r) !== JSON.stringify(b.rows[k]));
  console.error(`first differing row ${i}:\n  merged ${JSON.stringify(a.rows[i])}\n  run    ${JSON.stringify(b.rows[i])}`);
  process.exit(1);
}
console.error(`slurm-test: merged summary == ecgssl run summary (${a.rows.length} rows)`);
EOF

# --- two tasks at once on one results folder ----------------------------------------------------------------------
CONC="$WORK/results-conc"
# finetune-f1 (index 4) and evaluate-f1 (index 6) both need prepare and pretrain-f1; index 4 twice races for the same unit.
pids=()
for i in 4 6 4; do
  "${ECGSSL[@]}" task --config "$CFG" --set "output.root=$CONC" --set "output.cacheDir=$WORK/cache-conc" --index "$i" --json -q > "$WORK/conc-$i-$RANDOM.json" 2>> "$WORK/conc.err" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || { cat "$WORK/conc.err" >&2; fail "a concurrent ecgssl task failed"; }; done
node - "$WORK" "$CONC/slurmtest/$RUN_ID" "$RUN_DIR" <<'EOF' || fail "concurrent tasks corrupted the results folder"
const fs = require('node:fs');
const path = require('node:path');
const [work, conc, ref] = process.argv.slice(2);
const outs = fs.readdirSync(work).filter((f) => f.startsWith('conc-')).map((f) => JSON.parse(fs.readFileSync(path.join(work, f), 'utf8')));
const ran = (id) => outs.flatMap((o) => o.units).filter((u) => u.id === id && u.status === 'done').length;
for (const id of ['p0-prepare', 'p0-pretrain-f1', 'p0-finetune-f1', 'p0-evaluate-f1-50pct'])
  if (ran(id) !== 1) throw new Error(`${id} ran ${ran(id)} times, expected exactly once`);
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
for (const f of walk(conc)) {
  if (/\.tmp$|\.lock$|\.break$/.test(f)) throw new Error(`left over: ${f}`);
  if (f.endsWith('.json')) JSON.parse(fs.readFileSync(f, 'utf8'));
}
const strip = (u) => JSON.stringify(u.folds.map(({ seconds, ...rest }) => rest));
// Fold unit files (training/foldUnits): finetune-f1 writes units/f1-100pct.json, evaluate-f1-50pct units/f1-50pct.json.
for (const unit of ['f1-100pct', 'f1-50pct']) {
  const a = JSON.parse(fs.readFileSync(path.join(conc, 'units', `${unit}.json`), 'utf8'));
  const b = JSON.parse(fs.readFileSync(path.join(ref, 'units', `${unit}.json`), 'utf8'));
  if (strip(a) !== strip(b)) throw new Error(`${unit}: the concurrent run's fold results differ from the cluster run's`);
}
console.error('slurm-test: concurrent tasks: every shared unit ran once, results intact and equal to the cluster run');
EOF
note "PASS"
