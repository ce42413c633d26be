#!/bin/bash
# capture.sh records the real Linux traffic that wire/pcap_test.go checks the
# wire package against: one pcap per scenario in wire/testdata/pcap/.
#
# Run as root:  wire/scripts/capture.sh [outdir]
#
# It builds two network namespaces joined by a veth pair, with lab addresses
# (10.213.50.0/24, fd7a:213:50::/64) and no default route, so nothing can leave
# the machine. Transmit checksum offload is off on both ends, so every
# captured checksum is complete. tcpdump runs in namespace A on the A end and
# sees both directions. The namespaces are removed on exit, whatever happens.
#
# Tools (Debian): apt-get install iproute2 ethtool nftables iputils-ping
#   iputils-tracepath traceroute tcpdump netcat-openbsd socat ndisc6 python3 curl
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
	echo "capture.sh: must run as root" >&2
	exit 1
fi
for tool in ip ethtool nft ping tracepath traceroute tcpdump socat ndisc6 python3 curl; do
	command -v "$tool" >/dev/null || { echo "capture.sh: missing $tool" >&2; exit 1; }
done

here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath -m "${1:-$here/../testdata/pcap}")
mkdir -p "$out"

A=wcap-a-$$
B=wcap-b-$$
work=$(mktemp -d)
pids=()

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for ns in "$A" "$B"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

inA() { ip netns exec "$A" "$@"; }
inB() { ip netns exec "$B" "$@"; }

A4=10.213.50.1
B4=10.213.50.2
A6=fd7a:213:50::1
B6=fd7a:213:50::2

ip netns add "$A"
ip netns add "$B"
ip link add a0 netns "$A" type veth peer name b0 netns "$B"
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
# tx off: complete checksums; gso/tso off: every frame as it goes on the wire.
inA ethtool -K a0 tx off gso off tso off >/dev/null
inB ethtool -K b0 tx off gso off tso off >/dev/null
ip -n "$A" addr add $A4/24 dev a0
ip -n "$B" addr add $B4/24 dev b0
ip -n "$A" addr add $A6/64 dev a0 nodad
ip -n "$B" addr add $B6/64 dev b0 nodad
ip -n "$A" link set a0 up
ip -n "$B" link set b0 up

# start_capture NAME: tcpdump on a0 into $out/NAME.pcap, returning once it
# listens. stop_capture ends it after the last packets have settled.
start_capture() {
	rm -f "$out/$1.pcap"
	# ip netns exec runs tcpdump in place, so $! is tcpdump itself.
	ip netns exec "$A" tcpdump -i a0 -n --immediate-mode -U -w "$out/$1.pcap" 2>"$work/td.log" &
	td=$!
	pids+=("$td")
	for _ in $(seq 100); do
		grep -q 'listening on' "$work/td.log" && return 0
		sleep 0.05
	done
	echo "capture.sh: tcpdump did not start: $(cat "$work/td.log")" >&2
	return 1
}
stop_capture() {
	sleep 0.3
	kill -TERM "$td"
	wait "$td" || true
	echo "$(basename "$out")/$1.pcap: $(grep packets "$work/td.log" | tr '\n' ' ')"
}

# wait_listen NS PORT: wait until something listens on TCP PORT in NS.
wait_listen() {
	for _ in $(seq 100); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.05
	done
	echo "capture.sh: nothing listens on $2 in $1" >&2
	return 1
}

# Let IPv6 link-local addresses finish DAD so later captures are quiet.
sleep 2.5

# ARP, then ICMP echo.
start_capture ping4
inA ping -n -c 3 -i 0.2 $B4 >/dev/null
stop_capture ping4

# Echo requests and replies of 3008 bytes: IPv4 fragments both ways.
start_capture ping4-frag
inA ping -n -c 2 -i 0.2 -s 3000 $B4 >/dev/null
stop_capture ping4-frag

# UDP probes with rising TTL, answered by ICMP port unreachable.
start_capture traceroute4
inA traceroute -n -q 1 -m 2 -w 1 $B4 >/dev/null
stop_capture traceroute4

start_capture tracepath4
inA tracepath -n -m 2 $B4 >/dev/null || true
stop_capture tracepath4

start_capture traceroute6
inA traceroute -6 -n -q 1 -m 2 -w 1 $B6 >/dev/null
stop_capture traceroute6

# NDP (neighbour solicitation and advertisement, ndisc6's explicit probe),
# then ICMPv6 echo.
inA ip -6 neigh flush dev a0
start_capture ping6
inA ndisc6 -q -1 $B6 a0 >/dev/null
inA ping -6 -n -c 3 -i 0.2 $B6 >/dev/null
stop_capture ping6

# IPv6 Fragment extension headers both ways.
start_capture ping6-frag
inA ping -6 -n -c 2 -i 0.2 -s 3000 $B6 >/dev/null
stop_capture ping6-frag

# HTTP over TCP (SYN options MSS, SACK-permitted, timestamps, window scale).
# A's nftables drops every 25th data segment from B after tcpdump has seen
# it, so A answers with SACK blocks and B retransmits. (A drop in B's own
# output path would only make B's TCP retry at once: no loss on the wire.)
seq 1 36000 >"$work/file" # about 200 KB
inB python3 -m http.server 8080 --bind :: --directory "$work" >/dev/null 2>&1 &
pids+=($!)
wait_listen "$B" 8080
inA nft -f - <<'EOF'
table inet lab {
	chain in {
		type filter hook input priority 0;
		tcp sport 8080 tcp flags & (syn|fin|rst) == 0 numgen inc mod 25 == 12 counter drop
	}
}
EOF
start_capture tcp4-http
inA curl -s -o /dev/null --max-time 20 http://$B4:8080/file
stop_capture tcp4-http

head -c 20000 "$work/file" >"$work/small"
start_capture tcp6-http
inA curl -s -o /dev/null --max-time 20 "http://[$B6]:8080/small"
stop_capture tcp6-http
inA nft delete table inet lab

# IGMPv3 and then IGMPv2 membership reports and leaves from B, with one
# multicast UDP datagram from A to the group in between.
start_capture igmp
for v in 3 2; do
	inB sysctl -qw net.ipv4.conf.b0.force_igmp_version=$v
	ip netns exec "$B" socat -u UDP4-RECV:5000,ip-add-membership=239.1.2.3:b0 - >/dev/null &
	r=$!
	sleep 0.5
	echo igmp | inA socat -u - UDP4-SENDTO:239.1.2.3:5000,ip-multicast-if=$A4 || true
	sleep 0.3
	kill "$r"; wait "$r" 2>/dev/null || true
	sleep 0.3
done
stop_capture igmp

# MLDv2 and then MLDv1 reports and leaves (done) from B for ff15::1:2:3.
start_capture mld
for v in 2 1; do
	inB sysctl -qw net.ipv6.conf.b0.force_mld_version=$v
	ip netns exec "$B" socat -u "UDP6-RECV:5000,ipv6-join-group=[ff15::1:2:3]:b0" - >/dev/null &
	r=$!
	sleep 0.5
	kill "$r"; wait "$r" 2>/dev/null || true
	sleep 0.3
done
stop_capture mld

du -ch "$out"/*.pcap | tail -1
