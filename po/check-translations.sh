#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks that every language in po/LINGUAS translates every text the program
# shows, as the sources are now (not as the last catalog update left them): the
# texts are extracted again with the options meson's gettext uses, and msgcmp
# lists those a language lacks or marks fuzzy. Usage: check-translations.sh REPO_ROOT

set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 REPO_ROOT" >&2
  exit 2
fi
cd "$1" || exit 2

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

xgettext --files-from=po/POTFILES.in --directory=. --output="$tmp/caremesh.pot" \
  --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 || exit 2

status=0
for lang in $(grep -v '^#' po/LINGUAS); do
  if ! msgcmp "po/$lang.po" "$tmp/caremesh.pot" 2>"$tmp/msgcmp.txt"; then
    echo "po/$lang.po lacks texts the program shows (run: ninja -C _build caremesh-update-po, then translate):"
    grep -v "^msgcmp: found" "$tmp/msgcmp.txt" | head -20
    status=1
  fi
done
exit $status
