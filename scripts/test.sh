#!/usr/bin/env bash
# The test command: prepares what some tests read or start (Debian's NIfTI/image test files; Slurm's daemons and
# munge for the one-node cluster test), then runs the whole suite. Arguments go to `dotnet test`.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-test-data.sh || echo "fetch-test-data failed; the tests that read Debian's files will say so"
scripts/install-slurm.sh || echo "install-slurm failed; the Slurm test will say what is missing"
exec dotnet test -c Release "$@"
