/**
 * The swap host script (assets/swap-host.sh) run by Debian's /bin/sh against a throwaway root in a temp dir: fake
 * /proc/swaps, /proc/mounts, /proc/meminfo, a cgroup v2 marker and a kubelet config, and stub commands that record
 * their calls (swapon and swapoff keep the fake /proc/swaps up to date, mkswap writes a real swap signature).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { swapHostScript, SWAP_HOST_SCRIPT_PATH } from '../../src/cdk8s/swap-daemon-set';
import { Memory } from '../../src/sizing/quantity';
import { swapBootstrapScript } from '../../src/sizing/swap';

const STUBS: Record<string, string> = {
  swapon: `echo "swapon $*" >> "$CALLS_LOG"
if [ "$1" = "--show=NAME" ]; then tail -n +2 "$PROC_SWAPS" | awk '{ print $1 }'; exit 0; fi
printf '%s\\tfile\\t%s\\t%s\\t-2\\n' "$1" "$(( $(wc -c < "$1") / 1024 ))" "\${FAKE_SWAP_USED_KB:-0}" >> "$PROC_SWAPS"`,
  swapoff: `echo "swapoff $*" >> "$CALLS_LOG"
awk -v f="$1" '$1 != f' "$PROC_SWAPS" > "$PROC_SWAPS.tmp" && mv "$PROC_SWAPS.tmp" "$PROC_SWAPS"`,
  mkswap: `echo "mkswap $*" >> "$CALLS_LOG"
printf SWAPSPACE2 | dd of="$1" bs=1 seek=4086 conv=notrunc 2>/dev/null`,
  fallocate: `echo "fallocate $*" >> "$CALLS_LOG"
if [ -n "\${FAKE_FALLOCATE_FAILS:-}" ]; then echo "fallocate: Operation not supported" >&2; exit 1; fi
truncate -s "$(( \${2%MiB} * 1048576 ))" "$3"`,
  sysctl: 'echo "sysctl $*" >> "$CALLS_LOG"',
  systemctl: 'echo "systemctl $*" >> "$CALLS_LOG"',
  df: `echo "df $*" >> "$CALLS_LOG"
printf 'Filesystem 1024-blocks Used Available Capacity Mounted on\\n/dev/sda1 100000000 1 %s 1%% /\\n' "\${FAKE_DF_AVAIL_KB:-50000000}"`,
};

interface Root {
  dir: string;
  swapFile: string;
  env: Record<string, string>;
  run(mode: string, extraEnv?: Record<string, string>): { status: number; stdout: string; stderr: string; calls: string[] };
  read(relative: string): string;
}

const roots: string[] = [];
afterEach(() => {
  for (const dir of roots.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A throwaway root with a cgroup v2 node, an ext4 disk, 8 GB of RAM and a kubelet that tolerates swap. */
function makeRoot(options: { fsType?: string; cgroupV2?: boolean; kubelet?: string | null } = {}): Root {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memguard-swap-root-'));
  roots.push(dir);
  const p = (rel: string) => path.join(dir, rel);
  for (const sub of ['proc', 'sys/fs/cgroup', 'var/lib/kubelet', 'etc', 'bin', 'disk']) fs.mkdirSync(p(sub), { recursive: true });
  fs.writeFileSync(p('proc/swaps'), 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n');
  fs.writeFileSync(p('proc/mounts'), `overlay / overlay rw 0 0\n/dev/sda1 ${p('disk')} ${options.fsType ?? 'ext4'} rw,relatime 0 0\n`);
  fs.writeFileSync(p('proc/meminfo'), 'MemTotal:        8000000 kB\nMemFree:         5000000 kB\nMemAvailable:    6000000 kB\n');
  if (options.cgroupV2 ?? true) fs.writeFileSync(p('sys/fs/cgroup/cgroup.controllers'), 'cpuset cpu io memory pids\n');
  const kubelet = options.kubelet === undefined ? 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfailSwapOn: false\nmemorySwap:\n  swapBehavior: LimitedSwap\n' : options.kubelet;
  if (kubelet !== null) fs.writeFileSync(p('var/lib/kubelet/config.yaml'), kubelet);
  fs.writeFileSync(p('etc/fstab'), '# /etc/fstab\nUUID=abc / ext4 defaults 0 1\n');
  for (const [name, body] of Object.entries(STUBS)) fs.writeFileSync(p(`bin/${name}`), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  const swapFile = p('disk/swapfile');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    CALLS_LOG: p('calls.log'),
    SWAP_FILE: swapFile,
    SWAP_SIZE_MIB: '4',
    SWAPPINESS: '10',
    PAGE_SIZE: '4096',
    PROC_SWAPS: p('proc/swaps'),
    PROC_MOUNTS: p('proc/mounts'),
    PROC_MEMINFO: p('proc/meminfo'),
    CGROUP_ROOT: p('sys/fs/cgroup'),
    KUBELET_CONFIG: p('var/lib/kubelet/config.yaml'),
    FSTAB: p('etc/fstab'),
    SYSCTL_FILE: p('etc/sysctl.d/90-memguard-swap.conf'),
    SLICE_DROPIN: p('etc/systemd/system/system.slice.d/90-memguard-noswap.conf'),
  };
  for (const name of Object.keys(STUBS)) env[name.toUpperCase()] = p(`bin/${name}`);
  return {
    dir,
    swapFile,
    env,
    run(mode, extraEnv = {}) {
      fs.writeFileSync(env.CALLS_LOG, '');
      const result = spawnSync('/bin/sh', [SWAP_HOST_SCRIPT_PATH, mode], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
      const calls = fs.readFileSync(env.CALLS_LOG, 'utf8').split('\n').filter(Boolean).map((c) => c.split(dir).join('<root>'));
      return { status: result.status ?? -1, stdout: result.stdout.split(dir).join('<root>'), stderr: result.stderr.split(dir).join('<root>'), calls };
    },
    read: (rel) => fs.readFileSync(p(rel), 'utf8'),
  };
}

describe('swap-host.sh apply', () => {
  test('GIVEN a cgroup v2 node whose kubelet tolerates swap WHEN applied THEN it creates, secures, activates and persists a swap file', () => {
    const root = makeRoot();
    const result = root.run('apply');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.calls).toEqual([
      'swapon --show=NAME --noheadings',
      'df -Pk <root>/disk',
      'fallocate -l 4MiB <root>/disk/swapfile',
      'mkswap <root>/disk/swapfile',
      'swapon <root>/disk/swapfile',
      'sysctl -p <root>/etc/sysctl.d/90-memguard-swap.conf',
      'systemctl set-property --runtime system.slice MemorySwapMax=0',
    ]);
    expect(result.stdout).toBe([
      'memguard-swap: created 4MiB swap file <root>/disk/swapfile',
      'memguard-swap: activated <root>/disk/swapfile',
      'memguard-swap: added <root>/disk/swapfile to <root>/etc/fstab so that it is active at boot, before the kubelet',
      'memguard-swap: set vm.swappiness = 10 in <root>/etc/sysctl.d/90-memguard-swap.conf',
      'memguard-swap: system.slice may not swap (<root>/etc/systemd/system/system.slice.d/90-memguard-noswap.conf)',
      'memguard-swap: done',
      '',
    ].join('\n'));
    expect((fs.statSync(root.swapFile).mode % 0o1000).toString(8)).toBe('600');
    expect(fs.statSync(root.swapFile).size).toBe(4 * 1048576);
    expect(root.read('etc/fstab')).toBe(`# /etc/fstab\nUUID=abc / ext4 defaults 0 1\n${root.swapFile} none swap sw 0 0\n`);
    expect(root.read('etc/sysctl.d/90-memguard-swap.conf')).toBe('vm.swappiness = 10\n');
    expect(root.read('etc/systemd/system/system.slice.d/90-memguard-noswap.conf')).toBe(
      '# memguard: the kubelet and the container runtime must never swap.\n[Slice]\nMemorySwapMax=0\n');
    expect(root.read('proc/swaps')).toContain(`${root.swapFile}\tfile\t4096\t0\t-2\n`);
  });

  test('GIVEN swap already provisioned WHEN applied again THEN nothing changes and it says it skipped', () => {
    const root = makeRoot();
    expect(root.run('apply').status).toBe(0);
    const before = ['etc/fstab', 'etc/sysctl.d/90-memguard-swap.conf', 'proc/swaps'].map((f) => root.read(f));
    const second = root.run('apply');
    expect(second.status).toBe(0);
    expect(second.calls).toEqual(['swapon --show=NAME --noheadings']);
    expect(second.stdout).toBe([
      'memguard-swap: swap file <root>/disk/swapfile is already active; skipped creating it',
      'memguard-swap: fstab already activates <root>/disk/swapfile at boot (before the kubelet, via swap.target)',
      'memguard-swap: vm.swappiness = 10 already set in <root>/etc/sysctl.d/90-memguard-swap.conf',
      'memguard-swap: system.slice already may not swap (<root>/etc/systemd/system/system.slice.d/90-memguard-noswap.conf)',
      'memguard-swap: done',
      '',
    ].join('\n'));
    expect(['etc/fstab', 'etc/sysctl.d/90-memguard-swap.conf', 'proc/swaps'].map((f) => root.read(f))).toEqual(before);
  });

  test('GIVEN an inactive swap file of the right size from an earlier run (after a reboot without fstab) WHEN applied THEN it is only re-activated', () => {
    const root = makeRoot();
    expect(root.run('apply').status).toBe(0);
    fs.writeFileSync(root.env.PROC_SWAPS, 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n');
    const result = root.run('apply');
    expect(result.status).toBe(0);
    expect(result.calls).toEqual(['swapon --show=NAME --noheadings', 'swapon <root>/disk/swapfile']);
    expect(result.stdout).toContain('memguard-swap: reusing the existing swap file <root>/disk/swapfile\nmemguard-swap: activated <root>/disk/swapfile\n');
  });

  test('GIVEN fallocate is not supported WHEN applied THEN the file is written with dd', () => {
    const root = makeRoot();
    const result = root.run('apply', { FAKE_FALLOCATE_FAILS: '1' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('memguard-swap: fallocate failed; writing <root>/disk/swapfile with dd\n');
    expect(fs.statSync(root.swapFile).size).toBe(4 * 1048576);
    expect(result.calls).toContain('mkswap <root>/disk/swapfile');
  });
});

describe('swap-host.sh preflight refusals (exit 3, nothing created)', () => {
  const refusals: Array<[string, Parameters<typeof makeRoot>[0], Record<string, string>, string]> = [
    ['cgroup v1', { cgroupV2: false }, {},
      'memguard-swap: REFUSED: the node runs cgroup v1 (<root>/sys/fs/cgroup/cgroup.controllers is missing); Kubernetes supports swap on cgroup v2 only\n'],
    ['a kubelet with failSwapOn true', { kubelet: 'kind: KubeletConfiguration\nfailSwapOn: true\n' }, {},
      'memguard-swap: REFUSED: kubelet config <root>/var/lib/kubelet/config.yaml does not set failSwapOn: false, so the kubelet would fail to start with swap on at its next restart; apply memguard\'s KubeletConfiguration fragment and restart the kubelet first\n'],
    ['a kubelet config that never mentions failSwapOn', { kubelet: 'kind: KubeletConfiguration\n' }, {},
      'memguard-swap: REFUSED: kubelet config <root>/var/lib/kubelet/config.yaml does not set failSwapOn: false, so the kubelet would fail to start with swap on at its next restart; apply memguard\'s KubeletConfiguration fragment and restart the kubelet first\n'],
    ['a missing kubelet config', { kubelet: null }, {},
      'memguard-swap: REFUSED: kubelet config <root>/var/lib/kubelet/config.yaml not found, so it cannot be checked for failSwapOn: false; set KUBELET_CONFIG to the kubelet\'s --config file\n'],
    ['a swap file on overlay', { fsType: 'overlay' }, {},
      'memguard-swap: REFUSED: swap file <root>/disk/swapfile would be on a overlay filesystem; a swap file needs a disk filesystem (ext2 ext3 ext4 xfs), not overlay, tmpfs or ramfs\n'],
    ['a swap file on tmpfs', { fsType: 'tmpfs' }, {},
      'memguard-swap: REFUSED: swap file <root>/disk/swapfile would be on a tmpfs filesystem; a swap file needs a disk filesystem (ext2 ext3 ext4 xfs), not overlay, tmpfs or ramfs\n'],
    ['too little free disk', {}, { FAKE_DF_AVAIL_KB: '8191' },
      'memguard-swap: REFUSED: only 7MiB free on <root>/disk; a 4MiB swap file may take at most half of the free space\n'],
    ['more swap than RAM', {}, { SWAP_SIZE_MIB: '7813' },
      'memguard-swap: REFUSED: swap size 7813MiB is more than the node\'s memory (7812MiB)\n'],
  ];

  test.each(refusals)('GIVEN %s WHEN applied THEN it refuses with the reason', (_what, options, env, message) => {
    const root = makeRoot(options);
    const result = root.run('apply', env);
    expect(result.stderr).toBe(message);
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('');
    expect(fs.existsSync(root.swapFile)).toBe(false);
    expect(result.calls.filter((c) => /^(fallocate|mkswap|swapon \/|sysctl)/.test(c))).toEqual([]);
  });

  test('GIVEN exactly half the free disk WHEN applied THEN it is accepted (the boundary)', () => {
    expect(makeRoot().run('apply', { FAKE_DF_AVAIL_KB: '8192' }).status).toBe(0);
  });

  test('GIVEN a file at the swap path that is not a swap file WHEN applied THEN it refuses to touch it', () => {
    const root = makeRoot();
    fs.writeFileSync(root.swapFile, 'precious data');
    const result = root.run('apply');
    expect(result.status).toBe(3);
    expect(result.stderr).toBe('memguard-swap: REFUSED: <root>/disk/swapfile exists but is not a 4MiB swap file; remove it or choose another swap file path\n');
    expect(fs.readFileSync(root.swapFile, 'utf8')).toBe('precious data');
  });

  test('GIVEN no size or an unknown mode WHEN run THEN it exits 2 with usage', () => {
    const root = makeRoot();
    const noSize = root.run('apply', { SWAP_SIZE_MIB: '' });
    expect(noSize.status).toBe(2);
    expect(noSize.stderr).toBe("memguard-swap: SWAP_SIZE_MIB must be a whole number of MiB above 0, got ''\nusage: swap-host.sh apply|remove (SWAP_FILE, SWAP_SIZE_MIB and SWAPPINESS from the environment)\n");
    const badMode = root.run('swapoff');
    expect(badMode.status).toBe(2);
    expect(badMode.stderr).toMatch(/^memguard-swap: unknown mode 'swapoff'\n/);
  });
});

describe('swap-host.sh remove', () => {
  test('GIVEN provisioned swap WHEN removed THEN it is turned off and every trace is gone; a second remove changes nothing', () => {
    const root = makeRoot();
    expect(root.run('apply').status).toBe(0);
    const result = root.run('remove');
    expect(result.status).toBe(0);
    expect(result.calls).toEqual(['swapon --show=NAME --noheadings', 'swapoff <root>/disk/swapfile']);
    expect(result.stdout).toBe([
      'memguard-swap: deactivated <root>/disk/swapfile',
      'memguard-swap: removed <root>/disk/swapfile from <root>/etc/fstab',
      'memguard-swap: removed <root>/etc/sysctl.d/90-memguard-swap.conf (vm.swappiness returns to the kernel default at the next boot)',
      'memguard-swap: removed <root>/etc/systemd/system/system.slice.d/90-memguard-noswap.conf',
      'memguard-swap: deleted <root>/disk/swapfile',
      'memguard-swap: swap removed; you may now set failSwapOn: true in the kubelet config and restart the kubelet',
      '',
    ].join('\n'));
    expect(fs.existsSync(root.swapFile)).toBe(false);
    expect(root.read('etc/fstab')).toBe('# /etc/fstab\nUUID=abc / ext4 defaults 0 1\n');
    expect(root.read('proc/swaps')).not.toContain(root.swapFile);

    const again = root.run('remove');
    expect(again.status).toBe(0);
    expect(again.calls).toEqual(['swapon --show=NAME --noheadings']);
    expect(again.stdout).toBe('memguard-swap: swap file <root>/disk/swapfile is not active\n'
      + 'memguard-swap: swap removed; you may now set failSwapOn: true in the kubelet config and restart the kubelet\n');
  });

  test('GIVEN more swap in use than memory available WHEN removed THEN it refuses and leaves swap on', () => {
    const root = makeRoot();
    expect(root.run('apply', { FAKE_SWAP_USED_KB: '6000000' }).status).toBe(0);
    const result = root.run('remove');
    expect(result.status).toBe(3);
    expect(result.stderr).toBe('memguard-swap: REFUSED: 5859MiB of <root>/disk/swapfile is in use but only 5859MiB of memory is available; drain the node first\n');
    expect(result.calls).toEqual(['swapon --show=NAME --noheadings']);
    expect(fs.existsSync(root.swapFile)).toBe(true);
  });
});

describe('shellcheck', () => {
  const shellcheck = () => {
    const which = spawnSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' });
    if (which.status !== 0) throw new Error('shellcheck not found: install Debian\'s "shellcheck" package (apt-get install -y --no-install-recommends shellcheck).');
    return which.stdout.trim();
  };

  test('GIVEN the host script WHEN shellchecked THEN it is clean, and the ConfigMap text is the file', () => {
    const result = spawnSync(shellcheck(), ['--shell=sh', SWAP_HOST_SCRIPT_PATH], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(swapHostScript()).toBe(fs.readFileSync(path.join(__dirname, '..', '..', 'assets', 'swap-host.sh'), 'utf8'));
  });

  test('GIVEN the node-bootstrap snippet WHEN shellchecked THEN it is clean', () => {
    const result = spawnSync(shellcheck(), ['--shell=sh', '-'], { input: swapBootstrapScript({ size: Memory.parse('4Gi'), swapFile: '/var/lib/swap-file' }), encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
