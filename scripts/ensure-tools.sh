#!/usr/bin/env bash
# Installs what building and running TcpLab needs when it is missing, from Debian packages: a JDK (17+),
# Maven, and any packages named as arguments (libpcap0.8 for pcap files, tshark for the tests that check
# them). Used by ./tcplab and .ci/run; does nothing when everything is there.
set -euo pipefail
missing=()
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
for pkg in "$@"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "tcplab: please install: ${missing[*]}" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "tcplab: please install (as root): ${missing[*]}" >&2
    exit 1
  fi
  sudo="sudo"
fi
echo "tcplab: installing ${missing[*]} from Debian packages..." >&2
# tshark asks whether non-root users may capture; answer no, without a prompt
echo 'wireshark-common wireshark-common/install-setuid boolean false' | $sudo debconf-set-selections
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
