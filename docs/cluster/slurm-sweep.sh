#!/usr/bin/env bash
# A surf sweep on Slurm: a job array with one shard per task, then the merge, once every task has succeeded.
#
#   docs/cluster/slurm-sweep.sh [sbatch options…] SHARDS SWEEP OUT [surf reproduce flags…]
#
# Run by hand (on a login node), it submits itself twice: an array of SHARDS tasks, each running
# `surf reproduce SWEEP --shard auto --workers $SLURM_CPUS_PER_TASK --out OUT [flags…]` (a task writes only
# OUT/shard-i-of-SHARDS, so OUT can be one directory on the cluster's shared file system), and a one-core job
# with --dependency=afterok on the whole array running `surf merge --sweep SWEEP OUT` (the report in OUT).
# Options before SHARDS go to sbatch for both jobs (--partition, --account, --time, --cpus-per-task, …; the
# merge runs on one core). `surf` is $SURF (default `npx --no-install surf`: submit from the directory where
# surfing is installed). Logs: SWEEP-JOBID_TASK.out and SWEEP-merge-JOBID.out in the submitting directory.
# A task killed at its time limit releases its lock; submit it again alone (it resumes):
#   SURF_SHARDS=SHARDS sbatch --array=I [sbatch options…] docs/cluster/slurm-sweep.sh reproduce SWEEP OUT [flags…]
#SBATCH --cpus-per-task=2
#SBATCH --mem-per-cpu=2G
#SBATCH --time=04:00:00
set -euo pipefail

if [ -z "${SLURM_JOB_ID:-}" ]; then
  options=()
  while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do options+=("$1"); shift; done
  if [ $# -lt 3 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [sbatch options…] SHARDS SWEEP OUT [surf reproduce flags…]" >&2
    exit 2
  fi
  shards=$1 sweep=$2 out=$3
  shift 3
  array=$(sbatch --parsable --job-name="$sweep" --output="%x-%A_%a.out" ${options[@]+"${options[@]}"} --array="1-$shards" \
    "$0" reproduce "$sweep" "$out" "$@")
  array=${array%%;*}   # "ID;cluster" on a multi-cluster site
  merge=$(sbatch --parsable --job-name="$sweep-merge" --output="%x-%j.out" ${options[@]+"${options[@]}"} --cpus-per-task=1 \
    --dependency="afterok:$array" --kill-on-invalid-dep=yes "$0" merge "$sweep" "$out")
  merge=${merge%%;*}
  echo "submitted: array job $array ($shards shards of $sweep into $out), merge job $merge after it"
  exit 0
fi

read -r -a surf <<< "${SURF:-npx --no-install surf}"
step=$1 sweep=$2 out=$3
shift 3
case $step in
  reproduce) command=("${surf[@]}" reproduce "$sweep" --shard auto --workers "${SLURM_CPUS_PER_TASK:-1}" --out "$out" "$@") ;;
  merge) command=("${surf[@]}" merge --sweep "$sweep" "$out") ;;
  *) echo "$0: unknown step '$step' (reproduce or merge)" >&2; exit 2 ;;
esac
echo "+ ${command[*]}" >&2
exec "${command[@]}"
