#!/bin/sh
# memguard swap host script: provisions ("apply") or removes ("remove") a swap file on a Kubernetes node.
#
# It runs in the host's mount namespace: memguard's SwapDaemonSet init container enters it with
# `nsenter -t 1 -m -u -i -n -p -- /bin/sh -s -- <mode> < swap-host.sh`. It is idempotent: a second run changes
# nothing and says so. It fails closed: any preflight it cannot pass ends with "REFUSED: <reason>" and exit code 3.
#
# Every path it reads or writes and every command it runs can be overridden through the environment (tests point them
# into a throwaway root); the defaults are the real ones.
set -eu

MODE="${1:-${MODE:-apply}}"
SWAP_FILE="${SWAP_FILE:-/swapfile}"
SWAP_SIZE_MIB="${SWAP_SIZE_MIB:-}"
SWAPPINESS="${SWAPPINESS:-60}"

PROC_SWAPS="${PROC_SWAPS:-/proc/swaps}"
PROC_MOUNTS="${PROC_MOUNTS:-/proc/mounts}"
PROC_MEMINFO="${PROC_MEMINFO:-/proc/meminfo}"
CGROUP_ROOT="${CGROUP_ROOT:-/sys/fs/cgroup}"
KUBELET_CONFIG="${KUBELET_CONFIG:-/var/lib/kubelet/config.yaml}"
FSTAB="${FSTAB:-/etc/fstab}"
SYSCTL_FILE="${SYSCTL_FILE:-/etc/sysctl.d/90-memguard-swap.conf}"
SLICE_DROPIN="${SLICE_DROPIN:-/etc/systemd/system/system.slice.d/90-memguard-noswap.conf}"

SWAPON="${SWAPON:-swapon}"
SWAPOFF="${SWAPOFF:-swapoff}"
MKSWAP="${MKSWAP:-mkswap}"
FALLOCATE="${FALLOCATE:-fallocate}"
DD="${DD:-dd}"
SYSCTL="${SYSCTL:-sysctl}"
DF="${DF:-df}"
SYSTEMCTL="${SYSTEMCTL:-systemctl}"
PAGE_SIZE="${PAGE_SIZE:-$(getconf PAGESIZE)}"

# Filesystems a swap file works on. overlay (a container's own layer), tmpfs and ramfs cannot hold swap; btrfs needs
# special handling (nodatacow) this script does not do.
SWAP_FILESYSTEMS="ext2 ext3 ext4 xfs"

say() {
  printf 'memguard-swap: %s\n' "$*"
}

refuse() {
  printf 'memguard-swap: REFUSED: %s\n' "$*" >&2
  exit 3
}

usage() {
  printf 'memguard-swap: %s\nusage: swap-host.sh apply|remove (SWAP_FILE, SWAP_SIZE_MIB and SWAPPINESS from the environment)\n' "$*" >&2
  exit 2
}

is_active() {
  "$SWAPON" --show=NAME --noheadings | grep -qxF "$SWAP_FILE"
}

# The filesystem type of the longest mount point containing $1.
fs_type() {
  awk -v path="$1" '
    {
      mp = $2
      gsub(/\\040/, " ", mp)
      if (mp == "/" || path == mp || index(path, mp "/") == 1) {
        if (length(mp) >= best) { best = length(mp); type = $3 }
      }
    }
    END { print type }
  ' "$PROC_MOUNTS"
}

meminfo_kib() {
  awk -v key="$1:" '$1 == key { print $2 }' "$PROC_MEMINFO"
}

# Writes $2 to file $1 unless it already holds exactly that; returns 0 when it wrote.
write_if_changed() {
  if [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; then
    return 1
  fi
  mkdir -p "$(dirname "$1")"
  printf '%s\n' "$2" > "$1"
  return 0
}

has_swap_signature() {
  [ "$("$DD" if="$SWAP_FILE" bs=1 skip=$((PAGE_SIZE - 10)) count=10 2>/dev/null)" = "SWAPSPACE2" ]
}

preflight_node() {
  if [ ! -f "$CGROUP_ROOT/cgroup.controllers" ]; then
    refuse "the node runs cgroup v1 ($CGROUP_ROOT/cgroup.controllers is missing); Kubernetes supports swap on cgroup v2 only"
  fi
  if [ ! -f "$KUBELET_CONFIG" ]; then
    refuse "kubelet config $KUBELET_CONFIG not found, so it cannot be checked for failSwapOn: false; set KUBELET_CONFIG to the kubelet's --config file"
  fi
  if ! grep -Eq '^[[:space:]]*failSwapOn:[[:space:]]*false[[:space:]]*(#.*)?$' "$KUBELET_CONFIG"; then
    refuse "kubelet config $KUBELET_CONFIG does not set failSwapOn: false, so the kubelet would fail to start with swap on at its next restart; apply memguard's KubeletConfiguration fragment and restart the kubelet first"
  fi
}

preflight_new_file() {
  swap_dir=$(dirname "$SWAP_FILE")
  fs=$(fs_type "$SWAP_FILE")
  case " $SWAP_FILESYSTEMS " in
    *" $fs "*) ;;
    *) refuse "swap file $SWAP_FILE would be on a ${fs:-unknown} filesystem; a swap file needs a disk filesystem ($SWAP_FILESYSTEMS), not overlay, tmpfs or ramfs" ;;
  esac
  mem_kib=$(meminfo_kib MemTotal)
  if [ -n "$mem_kib" ] && [ $((SWAP_SIZE_MIB * 1024)) -gt "$mem_kib" ]; then
    refuse "swap size ${SWAP_SIZE_MIB}MiB is more than the node's memory ($((mem_kib / 1024))MiB)"
  fi
  mkdir -p "$swap_dir"
  free_kib=$("$DF" -Pk "$swap_dir" | awk 'NR == 2 { print $4 }')
  case "$free_kib" in
    '' | *[!0-9]*) refuse "cannot read the free disk space of $swap_dir from df" ;;
  esac
  if [ $((SWAP_SIZE_MIB * 1024 * 2)) -gt "$free_kib" ]; then
    refuse "only $((free_kib / 1024))MiB free on $swap_dir; a ${SWAP_SIZE_MIB}MiB swap file may take at most half of the free space"
  fi
}

create_file() {
  # Nobody but root may read the file, not even while it is being created: swap can hold secrets.
  previous_umask=$(umask)
  umask 077
  if ! "$FALLOCATE" -l "${SWAP_SIZE_MIB}MiB" "$SWAP_FILE"; then
    say "fallocate failed; writing $SWAP_FILE with dd"
    rm -f "$SWAP_FILE"
    "$DD" if=/dev/zero of="$SWAP_FILE" bs=1048576 count="$SWAP_SIZE_MIB"
  fi
  chmod 600 "$SWAP_FILE"
  "$MKSWAP" "$SWAP_FILE"
  umask "$previous_umask"
  say "created ${SWAP_SIZE_MIB}MiB swap file $SWAP_FILE"
}

persist() {
  touch "$FSTAB"
  if awk -v f="$SWAP_FILE" '$1 == f && $3 == "swap" { found = 1 } END { exit !found }' "$FSTAB"; then
    say "fstab already activates $SWAP_FILE at boot (before the kubelet, via swap.target)"
  else
    printf '%s none swap sw 0 0\n' "$SWAP_FILE" >> "$FSTAB"
    say "added $SWAP_FILE to $FSTAB so that it is active at boot, before the kubelet"
  fi
  if write_if_changed "$SYSCTL_FILE" "vm.swappiness = $SWAPPINESS"; then
    "$SYSCTL" -p "$SYSCTL_FILE"
    say "set vm.swappiness = $SWAPPINESS in $SYSCTL_FILE"
  else
    say "vm.swappiness = $SWAPPINESS already set in $SYSCTL_FILE"
  fi
  if write_if_changed "$SLICE_DROPIN" "$(printf '# memguard: the kubelet and the container runtime must never swap.\n[Slice]\nMemorySwapMax=0')"; then
    if command -v "$SYSTEMCTL" > /dev/null 2>&1; then
      "$SYSTEMCTL" set-property --runtime system.slice MemorySwapMax=0
    fi
    say "system.slice may not swap ($SLICE_DROPIN)"
  else
    say "system.slice already may not swap ($SLICE_DROPIN)"
  fi
}

apply() {
  case "$SWAP_SIZE_MIB" in
    '' | *[!0-9]* | 0) usage "SWAP_SIZE_MIB must be a whole number of MiB above 0, got '$SWAP_SIZE_MIB'" ;;
  esac
  preflight_node
  if is_active; then
    say "swap file $SWAP_FILE is already active; skipped creating it"
  else
    if [ -e "$SWAP_FILE" ]; then
      size=$(wc -c < "$SWAP_FILE" | tr -d ' ')
      if [ "$size" != $((SWAP_SIZE_MIB * 1048576)) ] || ! has_swap_signature; then
        refuse "$SWAP_FILE exists but is not a ${SWAP_SIZE_MIB}MiB swap file; remove it or choose another swap file path"
      fi
      say "reusing the existing swap file $SWAP_FILE"
    else
      preflight_new_file
      create_file
    fi
    "$SWAPON" "$SWAP_FILE"
    say "activated $SWAP_FILE"
  fi
  persist
  say "done"
}

remove() {
  if is_active; then
    used_kib=$(awk -v f="$SWAP_FILE" '$1 == f { print $4 }' "$PROC_SWAPS")
    available_kib=$(meminfo_kib MemAvailable)
    if [ -n "$used_kib" ] && [ -n "$available_kib" ] && [ "$used_kib" -ge "$available_kib" ]; then
      refuse "$((used_kib / 1024))MiB of $SWAP_FILE is in use but only $((available_kib / 1024))MiB of memory is available; drain the node first"
    fi
    "$SWAPOFF" "$SWAP_FILE"
    say "deactivated $SWAP_FILE"
  else
    say "swap file $SWAP_FILE is not active"
  fi
  if [ -f "$FSTAB" ] && awk -v f="$SWAP_FILE" '$1 == f && $3 == "swap" { found = 1 } END { exit !found }' "$FSTAB"; then
    awk -v f="$SWAP_FILE" '!($1 == f && $3 == "swap")' "$FSTAB" > "$FSTAB.memguard-tmp"
    cat "$FSTAB.memguard-tmp" > "$FSTAB"
    rm -f "$FSTAB.memguard-tmp"
    say "removed $SWAP_FILE from $FSTAB"
  fi
  if [ -e "$SYSCTL_FILE" ]; then
    rm -f "$SYSCTL_FILE"
    say "removed $SYSCTL_FILE (vm.swappiness returns to the kernel default at the next boot)"
  fi
  if [ -e "$SLICE_DROPIN" ]; then
    rm -f "$SLICE_DROPIN"
    say "removed $SLICE_DROPIN"
  fi
  if [ -e "$SWAP_FILE" ]; then
    rm -f "$SWAP_FILE"
    say "deleted $SWAP_FILE"
  fi
  say "swap removed; you may now set failSwapOn: true in the kubelet config and restart the kubelet"
}

case "$MODE" in
  apply) apply ;;
  remove) remove ;;
  *) usage "unknown mode '$MODE'" ;;
esac
