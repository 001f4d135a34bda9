#!/usr/bin/env bash
# Packages SoSeg for a GPU machine that has a CUDA PyTorch install but no .NET (docs/gpu.md):
#   <out>/app/                    framework-dependent publish: managed DLLs + patched libLibTorchSharp.so,
#                                 no CPU libtorch files and no deps.json (which would list them)
#   <out>/dotnet-runtime.tar.xz   the .NET runtime (dotnet host + Microsoft.NETCore.App)
#   <out>/run.sh                  unpacks the runtime, finds the machine's libtorch, runs `soseg "$@"`
# Usage: scripts/gpu/pack.sh [out-folder]   (default: .gpu, git-ignored)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "${1:-$root/.gpu}" && cd "${1:-$root/.gpu}" && pwd)

rm -rf "$out/app"
dotnet publish "$root/src/SoSeg.Cli/SoSeg.Cli.csproj" -c Release -r linux-x64 --self-contained false \
  -o "$out/app" -nologo -v quiet
# The CPU libtorch must not sit next to a CUDA libtorch (TorchSharp would load it first).
find "$out/app" -maxdepth 1 -type f \( -name 'libtorch*.so*' -o -name 'libc10*.so*' -o -name 'libgomp*.so*' \
  -o -name 'libshm*.so*' -o -name 'libaoti_custom_ops.so' -o -name 'libbackend_with_compiler.so' \
  -o -name 'libjitbackend_test.so' -o -name 'libnnapi_backend.so' \) -delete
rm -f "$out/app"/*.deps.json "$out/app"/*.pdb
test -f "$out/app/libLibTorchSharp.so" || { echo "pack.sh: libLibTorchSharp.so missing from the publish" >&2; exit 1; }

dotnet_bin=$(readlink -f "$(command -v dotnet)")
dotnet_root=$(dirname "$dotnet_bin")
runtime=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2 } END { print v }')
tar -C "$dotnet_root" -cJf "$out/dotnet-runtime.tar.xz" dotnet host "shared/Microsoft.NETCore.App/$runtime"
cp "$root/scripts/gpu/run.sh" "$out/run.sh"
chmod +x "$out/run.sh"
echo "packed $(du -sh "$out" | cut -f1) into $out (runtime $runtime); on the GPU machine: $out/run.sh info --device cuda"
