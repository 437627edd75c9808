#!/usr/bin/env bash
# Restore drill: dump the production database, restore it into an empty database, prove the
# copy is usable (`flask --app rmt audit verify`) and complete (row counts of the key tables).
#
#   RMT_DATABASE_URL=postgresql+psycopg://rmt@db.internal/rmt scripts/restore_drill.sh
#
# Environment:
#   RMT_DATABASE_URL   the database to dump (SQLAlchemy URL; "+psycopg" is dropped for libpq)
#   DRILL_DUMP_DIR     where the dump is written (default: a temporary folder, removed after)
#   DRILL_KEEP=1       keep the restored database (default: dropped at the end)
#   FLASK              the flask command (default: flask next to the python that runs this)
#   RMT_AUDIT_KEY      the audit chain's HMAC key (or RMT_INSTANCE_PATH with its audit_key):
#                      without the production key `audit verify` reports the keyed entries
# The connecting role needs CREATEDB (the drill creates <name>_restore_drill_<pid>).
# Exit status 0 only if the restore, the audit verification and every row count succeed.
set -euo pipefail

: "${RMT_DATABASE_URL:?set RMT_DATABASE_URL to the PostgreSQL database to dump}"
case "$RMT_DATABASE_URL" in
  postgresql*) ;;
  *) echo "restore_drill: PostgreSQL only (SQLite is backed up by copying the file with .backup)" >&2; exit 2 ;;
esac

SOURCE="${RMT_DATABASE_URL/postgresql+psycopg:/postgresql:}"
SOURCE="${SOURCE/postgresql+psycopg2:/postgresql:}"
BASE="${SOURCE%%\?*}"
QUERY=""; [[ "$SOURCE" == *\?* ]] && QUERY="?${SOURCE#*\?}"
SOURCE_DB="${BASE##*/}"
SERVER="${BASE%/*}"
TARGET_DB="${SOURCE_DB}_restore_drill_$$"
TARGET="${SERVER}/${TARGET_DB}${QUERY}"
ADMIN="${SERVER}/postgres${QUERY}"
FLASK="${FLASK:-$(dirname "$(command -v python3)")/flask}"
[[ -x "$FLASK" ]] || FLASK=flask

WORK="${DRILL_DUMP_DIR:-$(mktemp -d)}"
DUMP="$WORK/${SOURCE_DB}-$(date -u +%Y%m%dT%H%M%SZ).dump"
KEY_TABLES=(user_account region_membership api_token candidate case_file case_event note task
            consent case_transfer employer vacancy placement budget voucher voucher_event
            pv_trajectory audit_entry alembic_version)

cleanup() {
  if [[ "${DRILL_KEEP:-0}" != 1 ]]; then
    psql -qAt "$ADMIN" -c "DROP DATABASE IF EXISTS \"$TARGET_DB\" WITH (FORCE)" >/dev/null || true
  fi
  [[ -n "${DRILL_DUMP_DIR:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

counts() {  # one "table count" line per key table
  local url="$1" table
  for table in "${KEY_TABLES[@]}"; do
    printf '%s %s\n' "$table" "$(psql -qAt "$url" -c "SELECT count(*) FROM \"$table\"")"
  done
}

echo "1. Row counts of $SOURCE_DB before the dump"
before="$(counts "$SOURCE")"
echo "2. pg_dump (custom format) to $DUMP"
started=$SECONDS
pg_dump --format=custom --no-owner --no-privileges --file="$DUMP" "$SOURCE"
echo "   $(du -h "$DUMP" | cut -f1), $((SECONDS - started)) s"
after="$(counts "$SOURCE")"

echo "3. Restore into the empty database $TARGET_DB"
psql -qAt "$ADMIN" -c "CREATE DATABASE \"$TARGET_DB\"" >/dev/null
started=$SECONDS
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$TARGET" "$DUMP"
echo "   $((SECONDS - started)) s"

echo "4. flask --app rmt audit verify on the restored copy"
RMT_DATABASE_URL="${TARGET/postgresql:/postgresql+psycopg:}" "$FLASK" --app rmt audit verify

echo "5. Row counts: source (before and after the dump) against the restored copy"
restored="$(counts "$TARGET")"
status=0
printf '   %-20s %10s %10s %10s  %s\n' table before after restored verdict
while read -r table b; do
  a="$(awk -v t="$table" '$1 == t {print $2}' <<<"$after")"
  r="$(awk -v t="$table" '$1 == t {print $2}' <<<"$restored")"
  # Writes during the dump are not in it: the copy lies between the two counts.
  low=$(( b < a ? b : a )); high=$(( b < a ? a : b ))
  if (( r >= low && r <= high )); then verdict=ok; else verdict=MISMATCH; status=1; fi
  printf '   %-20s %10s %10s %10s  %s\n' "$table" "$b" "$a" "$r" "$verdict"
done <<<"$before"

if (( status == 0 )); then
  echo "Restore drill OK: $TARGET_DB restored, audit chain intact, row counts match."
else
  echo "Restore drill FAILED: row counts differ (see above)." >&2
fi
exit $status
