#!/bin/sh
# e2e (p), run INSIDE the live system from the COSPROBE drive: two NICs (veth c1, c2 in netns
# "cli") whose peers (s1, s2 in netns "srv") are bridged, VLAN 100 on the bridge carrying
# netprobe_peer.py (DHCPv4 + IPv6 RA). The probe under test (this tree's cos_installer, ahead of
# the installed one) runs in "cli" as the wizard would: bond c1+c2 > VLAN 100, DHCP, RA.
# Each step prints a P: line the phase reads back over the serial console.
D=$(dirname "$0")
export PYTHONPATH=$D/src
PROBE="ip netns exec cli /opt/cos-installer/bin/python -m cos_installer.cli netprobe"
ip netns add cli && ip netns add srv
for i in 1 2; do
  ip link add c$i netns cli address 52:54:00:aa:00:0$i type veth peer name s$i netns srv
done
ip -n srv link add br0 type bridge
for dev in s1 s2; do ip -n srv link set $dev master br0 && ip -n srv link set $dev up; done
ip -n srv link set br0 up && ip -n srv link set lo up && ip -n cli link set lo up
ip -n srv link add link br0 name br0.100 type vlan id 100
ip -n srv addr add 10.100.0.1/24 dev br0.100
ip -n srv addr add 2001:db8:100::1/64 dev br0.100 nodad
ip -n srv link set br0.100 up
ip netns exec srv python3 "$D/netprobe_peer.py" br0.100 10.100.0.1 2001:db8:100:: \
  >/tmp/peer.log 2>&1 &
sleep 2
nics() {  # each member's MAC, flags and MTU: what the probe must give back as it found it
  for d in c1 c2; do
    ip netns exec cli sh -c "cd /sys/class/net/$d && echo $d \$(cat address flags mtu)"
  done | tr '\n' ' '
}
echo "P:before $(nics)"
echo "P:untagged-begin"
$PROBE c1 --timeout 4
echo "P:untagged-rc=$?"
echo "P:bond-begin"
$PROBE c1 c2 --bond active-backup --vlan 100 --timeout 20
echo "P:bond-rc=$?"
echo "P:after $(nics)"
echo "P:leftover-links=$(ip -n cli -o link show | grep -c cosprobe)"
echo "P:bond-clients=$(ps -eo comm | grep -cE '^(udhcpc|dhclient|dhcpcd)$')"
# killed while the stack is up: SIGKILL, no cleanup can run; the next probe removes it
$PROBE c1 c2 --vlan 100 --timeout 20 >/tmp/killed.log 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  ip -n cli link show cosprobe-v >/dev/null 2>&1 && break
  sleep 0.1
done
kill -9 $pid
sleep 0.5
echo "P:killed-left=$(ip -n cli -o link show | grep -c ': cosprobe')"
echo "P:killed-clients=$(ps -eo comm | grep -cE '^(udhcpc|dhclient|dhcpcd)$')"
echo "P:again-begin"
$PROBE c2 --vlan 100 --timeout 20
echo "P:again-rc=$?"
echo "P:final-links=$(ip -n cli -o link show | grep -c cosprobe)"
echo "P:clients=$(ps -eo comm | grep -cE '^(udhcpc|dhclient|dhcpcd)$')"
echo "P:peer $(tr '\n' ' ' </tmp/peer.log | cut -c1-400)"
echo "P:done"
