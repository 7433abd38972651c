#!/bin/sh
# in-netns.sh RESOLV_CONF DNS_LOG COMMAND...: runs COMMAND in the network and mount
# namespace that the caller made (unshare -nm): loopback up, the host's resolver file
# replaced by RESOLV_CONF (QEMU's user network sends the guest's queries to the name
# server it names), and dns.py answering on this namespace's 127.0.0.1:53. Nothing
# outside the namespace is reachable.
set -eu
resolv=$1 log=$2
shift 2
ip link set lo up
mount --bind "$resolv" /etc/resolv.conf
: > "$log"
python3 "$(dirname "$0")/dns.py" --log "$log" --seconds 110 ukc.test=192.0.2.7 \
  www.ukc.test=192.0.2.8 &
responder=$!
tries=0
until grep -q ready "$log"; do
  tries=$((tries + 1))
  [ $tries -lt 100 ] || { echo "in-netns.sh: the DNS responder did not start" >&2; exit 1; }
  sleep 0.1
done
status=0
"$@" || status=$?
kill $responder 2> /dev/null || true
exit $status
