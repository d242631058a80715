#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A sweep on a real Slurm (ctest -L slurm, make test-slurm): starts a one-node cluster from
# Debian's packages (slurmctld, slurmd, munge) in a temporary folder, submits a sweep emitted by
# `igbsim sweep --emit-slurm` with its submit.sh (sbatch), waits for the array and the merge,
# and checks that sweep.csv equals the same sweep run locally, wall-clock column aside.
#
# Usage: slurm_test.sh IGBSIM WORKDIR
#
# Installs slurm-wlm and munge when they are missing (as root; scripts/setup.sh does not, so
# that `make run` never puts a batch system's daemons on a workstation). Needs no systemd and
# no cgroups: ProctrackType=proctrack/linuxproc, TaskPlugin=task/none,
# JobAcctGatherType=jobacct_gather/none, no accounting database; munged, slurmctld and slurmd
# run as root with their keys, sockets, state and logs in the temporary folder, on free
# loopback ports. The daemons are stopped and the folder removed however the test ends.
set -euo pipefail
igbsim=$(realpath "$1")
work=$(realpath -m "$2")
fail() { echo "slurm_test: FAILED: $*" >&2; exit 1; }

need=()
for p in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || fail "needs ${need[*]} (Debian packages) and root to install them"
  echo "slurm_test: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ "$(id -u)" -eq 0 ] || fail "starts slurmd, which must run as root"

rm -rf "$work"
mkdir -p "$work"
t=$(mktemp -d "$work/cluster.XXXXXX")
chmod 755 "$t"
mkdir -p "$t/munge" "$t/state" "$t/spool" "$t/log"
chmod 755 "$t/munge"

stop() {
  local rc=$?
  if [ -f "$t/slurm.conf" ]; then
    SLURM_CONF="$t/slurm.conf" scontrol shutdown >/dev/null 2>&1 || true
  fi
  # The daemons by their own PID files (nothing else is signalled): Slurm's have been told
  # to shut down; munged is stopped once they are gone
  for f in "$t/slurmctld.pid" "$t/slurmd.pid" "$t/munge/munged.pid"; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    case "$f" in *munged.pid) kill "$pid" 2>/dev/null || true ;; esac
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  if [ $rc -ne 0 ]; then
    for f in "$t"/log/*.log; do
      [ -f "$f" ] && { echo "--- $f (last lines)"; tail -n 15 "$f"; }
    done
  fi
  rm -rf "$work"
  exit $rc
}
trap stop EXIT

mungekey -c -k "$t/munge/munge.key" 2>/dev/null ||
  dd if=/dev/urandom of="$t/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$t/munge/munge.key"
munged -f --key-file="$t/munge/munge.key" --socket="$t/munge/munge.socket" \
  --pid-file="$t/munge/munged.pid" --log-file="$t/log/munged.log" \
  --seed-file="$t/munge/munged.seed"

# Two free TCP ports for slurmctld and slurmd
read -r ctld_port d_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
host=$(hostname -s)
cat >"$t/slurm.conf" <<EOF
ClusterName=igbsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
AuthInfo=socket=$t/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$t/state
SlurmdSpoolDir=$t/spool
SlurmctldPidFile=$t/slurmctld.pid
SlurmdPidFile=$t/slurmd.pid
SlurmctldLogFile=$t/log/slurmctld.log
SlurmdLogFile=$t/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=2000 State=UNKNOWN
PartitionName=igbsim Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$t/slurm.conf"
slurmctld -f "$SLURM_CONF" -i
slurmd -f "$SLURM_CONF"
up=0
for _ in $(seq 300); do
  if sinfo -h -o %t 2>/dev/null | grep -qx idle; then up=1; break; fi
  sleep 0.1
done
[ $up -eq 1 ] || fail "the one-node cluster did not come up (sinfo: $(sinfo 2>&1 | tr '\n' ' '))"

# The sweep: three points, run here and on the cluster
cat >"$work/s.toml" <<'EOF'
[set]
"traffic.frames" = 300
[axes]
"traffic.rate_pct" = [5, 20]
"driver.itr" = ["dynamic", "off"]
EOF
"$igbsim" sweep "$work/s.toml" --jobs 2 --out "$work/local" >/dev/null
"$igbsim" sweep "$work/s.toml" --emit-slurm --out "$work/cluster" --slurm-time 10 \
  --slurm-mem 200M --slurm-partition igbsim --slurm-extra=--comment=igbsim_slurm_test >/dev/null
submitted=$(bash "$work/cluster/submit.sh")
echo "slurm_test: $submitted"
array=$(sed -n 's/.*job array \([0-9]*\),.*/\1/p' <<<"$submitted")
merge=$(sed -n 's/.*the merge as job \([0-9]*\) .*/\1/p' <<<"$submitted")
[ -n "$array" ] && [ -n "$merge" ] || fail "submit.sh said: $submitted"
scontrol show job "$array" | grep -q "Comment=igbsim_slurm_test" ||
  fail "the array job does not carry --slurm-extra's --comment"
for _ in $(seq 1200); do
  [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
  sleep 0.25
done
[ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] || fail "the jobs did not end in 300 s"
state=$(scontrol show job "$merge" | grep -o 'JobState=[A-Z]*')
[ "$state" = "JobState=COMPLETED" ] || fail "the merge job ended $state"
[ -f "$work/cluster/sweep.csv" ] || fail "the merge job wrote no sweep.csv"

# The same table apart from wall_s (wall-clock time)
drop_wall() {
  python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
w = rows[0].index("wall_s")
for r in rows: print(",".join(r[:w] + r[w + 1:]))' "$1"
}
if ! diff <(drop_wall "$work/local/sweep.csv") <(drop_wall "$work/cluster/sweep.csv"); then
  fail "sweep.csv from Slurm differs from the local sweep's (above: < local, > Slurm)"
fi
points=$(($(wc -l <"$work/local/sweep.csv") - 1))
[ "$points" -eq 4 ] || fail "the local sweep.csv has $points points, not 4"
echo "slurm_test: 4 points on a one-node Slurm, sweep.csv equals the local sweep's (wall_s aside)"
