import path from 'node:path';
/** Where the unit is installed, and its name. */
export const UNIT_NAME = 'baomi-agent.service';
export const UNIT_PATH = `/etc/systemd/system/${UNIT_NAME}`;

/**
 * Node flags for the long-running agent: a 1 MB young generation and no optimising compiler keep
 * its resident memory low (it does little work, in short bursts; a scan is no slower measured).
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=1', '--lite-mode'] as const;

export interface UnitOptions {
  /** Absolute path of the node binary. */
  node: string;
  /** Absolute path of dist/agent/cli/main.js. */
  script: string;
  stateDir: string;
}

/**
 * The hardened systemd unit of `baomi-agent run`. The agent only reads the machine and writes
 * its state directory, and it never needs the network: the unit takes every other right away.
 * Not set, on purpose: PrivateDevices (libusb needs /dev/bus/usb), MemoryDenyWriteExecute
 * (V8's JIT writes code), PrivateNetwork (the agent must see the host's interfaces).
 */
export function renderUnit({ node, script, stateDir }: UnitOptions): string {
  if (![node, script, stateDir].every((p) => p.startsWith('/') && !/[\s"'\\$%;]/.test(p))) {
    throw new Error('unit paths must be absolute, without spaces or shell/unit special characters');
  }
  const stateDirectory = stateDir.startsWith('/var/lib/') ? stateDir.slice('/var/lib/'.length) : null;
  return `# baomi 保密合规代理 — written by \`baomi-agent install-service\`
[Unit]
Description=baomi endpoint compliance agent (保密合规代理)
Documentation=file:${path.resolve(script, "../../../../README.md")}
After=local-fs.target systemd-udevd.service
StartLimitIntervalSec=0

[Service]
Type=simple
ExecStart=${node} ${SERVICE_NODE_FLAGS.join(' ')} ${script} run --state-dir ${stateDir}
Restart=always
RestartSec=2
TimeoutStopSec=20
KillSignal=SIGTERM
Environment=NODE_ENV=production
UMask=0077
${stateDirectory ? `StateDirectory=${stateDirectory}\nStateDirectoryMode=0700\n` : ''}ReadWritePaths=${stateDir}

# Least privilege: read the machine, write only the state directory, no network at all.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
PrivateTmp=yes
RestrictAddressFamilies=AF_UNIX AF_NETLINK
IPAddressDeny=any
CapabilityBoundingSet=CAP_DAC_READ_SEARCH CAP_DAC_OVERRIDE CAP_CHOWN CAP_FOWNER
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RemoveIPC=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM

[Install]
WantedBy=multi-user.target
`;
}
