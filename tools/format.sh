#!/bin/bash
# format.sh -- formats every C source as .clang-format says (tools/test.sh
# fails on any difference).
set -euo pipefail
cd "$(dirname "$0")/.."
find src tools tests -name '*.[ch]' -print0 | xargs -0 clang-format -i
