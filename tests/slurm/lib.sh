# tests/slurm/lib.sh - a private one-node Slurm cluster for a test.
#
# Sourced after tests/lib.sh.  slurm_start brings up Debian's MUNGE and
# Slurm daemons (scripts/setup-slurm installs them) on this machine, as a
# cluster of one node with every CPU, and exports SLURM_CONF so that
# sbatch, squeue and sinfo talk to it; slurm_stop (also run when the
# script exits) cancels its jobs and stops the daemons by their pids.
#
# Nothing of the machine's own set-up is used or changed: the key, the
# MUNGE socket, the configuration, the spool and state directories, the
# pid and log files all live in one fresh directory, the ports are free
# ones, and the node is addressed as 127.0.0.1, so the test runs beside
# a system Slurm or MUNGE, beside another copy of itself, and on a
# machine whose hostname does not resolve.  Every wait has a deadline
# and a failure prints the daemons' logs instead of hanging.
#
# The directory is a short one under /tmp: MUNGE's socket and the step
# sockets slurmd makes in its spool directory are Unix sockets, whose
# paths may not exceed 107 bytes, and a clone may live deep down.

SLURM_WAIT=${KC_SLURM_WAIT:-120}	# seconds for the cluster to come up

# The cluster's directory outlives the subshell of the test that starts
# it; its name is kept in $TRASH.
slurm_dir() {
	cat "$TRASH/slurm.dir" 2>/dev/null
}

# slurm_fail MESSAGE: say what did not happen, show the logs, fail.
slurm_fail() {
	echo "slurm: $1" >&2
	d=$(slurm_dir)
	for f in "$d"/*.log "$d"/*.out; do
		[ -s "$f" ] || continue
		[ -f "$f" ] || continue
		echo "--- $(basename "$f") (last 30 lines)" >&2
		tail -n 30 "$f" >&2
	done
	return 1
}

# slurm_wait SECONDS WHAT CMD...: run CMD every half second until it
# succeeds; fail naming WHAT after SECONDS.
slurm_wait() {
	secs=$1
	n=$((secs * 2))
	what=$2
	shift 2
	while ! "$@" >/dev/null 2>&1; do
		for p in munged slurmctld slurmd; do
			[ ! -f "$(slurm_dir)/$p.kcpid" ] || slurm_alive $p ||
				{ slurm_fail "$what: $p exited"; return 1; }
		done
		n=$((n - 1))
		[ $n -gt 0 ] || { slurm_fail "$what within $secs s"; return 1; }
		sleep 0.5
	done
}

# slurm_free_ports N: N TCP ports free at this moment.
slurm_free_ports() {
	python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
' "$1"
}

slurm_write_conf() {
	d=$1
	set -- $(slurm_free_ports 2)
	cat >"$d/slurm.conf" <<-EOF
	# A one-node cluster for kc's tests (tests/slurm/lib.sh).
	ClusterName=kctest
	SlurmctldHost=$(hostname -s)(127.0.0.1)
	SlurmctldPort=$1
	SlurmdPort=$2
	SlurmUser=root
	SlurmdUser=root
	AuthType=auth/munge
	CredType=cred/munge
	AuthInfo=socket=$d/munge.socket
	StateSaveLocation=$d/ctld
	SlurmdSpoolDir=$d/spool
	SlurmctldPidFile=$d/slurmctld.pid
	SlurmdPidFile=$d/slurmd.pid
	SlurmctldLogFile=$d/slurmctld.log
	SlurmdLogFile=$d/slurmd.log
	ProctrackType=proctrack/linuxproc
	TaskPlugin=task/none
	JobAcctGatherType=jobacct_gather/none
	AccountingStorageType=accounting_storage/none
	JobCompType=jobcomp/none
	MpiDefault=none
	MailProg=/bin/true
	SwitchType=switch/none
	SelectType=select/cons_tres
	SelectTypeParameters=CR_Core
	SchedulerType=sched/backfill
	ReturnToService=2
	SlurmdParameters=config_overrides
	SlurmdTimeout=60
	MessageTimeout=20
	NodeName=kcnode NodeHostname=$(hostname -s) NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
	PartitionName=kc Nodes=kcnode Default=YES MaxTime=60 State=UP
	EOF
}

# slurm_daemon NAME CMD...: start a daemon in the foreground of a
# background job, its pid to NAME.pid (the pid files the daemons write
# themselves are not trusted to name a process that is still ours).
slurm_daemon() {
	name=$1
	shift
	d=$(slurm_dir)
	"$@" >"$d/$name.out" 2>&1 </dev/null &
	echo $! >"$d/$name.kcpid"
}

slurm_alive() {
	kill -0 "$(cat "$(slurm_dir)/$1.kcpid")" 2>/dev/null
}

slurm_munge_ok() {
	slurm_alive munged &&
		munge -S "$(slurm_dir)/munge.socket" -n |
		unmunge -S "$(slurm_dir)/munge.socket"
}

slurm_ctld_up() {
	slurm_alive slurmctld && scontrol ping | grep -q 'is UP'
}

slurm_node_idle() {
	slurm_alive slurmd && sinfo -h -N -o %T | grep -qx idle
}

slurm_start() {
	[ "$(id -u)" = 0 ] || { echo "slurm: the daemons need root" >&2; return 1; }
	for p in munged mungekey slurmctld slurmd sbatch; do
		command -v $p >/dev/null || PATH=$PATH:/usr/sbin
		command -v $p >/dev/null ||
			{ echo "slurm: no $p; run scripts/setup-slurm" >&2; return 1; }
	done
	d=$(mktemp -d /tmp/kc-slurm.XXXXXX) || return 1
	echo "$d" >"$TRASH/slurm.dir"
	mkdir -p "$d/ctld" "$d/spool" || return 1
	chmod 700 "$d"
	mungekey --create --keyfile="$d/munge.key" || return 1
	slurm_write_conf "$d" || return 1
	SLURM_CONF=$d/slurm.conf
	export SLURM_CONF
	# --force: root, and a key and socket outside /etc and /run
	slurm_daemon munged munged --foreground --force \
		--key-file="$d/munge.key" --socket="$d/munge.socket" \
		--pid-file="$d/munged.pid" --seed-file="$d/munged.seed" \
		--log-file="$d/munged.log" --origin=127.0.0.1
	slurm_wait "$SLURM_WAIT" "munged did not answer" slurm_munge_ok ||
		return 1
	slurm_daemon slurmctld slurmctld -D -i -f "$SLURM_CONF"
	slurm_wait "$SLURM_WAIT" "slurmctld did not come up" slurm_ctld_up ||
		return 1
	slurm_daemon slurmd slurmd -D -N kcnode -f "$SLURM_CONF"
	slurm_wait "$SLURM_WAIT" "slurmd did not register idle" \
		slurm_node_idle || return 1
}

# slurm_stop_pid NAME: TERM, up to 20 s to go, then KILL.
slurm_stop_pid() {
	f=$(slurm_dir)/$1.kcpid
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	kill "$pid" 2>/dev/null || { rm -f "$f"; return 0; }
	n=40
	while kill -0 "$pid" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.5
		n=$((n - 1))
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	rm -f "$f"
}

# slurm_stop: cancel the cluster's jobs (by id), stop its daemons (by
# pid), keep the logs in $TRASH/slurm-logs, remove the directory.
slurm_stop() {
	d=$(slurm_dir)
	[ -n "$d" ] && [ -d "$d" ] || return 0
	SLURM_CONF=$d/slurm.conf
	export SLURM_CONF
	if [ -f "$d/slurmctld.kcpid" ] && slurm_alive slurmctld; then
		jobs=$(squeue -h -o %A 2>/dev/null | sort -u)
		[ -z "$jobs" ] || scancel $jobs 2>/dev/null
		n=40
		while [ -n "$(squeue -h -o %A 2>/dev/null)" ] && [ $n -gt 0 ]; do
			sleep 0.5
			n=$((n - 1))
		done
	fi
	slurm_stop_pid slurmd
	slurm_stop_pid slurmctld
	slurm_stop_pid munged
	mkdir -p "$TRASH/slurm-logs"
	cp "$d"/*.log "$d"/*.out "$d/slurm.conf" "$TRASH/slurm-logs/" 2>/dev/null
	rm -rf "$d"
	rm -f "$TRASH/slurm.dir"
}
