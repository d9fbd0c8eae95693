#!/usr/bin/env bash
# Rebuilds the Mistral SentencePiece vocabularies embedded in AiCostGuard from a checkout of mistralai/mistral-common
# (Apache-2.0): each model file is stored raw-deflated, as the o200k/cl100k data packages store theirs.
#   eng/tokenizers/mistral.sh /path/to/mistral-common
set -euo pipefail
source_dir="${1:?usage: $0 /path/to/mistral-common checkout}"
target="$(cd "$(dirname "$0")/../.." && pwd)/src/AiCostGuard/Estimation/Vocabularies"
mkdir -p "$target"
for pair in tokenizer.model.v1:mistral-v1 mistral_instruct_tokenizer_240323.model.v3:mistral-v3; do
  python3 - "$source_dir/src/mistral_common/data/${pair%%:*}" "$target/${pair##*:}.model.deflate" <<'PY'
import sys, zlib
data = open(sys.argv[1], "rb").read()
packer = zlib.compressobj(9, zlib.DEFLATED, -15)
open(sys.argv[2], "wb").write(packer.compress(data) + packer.flush())
PY
done
cp "$source_dir/LICENCE" "$target/LICENSE-mistral-common.txt"
echo "built from mistral-common $(git -C "$source_dir" rev-parse HEAD); record it in $target/NOTICE.md"
