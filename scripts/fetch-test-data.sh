#!/usr/bin/env bash
# Extracts real medical test files from Debian packages into .testdata/ (git-ignored), without installing them:
#   python3-nibabel           nibabel/tests/data: NIfTI-1/NIfTI-2 files, big- and little-endian, header-only pairs
#   insighttoolkit5-examples  examples/Data: a T1 volume with a k-means tissue segmentation, a brain slice + mask
#   python3-skimage           skimage/data: real photos (ihc.png, retina.jpg), palette PNGs, a truncated JPEG
# Idempotent: packages already extracted are skipped. Usage: scripts/fetch-test-data.sh [target-folder]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-$root/.testdata}
packages=(python3-nibabel insighttoolkit5-examples python3-skimage)
mkdir -p "$target/debs"

missing=()
for package in "${packages[@]}"; do
  [ -f "$target/.extracted-$package" ] || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "fetch-test-data: all packages already extracted in $target"
  exit 0
fi

# apt-get download needs package lists; a fresh container has none until `apt-get update`.
cd "$target/debs"
if ! apt-get download "${missing[@]}" >/dev/null 2>download.log; then
  echo "fetch-test-data: apt-get download failed (empty package lists?); running apt-get update and retrying" >&2
  apt-get update >/dev/null
  apt-get download "${missing[@]}" >/dev/null
fi
rm -f download.log

for package in "${missing[@]}"; do
  deb=$(ls -t "$target/debs/${package}"_*.deb | head -n 1)
  dpkg -x "$deb" "$target/root"
  touch "$target/.extracted-$package"
  echo "fetch-test-data: extracted $(basename "$deb") into $target/root"
done

nibabel=$(find "$target/root" -type d -path '*nibabel/tests/data' | head -n 1)
itk="$target/root/usr/share/doc/insighttoolkit5-examples/examples/Data"
skimage=$(find "$target/root" -type d -path '*skimage/data' | head -n 1)
echo "fetch-test-data: nibabel test data   $nibabel ($(ls "$nibabel" | grep -cE '\.(nii|nii\.gz|hdr)$') NIfTI files)"
echo "fetch-test-data: ITK example data    $itk ($(ls "$itk" | grep -c 'nii.gz$') NIfTI volumes)"
echo "fetch-test-data: scikit-image data   $skimage ($(ls "$skimage" | grep -cE '\.(png|jpg)$') images)"
