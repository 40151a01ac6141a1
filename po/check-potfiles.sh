#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks po/POTFILES.in against the source tree. Usage: check-potfiles.sh REPO_ROOT
#
# Fails (exit 1) and lists the offending files when
#  - a file under src/, resources/ or data/ that holds translatable text is not listed
#    (text is translatable when a line uses _(), N_(), C_(), NC_() or translatable="yes";
#    every data/*.desktop.in and data/*.metainfo.xml.in is translatable by definition),
#  - POTFILES.in is not sorted (byte order, LC_ALL=C) or lists a file twice,
#  - POTFILES.in lists a file that does not exist.
# Files named in po/POTFILES.skip, if it exists, are never required.

set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 REPO_ROOT" >&2
  exit 2
fi
cd "$1" || exit 2

potfiles=po/POTFILES.in
skipfiles=po/POTFILES.skip
if [ ! -f "$potfiles" ]; then
  echo "$potfiles does not exist" >&2
  exit 1
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

LC_ALL=C
export LC_ALL

# Entries of a POTFILES-style list: no comments, blank lines or [encoding] headers.
list_entries ()
{
  sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$1" | grep -v -e '^$' -e '^\['
}

status=0

list_entries "$potfiles" > "$tmp/listed"
: > "$tmp/skipped"
if [ -f "$skipfiles" ]; then
  list_entries "$skipfiles" > "$tmp/skipped"
fi

# 1. Sorted and without duplicates.
sort -u "$tmp/listed" > "$tmp/sorted"
if ! cmp -s "$tmp/listed" "$tmp/sorted"; then
  echo "$potfiles is not sorted (LC_ALL=C) or has duplicates; expected order:"
  diff -u "$tmp/listed" "$tmp/sorted" | sed -e '1,2d' -e 's/^/  /'
  status=1
fi

# 2. Every listed file exists.
while IFS= read -r file; do
  [ -f "$file" ] || echo "$file"
done < "$tmp/listed" > "$tmp/absent"
if [ -s "$tmp/absent" ]; then
  echo "$potfiles lists files that do not exist:"
  sed 's/^/  /' "$tmp/absent"
  status=1
fi

# 3. Every file with translatable text is listed.
marker='(^|[^[:alnum:]_])(N|C|NC)?_[[:space:]]*\(|translatable="yes"'
for dir in src resources data; do
  [ -d "$dir" ] && find "$dir" -type f ! -path '*/.*'
done | sort | while IFS= read -r file; do
  case "$file" in
    data/*.desktop.in | data/*.desktop.in.in | data/*.metainfo.xml.in | data/*.metainfo.xml.in.in)
      echo "$file" ;;
    *)
      grep -I -q -E "$marker" "$file" && echo "$file" ;;
  esac
done > "$tmp/needed"

while IFS= read -r file; do
  grep -q -x -F -e "$file" "$tmp/listed" "$tmp/skipped" || echo "$file"
done < "$tmp/needed" > "$tmp/missing"
if [ -s "$tmp/missing" ]; then
  echo "$potfiles is missing files with translatable text:"
  sed 's/^/  /' "$tmp/missing"
  status=1
fi

if [ "$status" -eq 0 ]; then
  echo "$potfiles: $(wc -l < "$tmp/listed" | tr -d ' ') files, sorted, all present, none missing"
fi
exit "$status"
