#!/bin/sh
# `bun run backup`: scripts/backup.ts started at idle priority, Bun's own start-up included (a
# snapshot is never in a hurry; the commands of the garages it copies are). SCHED_IDLE where
# chrt is there (Linux), else nice 10; the script also puts itself at idle priority (lib/idle.ts).
here=$(dirname "$0")
if command -v chrt >/dev/null 2>&1 && chrt --idle 0 true 2>/dev/null; then
  exec chrt --idle 0 bun "$here/backup.ts" "$@"
fi
exec nice -n 10 bun "$here/backup.ts" "$@"
