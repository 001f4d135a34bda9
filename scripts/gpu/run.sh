#!/usr/bin/env bash
# Runs any soseg command on a machine with a CUDA libtorch (usually a PyTorch install) and no .NET.
# Lives next to app/ and dotnet-runtime.tar.xz made by scripts/gpu/pack.sh (docs/gpu.md).
#   SOSEG_LIBTORCH    folder with libtorch_cuda.so; default: the torch/lib of the first python that has torch
#   SOSEG_DOTNET_DIR  where the runtime is unpacked (default /tmp/soseg-dotnet)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runtime_dir=${SOSEG_DOTNET_DIR:-/tmp/soseg-dotnet}
if [ ! -x "$runtime_dir/dotnet" ]; then
  mkdir -p "$runtime_dir"
  tar -C "$runtime_dir" -xJf "$here/dotnet-runtime.tar.xz"
fi
if [ -z "${SOSEG_LIBTORCH:-}" ]; then
  for python in python3 /opt/torch/.venv/bin/python3 /opt/conda/bin/python3; do
    command -v "$python" >/dev/null 2>&1 || [ -x "$python" ] || continue
    lib=$("$python" -c 'import importlib.util as u, os; s = u.find_spec("torch"); print(os.path.join(s.submodule_search_locations[0], "lib") if s else "")' 2>/dev/null || true)
    if [ -n "$lib" ] && [ -f "$lib/libtorch_cpu.so" ]; then SOSEG_LIBTORCH=$lib; break; fi
  done
fi
if [ -z "${SOSEG_LIBTORCH:-}" ] || [ ! -f "$SOSEG_LIBTORCH/libtorch_cpu.so" ]; then
  echo "run.sh: no libtorch found (looked for torch/lib of python3, /opt/torch/.venv, /opt/conda); set SOSEG_LIBTORCH" >&2
  exit 3
fi
export SOSEG_LIBTORCH DOTNET_ROOT=$runtime_dir SOSEG_NATIVE_LAYOUT=external DOTNET_CLI_TELEMETRY_OPTOUT=1
export LD_LIBRARY_PATH=$SOSEG_LIBTORCH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
exec "$runtime_dir/dotnet" "$here/app/soseg.dll" "$@"
