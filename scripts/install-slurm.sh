#!/usr/bin/env bash
# Installs Debian's Slurm daemons, client commands and munge, which the test suite uses to start a one-node
# Slurm cluster on this machine (its own configuration in a temporary folder; nothing under /etc is used or
# started). Idempotent: does nothing when they are installed. Needs root (apt-get).
set -euo pipefail
needed=(slurmctld slurmd munged sbatch squeue scancel sinfo)
missing=()
for command in "${needed[@]}"; do
  command -v "$command" >/dev/null 2>&1 || [ -x "/usr/sbin/$command" ] || missing+=("$command")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-slurm: slurmctld, slurmd, munge and the Slurm client commands are installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-slurm: missing ${missing[*]}; run as root, or: sudo apt-get install -y slurmctld slurmd munge slurm-client" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh container has empty package lists.
if ! apt-cache show slurmd >/dev/null 2>&1; then apt-get update -q; fi
# The packages' own services are not wanted (the tests start their own daemons); policy-rc.d keeps them stopped.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; trap 'rm -f "$policy"' EXIT; fi
apt-get install -y -q --no-install-recommends slurmctld slurmd munge slurm-client
echo "install-slurm: installed"
