#!/usr/bin/env bash
# Bounded load test of the standalone mock server (loopback only, about a minute): mixed valid,
# invalid and NTLM handshake traffic on 64 connections; fails on any 5xx, any answer that is
# not the one the credential deserves, or server memory that keeps growing.
#
#   scripts/load-test.sh [SECONDS] [CONNECTIONS]      (defaults: 60, 64)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
connections=${2:-64}
cargo build --release -q -p ado-tests --bin load-test --bin mock-server-dup
exec target/release/load-test --server target/release/mock-server-dup --seconds "$seconds" --connections "$connections"
