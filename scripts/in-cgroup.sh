#!/bin/sh
# Start a command inside cgroups: join each (write our own pid into its cgroup.procs), then exec.
#
# Why: a process the harness moves into the agents' cgroup after it started leaves behind every
# child it forked before the move (cgroup v1 and v2 alike). A worker forks its job processes
# within milliseconds (LiveKit Python's forkserver and idle processes, `sh -c`'s command), so they
# would run on the load side's cores. Joined before exec, the command and everything it ever
# starts are in the groups from their first instruction.
#
# Usage: scripts/in-cgroup.sh PROCS_FILE... -- CMD [ARG...]   (cpuset's file first)
# Exit 125 when a group cannot be joined (nothing is run then); else the command's own status.
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  if ! echo $$ > "$1"; then
    echo "in-cgroup: cannot join $1; the agents' cgroup is gone or not writable" >&2
    exit 125
  fi
  shift
done
if [ "$#" -lt 2 ]; then
  echo "usage: scripts/in-cgroup.sh PROCS_FILE... -- CMD [ARG...]" >&2
  exit 125
fi
shift
exec "$@"
