#!/bin/sh
# Install the Debian packages the build, the tests and the demo need, and
# nothing when they are all present (so a second `make check` installs nothing).
set -eu
PKGS="build-essential pkg-config clang libclang-rt-14-dev clang-format libsqlite3-dev sqlite3 libssl-dev libmodbus-dev
libcoap3-dev libcoap3-bin libcbor-dev libjansson-dev libinih-dev libqrencode-dev
libpng-dev libargon2-dev libfreetype-dev libfontconfig-dev fonts-wqy-microhei libcmocka-dev libsystemd-dev zbar-tools mbpoll python3-pymodbus python3-serial-asyncio socat
gettext locales tmux openssl file man-db groff-base procps
libmicrohttpd-dev chromium chromium-driver python3-selenium"
# apt's locks: a Debian machine just booted updates its package lists on its
# own (apt-daily), and another apt-get may be running; wait up to LOCK_WAIT
# seconds for it, saying so, rather than fail the README's first command.
# apt-get install waits by itself (DPkg::Lock::Timeout); apt-get update does
# not wait for the lists' lock, so it is tried again while that is the error.
LOCK_WAIT=${DEPS_LOCK_WAIT:-600}
case $LOCK_WAIT in
'' | *[!0-9]*)
	echo "deps: DEPS_LOCK_WAIT must be a number of seconds, not '$LOCK_WAIT'" >&2
	exit 2
	;;
esac
apt_update() {
	out=$(mktemp /tmp/gasdeps.XXXXXX)
	waited=0
	# apt's own words, whatever the locale: they are read below
	while ! LC_ALL=C apt-get update -q 2>"$out"; do
		cat "$out" >&2
		if ! grep -q 'Could not get lock' "$out" || [ "$waited" -ge "$LOCK_WAIT" ]; then
			rm -f "$out"
			echo "deps: apt-get update failed" >&2
			return 1
		fi
		echo "deps: another apt holds its lock; waiting (${waited} s of ${LOCK_WAIT} s)" >&2
		sleep 5
		waited=$((waited + 5))
	done
	cat "$out" >&2
	rm -f "$out"
}
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
# Operator messages are tested in Simplified Chinese: the locale must exist.
need_locale() {
	! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'
}
if [ -z "$missing" ]; then
	need_locale || exit 0
fi
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing:$missing" >&2
		echo "deps: run 'make deps' as root (it installs them with apt-get), then make again" >&2
		exit 1
	fi
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt_update
	apt-get install -o DPkg::Lock::Timeout="$LOCK_WAIT" -y -q --no-install-recommends $missing
fi
if need_locale; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: the zh_CN.UTF-8 locale is missing; run 'make deps' as root (it generates it)" >&2
		exit 1
	fi
	echo "deps: generating locale zh_CN.UTF-8"
	sed -i 's/^# *zh_CN.UTF-8 UTF-8/zh_CN.UTF-8 UTF-8/' /etc/locale.gen
	grep -q '^zh_CN.UTF-8 UTF-8' /etc/locale.gen || echo 'zh_CN.UTF-8 UTF-8' >> /etc/locale.gen
	locale-gen
fi
