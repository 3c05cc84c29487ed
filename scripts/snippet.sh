#!/usr/bin/env bash
# Prints the tag a site owner pastes, with the Subresource Integrity hash of the loader, and
# the hashes of every file of dist/ a visitor may load (to check a CDN upload against).
# Usage: scripts/snippet.sh [BASE_URL]   (default https://YOUR-HOST/handoff-chat/)
set -euo pipefail
scripts=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$scripts/../dist"
base=${1:-https://YOUR-HOST/handoff-chat/}
sri() { echo "sha384-$(openssl dgst -sha384 -binary "$1" | openssl base64 -A)"; }
cat <<TAG
Paste before </body> (data-* options: README, "Configuration"):

<script src="${base}handoff-chat.js"
        integrity="$(sri handoff-chat.js)" crossorigin="anonymous"
        data-token-url="https://YOUR-TOKEN-ENDPOINT"></script>

Files to host together in ${base} (sha384):
TAG
# The widget's files (scripts/sizes.sh names them), then every language module.
for f in $(bash "$scripts/sizes.sh" --list) locales/*.js; do
  printf '  %-30s %s\n' "$f" "$(sri "$f")"
done
