#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# exchangectl's bash completion (deploy/bash-completion/exchangectl), run
# as bash runs it (COMP_WORDS, COMP_CWORD, then the function) against the
# built exchangectl: every command of `exchangectl --help`, every subcommand
# of its usage and every flag of `exchangectl COMMAND --help` is offered, and
# nothing else; flag values and profile names too. No services needed.
set -uo pipefail
# shellcheck source=../support/e2e.sh
source "$(dirname "$0")/../support/e2e.sh"
# shellcheck source=../../deploy/bash-completion/exchangectl
source "$root/deploy/bash-completion/exchangectl"
complete -p exchangectl >/dev/null || fail "the script does not register a completion for exchangectl"

# complete WORD...: what TAB offers after `exchangectl WORD...` (the last word being completed), sorted.
complete_words() {
  COMP_WORDS=("$X" "$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _exchangectl
  printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort -u
}
# same WHAT EXPECTED ACTUAL: the two sorted lists must be equal.
same() {
  checks=$((checks + 1))
  [ "$2" = "$3" ] || fail "$1: expected [$(tr '\n' ' ' <<<"$2")] got [$(tr '\n' ' ' <<<"$3")]"
}
# offers WHAT WORD LIST: WORD must be in LIST.
offers() {
  checks=$((checks + 1))
  grep -qxF -- "$2" <<<"$3" || fail "$1: '$2' not offered (got: $(tr '\n' ' ' <<<"$3"))"
}

# Commands: exactly those `exchangectl --help` lists.
commands=$("$X" --help | awk '/^Commands:/ { f = 1; next } f && /^$/ { exit } f { print $1 }' | sort -u)
[ "$(wc -l <<<"$commands")" -ge 15 ] || fail "exchangectl --help lists too few commands: $commands"
same "commands" "$(printf '%s\n' $commands --help --version --profile | sort -u)" "$(complete_words "")"
same "commands starting with s" "$(grep '^s' <<<"$commands")" "$(complete_words s)"

for command in $commands; do
  help=$("$X" "$command" --help) || { fail "$command --help failed"; continue; }
  # Flags: every line of the flag table, and --help; nothing more.
  flags=$(grep -oE -- '^  --[a-z0-9-]+' <<<"$help" | sed 's/^  //' | sort -u)
  same "$command flags" "$(printf '%s\n' $flags --help | sort -u)" "$(complete_words "$command" --)"
  # Subcommands: the first word of each usage line (a|b|c counts as three).
  subs=$(sed -n '1,/^$/p' <<<"$help" | sed -E 's/^usage: //; s/^ +//' |
    awk -v c="$command" '$1 == "exchangectl" && $2 == c && $3 !~ /^-/ && $3 ~ /^[a-z]/ { print $3 }' | tr '|' '\n' | sort -u)
  if [ -n "$subs" ]; then
    same "$command subcommands" "$subs" "$(complete_words "$command" "")"
    # After the subcommand, its flags still complete.
    first=$(head -n 1 <<<"$subs")
    same "$command $first flags" "$(printf '%s\n' $flags --help | sort -u)" "$(complete_words "$command" "$first" --)"
  fi
done

# Spot checks a user would try, independent of how the lists are derived.
offers "admin subcommands" approve "$(complete_words admin "")"
offers "admin subcommands" suspend "$(complete_words admin "")"
offers "report subcommands" verify "$(complete_words report "")"
offers "sync flags" --feed-vkey "$(complete_words sync --)"
same "sync --f" "$(printf '%s\n' --feed-vkey --follow)" "$(complete_words sync --f)"
same "submit --format values" "$(printf '%s\n' csv ndjson)" "$(complete_words submit --format "")"
same "submit --format=nd" "ndjson" "$(complete_words submit --format = nd)"
same "export --format values" "$(printf '%s\n' csv ndjson pytx)" "$(complete_words export --mirror m --format "")"
same "--output values" "$(printf '%s\n' json table)" "$(complete_words whoami --output "")"
same "hash --output values" "$(printf '%s\n' csv json)" "$(complete_words hash --output "")"
same "a flag without a value is followed by a subcommand" "$(printf '%s\n' annual verify)" \
  "$(complete_words report "")"

# Profile names come from the profile file.
printf '[profile alpha]\nserver = https://a:1\n[profile beta]\nserver = https://b:1\n[profile admin1]\n' >"$dir/config"
same "--profile values" "$(printf '%s\n' admin1 alpha beta)" "$(EXCHANGECTL_CONFIG=$dir/config complete_words sync --profile "")"
same "--profile a" "$(printf '%s\n' admin1 alpha)" "$(EXCHANGECTL_CONFIG=$dir/config complete_words whoami --profile a)"

same "--profile values while EXCHANGECTL_PROFILE names another" "$(printf '%s\n' admin1 alpha beta)" \
  "$(EXCHANGECTL_PROFILE=gamma EXCHANGECTL_CONFIG=$dir/config complete_words sync --profile "")"

# --profile before the command (exchangectl --profile alpha sync ...).
same "--profile first: names" "$(printf '%s\n' admin1 alpha)" "$(EXCHANGECTL_CONFIG=$dir/config complete_words --profile a)"
same "--profile first: commands" "$(grep '^s' <<<"$commands")" "$(EXCHANGECTL_CONFIG=$dir/config complete_words --profile alpha s)"
same "--profile first: flags" "$(printf '%s\n' --feed-vkey --follow)" "$(complete_words --profile alpha sync --f)"
same "--profile=NAME first: subcommands" "$(printf '%s\n' annual verify)" "$(complete_words --profile = alpha report "")"

# Files where a file goes: a flag's value and a positional.
mkdir -p "$dir/files" && touch "$dir/files/signals.csv" "$dir/files/signals.ndjson"
same "--cert FILE" "$(printf '%s\n' "$dir/files/signals.csv" "$dir/files/signals.ndjson")" \
  "$(complete_words whoami --cert "$dir/files/sig")"
same "submit FILE" "$dir/files/signals.csv" "$(complete_words submit --collection c "$dir/files/signals.c")"

e2e_finish
