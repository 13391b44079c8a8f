# Process supervision for bin/run (sourced): start services in their own process groups,
# and stop every process of every group on Ctrl-C or SIGTERM. Apart from bin/run so that
# tests/core/test_run_supervision.py can exercise it with small stand-in processes.
#
# Why groups, and why the groups are watched rather than the pids we started: gunicorn's
# master and Celery's main process may exit on SIGTERM before their children (workers, pool
# processes, beat); watching only the leaders, the old script saw them gone, skipped the
# SIGKILL and left the children running (issue 10, point 10). A group is alive while any of
# its processes is, and `kill -0 -- -PGID` says so.
#
# Needs: LOG (the log folder), say (a printing function). STOP_TIMEOUT: seconds before the
# survivors get SIGKILL (10). Written for bash 3.2 too (macOS).

PIDS=()
NAMES=()
if command -v setsid >/dev/null 2>&1; then SETSID=setsid; else SETSID=""; fi
STOP_TIMEOUT=${STOP_TIMEOUT:-10}

start() { # start NAME COMMAND…: in the background, its own process group, output to $LOG/NAME.log
    local name=$1
    shift
    echo "---- $(date '+%Y-%m-%d %H:%M:%S') starting: $*" >>"$LOG/$name.log"
    # A background process of a script without job control is not a group leader, so
    # setsid(1) makes it one without forking: $! is the leader and its group's id.
    $SETSID "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
    PIDS+=("$!")
    NAMES+=("$name")
}

started() { # the pids to stop: those recorded, and any background job a signal interrupted before it was recorded
    local pid
    for pid in ${PIDS[@]+"${PIDS[@]}"} $(jobs -p 2>/dev/null); do echo "$pid"; done | sort -u
}

signal_all() { # signal_all SIGNAL: every started process, its whole group when setsid was there
    local pid
    for pid in $(started); do
        if [ -n "$SETSID" ]; then kill "-$1" -- "-$pid" 2>/dev/null || kill "-$1" "$pid" 2>/dev/null || true
        else kill "-$1" "$pid" 2>/dev/null || true; fi
    done
}

any_alive() { # any process of any started group (or, without setsid, any started process) still runs
    local pid
    for pid in $(started); do
        if [ -n "$SETSID" ] && kill -0 -- "-$pid" 2>/dev/null; then return 0; fi
        kill -0 "$pid" 2>/dev/null && return 0
    done
    return 1
}

STOPPING=""
stop_all() {
    [ -n "$STOPPING" ] && return 0
    STOPPING=1
    trap '' INT TERM  # a second Ctrl-C must not cut the stop short and leave orphans
    if any_alive; then
        echo
        say "stopping (web server, worker, beat)…"
        signal_all TERM
        local i=0
        while any_alive && [ $i -lt $((STOP_TIMEOUT * 4)) ]; do sleep 0.25; i=$((i + 1)); done
        if any_alive; then
            echo "some processes did not stop within $STOP_TIMEOUT s: killing them" >&2
            signal_all KILL
        fi
    fi
    wait 2>/dev/null || true
    say "stopped"
}

supervise_traps() {
    trap 'stop_all; exit 0' INT  # a requested stop is a success (and keeps make quiet)
    trap 'stop_all; exit 143' TERM
    trap 'stop_all' EXIT
}
