#!/bin/bash
# netaddr.sh MAC CIDR — give the NIC with that MAC a static address, e.g. netaddr.sh 52:54:00:ba:00:01 192.0.2.15/24
# Waits (max 15 s) for the NIC and for udev to finish renaming it (eth0 -> enp0s5): ip needs the final name.
set -u
mac=${1,,} cidr=$2
find_nic() {
  local n a
  for n in /sys/class/net/*; do a=""; read -r a 2> /dev/null < "$n/address"; [ "${a,,}" = "$mac" ] && { NIC=${n##*/}; return 0; }; done
  return 1
}
for ((i = 0; i < 150; i++)); do
  if find_nic; then
    udevadm settle --timeout=10
    find_nic && ip addr add "$cidr" dev "$NIC" && exit 0
  fi
  read -rt 0.1 <> <(:) || :
done
echo "netaddr.sh: no NIC with MAC $mac (or ip addr add failed)" >&2
exit 1
