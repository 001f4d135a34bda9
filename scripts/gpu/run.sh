#!/usr/bin/env bash
# Runs any soseg command on a machine with a CUDA libtorch (usually a PyTorch install) and no .NET.
# Lives next to app/ and dotnet-runtime.tar.xz made by scripts/gpu/pack.sh (docs/gpu.md).
#   SOSEG_LIBTORCH    folder with libtorch_cuda.so (a torch/lib folder, or the torch/ package folder);
#                     default: the torch/lib of the first python whose torch is a CUDA build
#                     (a CPU-only torch is used only when no CUDA build is found, with a warning)
#   SOSEG_DOTNET_DIR  where the runtime is unpacked (default /tmp/soseg-dotnet-<uid>)
#   SOSEG_PYTHONS     pythons to ask, space-separated (default: python3 /opt/torch/.venv/bin/python3 /opt/conda/bin/python3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runtime_dir=${SOSEG_DOTNET_DIR:-/tmp/soseg-dotnet-$(id -u)}

# The runtime is unpacked once, into a temporary folder renamed into place when complete, under a lock:
# an interrupted unpack leaves no half-filled folder behind, and two first runs do not race.
unpack_runtime() {
  [ -f "$runtime_dir/.complete" ] && return 0
  mkdir -p "$(dirname "$runtime_dir")"
  exec 9>"$runtime_dir.lock"
  flock 9
  if [ ! -f "$runtime_dir/.complete" ]; then
    rm -rf "$runtime_dir" "$runtime_dir".unpack.*
    local temp
    temp=$(mktemp -d "$runtime_dir.unpack.XXXXXX")
    tar -C "$temp" -xJf "$here/dotnet-runtime.tar.xz"
    touch "$temp/.complete"
    mv "$temp" "$runtime_dir"
  fi
  flock -u 9
  exec 9>&-
}

# A lib folder from what SOSEG_LIBTORCH names: the lib folder itself, torch/, or a libtorch root.
lib_folder() {
  if [ -f "$1/libtorch_cpu.so" ]; then echo "$1"; elif [ -f "$1/lib/libtorch_cpu.so" ]; then echo "$1/lib"; else echo "$1"; fi
}

find_libtorch() {
  local cpu_only="" python lib
  for python in ${SOSEG_PYTHONS:-python3 /opt/torch/.venv/bin/python3 /opt/conda/bin/python3}; do
    command -v "$python" >/dev/null 2>&1 || continue
    # find_spec does not import torch; the timeout covers a python that hangs at start-up.
    lib=$(timeout 10 "$python" -c 'import importlib.util as u, os; s = u.find_spec("torch"); print(os.path.join(s.submodule_search_locations[0], "lib") if s else "")' </dev/null 2>/dev/null || true)
    [ -n "$lib" ] && [ -f "$lib/libtorch_cpu.so" ] || continue
    if [ -f "$lib/libtorch_cuda.so" ]; then echo "$lib"; return 0; fi
    [ -n "$cpu_only" ] || cpu_only=$lib
  done
  if [ -n "$cpu_only" ]; then
    echo "run.sh: warning: only a CPU-only torch was found ($cpu_only); --device cuda will not work with it" >&2
    echo "$cpu_only"
  fi
}

wants_help=no
case "${1:-}" in ""|-h|--help|-\?|--version) wants_help=yes ;; esac
for arg in "$@"; do case "$arg" in -h|--help) wants_help=yes ;; esac; done

unpack_runtime
export DOTNET_ROOT=$runtime_dir DOTNET_CLI_TELEMETRY_OPTOUT=1
if [ "$wants_help" = yes ] && [ -z "${SOSEG_LIBTORCH:-}" ]; then
  # Help needs no libtorch.
  exec "$runtime_dir/dotnet" "$here/app/soseg.dll" "$@"
fi

if [ -n "${SOSEG_LIBTORCH:-}" ]; then
  SOSEG_LIBTORCH=$(lib_folder "$SOSEG_LIBTORCH")
else
  SOSEG_LIBTORCH=$(find_libtorch)
fi
if [ -z "${SOSEG_LIBTORCH:-}" ] || [ ! -f "$SOSEG_LIBTORCH/libtorch_cpu.so" ]; then
  echo "run.sh: no libtorch found (asked ${SOSEG_PYTHONS:-python3 /opt/torch/.venv/bin/python3 /opt/conda/bin/python3} for torch/lib; SOSEG_LIBTORCH=${SOSEG_LIBTORCH:-unset}); set SOSEG_LIBTORCH to a CUDA PyTorch's torch/lib folder" >&2
  exit 3
fi
# Report images (PNG overlays, curves) are drawn by SkiaSharp, whose native library needs fontconfig.
if ! { ldconfig -p 2>/dev/null | grep -q 'libfontconfig\.so\.1'; } && ! ls /usr/lib/*/libfontconfig.so.1 /usr/lib64/libfontconfig.so.1 >/dev/null 2>&1; then
  echo "run.sh: warning: libfontconfig.so.1 is not installed; training curves and report images will fail (apt-get install libfontconfig1)" >&2
fi
export SOSEG_LIBTORCH SOSEG_NATIVE_LAYOUT=external
export LD_LIBRARY_PATH=$SOSEG_LIBTORCH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
exec "$runtime_dir/dotnet" "$here/app/soseg.dll" "$@"
