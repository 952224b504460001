#!/bin/sh
# runstatus.sh QEMU_STATUS SERIAL_LOG
#
# make run's exit status: 0 only when every test passed. QEMU's own status
# says it with on_finish=exit (isa-debug-exit: 33 passed, 35 failed, 37
# panic); when the run powered off instead (on_finish=shutdown, the monitor's
# shutdown: status 0), the last summary in the serial log decides, in either
# report format ("N passed, M failed" or {"rec":"summary",...}).
status=$1 log=$2
case $status in
33) echo "atlas: all passed (QEMU status 33)"; exit 0 ;;
35) echo "atlas: something failed (QEMU status 35)"; exit 1 ;;
37) echo "atlas: kernel panic (QEMU status 37)"; exit 1 ;;
0) ;;
*) echo "atlas: QEMU ended with status $status"; exit "$status" ;;
esac
if [ ! -s "$log" ]; then
	echo "atlas: QEMU powered off and $log is empty: no result"
	exit 1
fi
if grep -a -q '^panic:' "$log"; then
	echo "atlas: kernel panic (see $log)"
	exit 1
fi
failed=$(tr -d '\r' < "$log" | sed -n -e 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p' \
	-e 's/^{"rec":"summary","passed":[0-9]*,"failed":\([0-9]*\)}$/\1/p' | tail -n 1)
if [ -z "$failed" ]; then
	echo "atlas: QEMU powered off before the run's summary"
	exit 1
fi
if [ "$failed" -ne 0 ]; then
	echo "atlas: $failed failed (QEMU powered off)"
	exit 1
fi
echo "atlas: all passed (QEMU powered off)"
exit 0
