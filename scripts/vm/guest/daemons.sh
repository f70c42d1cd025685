# baomi VM: the system's own record keepers, sourced by stage2.sh (PID 1; there is no systemd init).
# run.sh sets in config:
#   BAOMI_TZ           zone for /etc/localtime + /etc/timezone (before any daemon starts)
#   BAOMI_MACHINE_ID   32 hex digits for /etc/machine-id (default: a fresh random one when journald runs)
#   BAOMI_GUEST_ROOT   1: copy the setup.sh-unpacked packages ($BAOMI_CACHE/guest-root) over /
#   BAOMI_JOURNALD     1: the host's systemd-journald, persistent storage in /var/log/journal/<machine-id>
#   BAOMI_SYSLOG       rfc3339 | traditional: rsyslogd with Debian's rsyslog.conf (+ /var/log/messages)
#   BAOMI_NETWORKD     MACs (space-separated) of the links systemd-networkd runs DHCPv4 on; "" = no networkd
#   BAOMI_DHCLIENT     MACs of the links ISC dhclient runs on (as ifupdown starts it)
# daemons_start runs before udev; daemons_links once the NICs have their final names; daemons_stop after
# the command, so that every file is complete (journal files closed: state "offline") before collection.
DAEMON_PIDS=()

daemons_start() {
  if [ -n "${BAOMI_TZ:-}" ]; then
    [ -f "/usr/share/zoneinfo/$BAOMI_TZ" ] || { echo "no zone $BAOMI_TZ in /usr/share/zoneinfo" >> $X/setup.failed; return 1; }
    ln -sfn "/usr/share/zoneinfo/$BAOMI_TZ" /etc/localtime && echo "$BAOMI_TZ" > /etc/timezone
  fi
  if [ "${BAOMI_GUEST_ROOT:-0}" = 1 ]; then
    [ -d "$BAOMI_CACHE/guest-root/usr" ] || { echo "no $BAOMI_CACHE/guest-root: run scripts/vm/setup.sh" >> $X/setup.failed; return 1; }
    # (tar keeps the merged-/usr links /sbin -> usr/sbin; cp -a would refuse to write a directory over them)
    tar -C "$BAOMI_CACHE/guest-root" -cf - . | tar -C / -xf - --keep-directory-symlink 2> /run/baomi/guest-root.err ||
      { echo "cannot copy $BAOMI_CACHE/guest-root over /: $(cat /run/baomi/guest-root.err)" >> $X/setup.failed; return 1; }
  fi
  if [ "${BAOMI_JOURNALD:-0}" = 1 ] || [ -n "${BAOMI_MACHINE_ID:-}" ]; then
    local mid=${BAOMI_MACHINE_ID:-$(tr -d '-' < /proc/sys/kernel/random/uuid)}
    echo "$mid" > /etc/machine-id
  fi
  if [ "${BAOMI_JOURNALD:-0}" = 1 ] || [ -n "${BAOMI_NETWORKD:-}" ]; then
    # systemd's daemons want the unified cgroup hierarchy that systemd mounts at boot
    mountpoint -q /sys/fs/cgroup || mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup ||
      { echo "cannot mount cgroup2 on /sys/fs/cgroup" >> $X/setup.failed; return 1; }
  fi
  if [ "${BAOMI_JOURNALD:-0}" = 1 ]; then
    mkdir -p /var/log/journal /run/systemd/journal /run/systemd/journald.conf.d
    # Debian's journald.conf (all defaults) + persistent storage; forwarding to rsyslog as on Debian with both
    printf '[Journal]\nStorage=persistent\nForwardToSyslog=%s\n%s' "$([ -n "${BAOMI_SYSLOG:-}" ] && echo yes || echo no)" \
      "${BAOMI_JOURNAL_MAX:+SystemMaxFileSize=$BAOMI_JOURNAL_MAX
}" > /run/systemd/journald.conf.d/baomi.conf
    setsid /lib/systemd/systemd-journald < /dev/null > /run/baomi/journald.log 2>&1 &
    DAEMON_PIDS+=("journald:$!")
    local i
    for ((i = 0; i < 100; i++)); do [ -S /run/systemd/journal/socket ] && break; nap 0.1; done
    [ -S /run/systemd/journal/socket ] || { echo "systemd-journald did not start: $(cat /run/baomi/journald.log)" >> $X/setup.failed; return 1; }
    # what systemd-journal-flush.service does at boot: move from /run/log/journal to /var/log/journal
    journalctl --flush > /dev/null 2>&1 || kill -USR1 "${DAEMON_PIDS[-1]#*:}"
    log "journald up ($(ls /var/log/journal/$(< /etc/machine-id) 2> /dev/null | tr '\n' ' '))"
  fi
  if [ -n "${BAOMI_SYSLOG:-}" ]; then
    [ -x /usr/sbin/rsyslogd ] || { echo "no rsyslogd: run scripts/vm/setup.sh (it unpacks rsyslog into the cache)" >> $X/setup.failed; return 1; }
    mkdir -p /var/spool/rsyslog /var/lib/logrotate
    # Debian 12's rsyslog.conf writes RFC 3339 timestamps; Debian <= 11 (and the release notes' way back) is this line:
    [ "$BAOMI_SYSLOG" = traditional ] && echo '$ActionFileDefaultTemplate RSYSLOG_TraditionalFileFormat' > /etc/rsyslog.d/00-baomi-traditional.conf
    # RHEL-family rule for /var/log/messages (Debian >= 11 dropped that file), rotated like the others
    echo '*.info;mail.none;authpriv.none;cron.none		-/var/log/messages' > /etc/rsyslog.d/50-baomi-messages.conf
    # journald forwards what it receives to this socket (systemd's syslog.socket does that on Debian)
    [ "${BAOMI_JOURNALD:-0}" = 1 ] && echo 'input(type="imuxsock" Socket="/run/systemd/journal/syslog")' > /etc/rsyslog.d/10-baomi-journal.conf
    # Debian's /usr/lib/rsyslog/rsyslog-rotate only signals through systemctl: HUP by pid file, as sysvinit's
    # "invoke-rc.d rsyslog rotate" did
    sed -i -e 's|^\(\s*\)/usr/lib/rsyslog/rsyslog-rotate|\1kill -HUP $(cat /run/rsyslogd.pid)|' -e 's|^/var/log/syslog$|/var/log/syslog\n/var/log/messages|' /etc/logrotate.d/rsyslog
    /usr/sbin/rsyslogd > /run/baomi/rsyslogd.log 2>&1 < /dev/null || { echo "rsyslogd failed: $(cat /run/baomi/rsyslogd.log)" >> $X/setup.failed; return 1; }
    for ((i = 0; i < 100; i++)); do [ -S /dev/log ] && [ -s /run/rsyslogd.pid ] && break; nap 0.1; done
    DAEMON_PIDS+=("rsyslogd:$(cat /run/rsyslogd.pid 2> /dev/null)")
    # on Debian with systemd, syslog(3) goes to journald first, which forwards to rsyslog
    [ "${BAOMI_JOURNALD:-0}" = 1 ] && ln -sfn /run/systemd/journal/dev-log /dev/log
    log "rsyslogd up ($BAOMI_SYSLOG)"
  fi
  return 0
}

mac_to_nic() {  # MAC -> NIC (global); bash only
  local n a
  for n in /sys/class/net/*; do a=""; read -r a 2> /dev/null < "$n/address"; [ "${a,,}" = "${1,,}" ] && { NIC=${n##*/}; return 0; }; done
  return 1
}

daemons_links() {
  local mac i
  if [ -n "${BAOMI_NETWORKD:-}" ]; then
    mkdir -p /run/systemd/network /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/netif/lldp
    chown -R systemd-network:systemd-network /run/systemd/netif
    i=0
    for mac in $BAOMI_NETWORKD; do
      [ "$mac" = none ] && continue
      i=$((i + 1))
      printf '[Match]\nMACAddress=%s\n\n[Network]\nDHCP=ipv4\n' "$mac" > /run/systemd/network/50-baomi-$i.network
    done
    # under systemd, its stderr is a journal stream; here it is told where to log
    local target=console
    [ -n "${BAOMI_SYSLOG:-}" ] && target=syslog
    [ "${BAOMI_JOURNALD:-0}" = 1 ] && target=journal
    SYSTEMD_LOG_TARGET=$target setsid /usr/lib/systemd/systemd-networkd < /dev/null > /run/baomi/networkd.log 2>&1 &
    DAEMON_PIDS+=("networkd:$!")
    log "networkd up"
  fi
  for mac in ${BAOMI_DHCLIENT:-}; do
    [ -x /sbin/dhclient ] || { echo "no dhclient: run scripts/vm/setup.sh" >> $X/setup.failed; return 1; }
    for ((i = 0; i < 150; i++)); do mac_to_nic "$mac" && break; nap 0.1; done
    mac_to_nic "$mac" || { echo "dhclient: no NIC with MAC $mac" >> $X/setup.failed; return 1; }
    mkdir -p /var/lib/dhcp
    # ifupdown's invocation (/etc/network/interfaces "iface X inet dhcp"); backgrounds itself once bound
    ( dhclient -4 -v -i -pf /run/dhclient.$NIC.pid -lf /var/lib/dhcp/dhclient.$NIC.leases -I -df /var/lib/dhcp/dhclient6.$NIC.leases "$NIC" > /run/baomi/dhclient.$NIC.log 2>&1 < /dev/null & )
    log "dhclient started on $NIC"
  done
  return 0
}

daemons_stop() {  # newest first; wait for each to exit so its files are flushed and closed
  local k p name i
  for f in /run/dhclient.*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2> /dev/null; done
  for ((k = ${#DAEMON_PIDS[@]} - 1; k >= 0; k--)); do
    name=${DAEMON_PIDS[$k]%%:*} p=${DAEMON_PIDS[$k]#*:}
    [ -n "$p" ] || continue
    kill "$p" 2> /dev/null || continue
    for ((i = 0; i < 100; i++)); do [ -d /proc/$p ] || break; nap 0.1; done
    [ -d /proc/$p ] && log "$name ($p) did not stop"
  done
}
