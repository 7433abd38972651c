#!/bin/sh
# tap-netns.sh TAP ADDRESS/PREFIX COMMAND...: runs COMMAND in the network namespace
# that the caller made (unshare -n), with a tap device TAP at ADDRESS for `ukrun --net
# tap:TAP` to attach the guest to. The namespace has nothing else: the guest and the
# host side of the tap reach only each other.
set -eu
tap=$1 address=$2
shift 2
ip link set lo up
ip tuntap add dev "$tap" mode tap
ip addr add "$address" dev "$tap"
ip link set "$tap" up
exec "$@"
