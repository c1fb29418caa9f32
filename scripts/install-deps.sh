#!/usr/bin/env bash
# Installs what konform needs from Debian 12 packages, only what is missing (idempotent).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libsimdjson-dev libcxxopts-dev libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev libssl-dev
  libnghttp2-dev           # HTTP/2 in serve, check and load
  libxml2-utils            # xmllint: the JUnit report test
  python3 python3-yaml     # tests/deploy reads the Job manifest's own command
  chromium fonts-dejavu-core  # the HTML reports are loaded, asserted and screenshotted headless
  nodejs npm               # real-client tests (Node SDKs, ksql driver, Azurite)
  default-jre-headless libhdrhistogram-java   # the .hlog interoperability test
  nginx-light wrk nghttp2-client  # bench/: side-by-side runs on loopback (h2load for HTTP/2)
  clang libclang-rt-14-dev # scripts/fuzz.sh: libFuzzer targets under ASan+UBSan
  clang-format             # scripts/test.sh: every C++ file as .clang-format writes it
)

# --build: only what compiling konform needs (deploy/Dockerfile's build stage).
if [ "${1:-}" = "--build" ]; then
  packages=(build-essential cmake ninja-build pkg-config libboost1.81-dev libsimdjson-dev
            libcxxopts-dev zlib1g-dev libssl-dev libnghttp2-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node 20 may come from outside Debian's packages on some images; any node >= 20 will do.
if command -v node >/dev/null && node -e 'process.exit(parseInt(process.versions.node) >= 20 ? 0 : 1)'; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: everything is installed"
fi
