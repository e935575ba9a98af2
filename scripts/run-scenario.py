#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Boot one scenario under QEMU (q35, TCG) + OVMF + swtpm and judge it.

The verdict comes from the guest's kselftest TAP output on the serial
console, never from QEMU's exit status: a missing plan, a missing result,
a "not ok", a kernel panic, a kernel report (WARNING, BUG, oops, lockdep,
KASAN, UBSAN, hung task) that the scenario does not expect (console_allow:),
a guest that never reaches the end marker or a wall-clock timeout all fail
the scenario.

swtpm's control channel is reached through a relay (ControlRelay) so that
the runner can inject its own control commands (e.g. a DRTM hash sequence)
between QEMU's while QEMU stays attached.  Host actions ("hooks") run when a
console marker appears, with the VM paused through QMP.

Boot modes and resets:
  boot: kernel   (default) QEMU -kernel/-initrd/-append; OVMF loads the
                 kernel from fw_cfg (a read-only file system).
  boot: esp      (needs disk: yes) the harness disk's "esp" partition is a
                 FAT32 ESP with systemd-boot as \EFI\BOOT\BOOTX64.EFI and
                 one loader entry whose options are the -append command
                 line: OVMF boots it as an installed system, and the EFI
                 stub is loaded from the ESP (make_esp()).  Host side:
                 mdir -i RUN/disk.img@@1M ::/
  reset: allowed QEMU without -no-reboot: a guest reset restarts the
                 firmware in the same QEMU (same vars.fd, disk and swtpm,
                 which QEMU re-initialises).  A RESET event (second QMP
                 monitor) after boot N's /init ended starts boot N+1 there
                 (boot()); a reset before the kernel stays in boot N.
  reboot: reset  every boot but the last ends with reboot -f (end=reboot
                 on the harness partition), so after_reboot (and
                 after_reboot2) run after a reset, not a power cycle.

Usage: run-scenario.py SCENARIO_FILE --kernel BZIMAGE --initrd CPIO --out DIR
"""

import argparse
import hashlib
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
import zlib

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS.fd"
# "vars:" in a scenario: the variable store the guest starts with.  "ms" is
# Debian's store with Microsoft's db and KEK, a Debian PK and a one-hash
# dbx: Secure Boot is then active, OVMF refuses the unsigned kernel as a
# PE image and starts it through the EFI handover protocol instead (the
# EFI stub still runs, without LoadOptions).
OVMF_VARS_FILES = {"empty": OVMF_VARS, "ms": "/usr/share/OVMF/OVMF_VARS.ms.fd"}
# "firmware: ia32": Debian's 32-bit OVMF (ovmf-ia32), so that the 64-bit
# kernel (CONFIG_EFI_MIXED) runs in EFI mixed mode.  Debian builds it only
# with Secure Boot, which needs SMM and a secure flash; its empty store
# leaves Secure Boot off.
OVMF32_CODE = "/usr/share/OVMF/OVMF32_CODE_4M.secboot.fd"
OVMF32_VARS = "/usr/share/OVMF/OVMF32_VARS_4M.fd"

# swtpm control-channel commands (swtpm's tpm_ioctl.h)
CMD_HASH_START = 6
CMD_HASH_DATA = 7
CMD_HASH_END = 8

SCENARIO_KEYS = {
    "description", "tests", "tpm", "cmdline", "expect", "allow_skip",
    "hook", "kernel", "initrd", "timeout", "min_results", "tap",
    "disk", "after_reboot", "after_reboot2", "cpus", "vars", "after_kexec", "after_kexec2",
    "console", "swap", "resume_cmdline",
    "console_allow", "variants", "firmware", "boot", "reset", "reboot",
}

# A kernel report on the console fails the scenario (WARN, BUG, oops,
# lockdep, KASAN, UBSAN, hung task, RCU stall), unless the scenario
# expects that very line (console_allow: <regex>).
KERNEL_REPORT = re.compile(
    r"WARNING: |\bBUG: |\bOops\b|general protection fault|kernel BUG at|"
    r"UBSAN: |INFO: possible |INFO: task \S+ blocked|"
    r"INFO: rcu_\w+ (self-)?detected stall|inconsistent lock state|"
    r"possible circular locking|BUG: KASAN|Unable to handle")


class ScenarioError(Exception):
    pass


def parse_scenario(path):
    """Parse a declarative scenario file: 'key: value' lines, '#' comments."""
    sc = {"name": os.path.splitext(os.path.basename(path))[0],
          "description": "", "tests": [], "tpm": "yes", "cmdline": "",
          "expect": "pass", "allow_skip": "no", "hooks": [],
          "kernel": "default", "initrd": "min", "timeout": "180",
          "min_results": "1", "tap": "yes", "disk": "no", "after_reboot": [], "after_reboot2": [],
          "cpus": "1", "vars": "empty", "after_kexec": [], "after_kexec2": [],
          "console": [], "swap": "no", "resume_cmdline": None,
          "console_allow": [], "variants": [], "firmware": "x64",
          "boot": "kernel", "reset": "no", "reboot": "poweroff"}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, val = line.partition(":")
            key, val = key.strip(), val.strip()
            if not sep or key not in SCENARIO_KEYS:
                raise ScenarioError(f"{path}:{lineno}: unknown line '{line}'")
            if key in ("tests", "after_reboot", "after_reboot2", "after_kexec",
                       "after_kexec2", "variants"):
                sc[key] += val.split()
            elif key == "hook":
                # hook: <console marker> => <action> [args...]
                marker, arrow, action = val.partition("=>")
                if not arrow or not marker.strip() or not action.split():
                    raise ScenarioError(f"{path}:{lineno}: hook wants 'MARKER => ACTION [ARGS]'")
                sc["hooks"].append((marker.strip(), action.split()))
            elif key == "cmdline":
                sc["cmdline"] = (sc["cmdline"] + " " + val).strip()
            elif key == "console":
                # console: <text>: must appear on the console of the run
                sc["console"].append(val)
            elif key == "console_allow":
                # console_allow: <regex>: a kernel report this scenario provokes
                sc["console_allow"].append(re.compile(val))
            else:
                sc[key] = val
    if sc["tpm"] not in ("yes", "no", "crb"):
        raise ScenarioError(f"{path}: tpm must be yes, crb or no")
    if sc["expect"] not in ("pass", "fail"):
        raise ScenarioError(f"{path}: expect must be pass or fail")
    if sc["allow_skip"] not in ("yes", "no"):
        raise ScenarioError(f"{path}: allow_skip must be yes or no")
    if not sc["tests"]:
        raise ScenarioError(f"{path}: no tests")
    if sc["disk"] not in ("yes", "no"):
        raise ScenarioError(f"{path}: disk must be yes or no")
    if sc["swap"] not in ("yes", "no") or (sc["swap"] == "yes" and sc["disk"] != "yes"):
        raise ScenarioError(f"{path}: swap must be yes (with disk: yes) or no")
    if sc["vars"] not in OVMF_VARS_FILES:
        raise ScenarioError(f"{path}: vars must be one of {', '.join(OVMF_VARS_FILES)}")
    if sc["firmware"] not in ("x64", "ia32"):
        raise ScenarioError(f"{path}: firmware must be x64 or ia32")
    if sc["firmware"] == "ia32" and sc["vars"] != "empty":
        raise ScenarioError(f"{path}: firmware: ia32 has only the empty variable store")
    if sc["after_reboot"] and sc["disk"] != "yes":
        raise ScenarioError(f"{path}: after_reboot needs disk: yes (the tests of each boot are passed on it)")
    if sc["after_reboot2"] and not sc["after_reboot"]:
        raise ScenarioError(f"{path}: after_reboot2 needs after_reboot")
    if sc["after_kexec2"] and not sc["after_kexec"]:
        raise ScenarioError(f"{path}: after_kexec2 needs after_kexec")
    if sc["after_kexec"] and sc["after_reboot"]:
        raise ScenarioError(f"{path}: after_kexec and after_reboot do not mix")
    if sc["boot"] not in ("kernel", "esp"):
        raise ScenarioError(f"{path}: boot must be kernel or esp")
    if sc["boot"] == "esp" and sc["disk"] != "yes":
        raise ScenarioError(f"{path}: boot: esp needs disk: yes (the ESP is on the harness disk)")
    if sc["boot"] == "esp" and (sc["firmware"] != "x64" or sc["vars"] != "empty"):
        raise ScenarioError(f"{path}: boot: esp needs firmware: x64 and vars: empty "
                            "(systemd-boot is x64 and unsigned)")
    if sc["reset"] not in ("no", "allowed"):
        raise ScenarioError(f"{path}: reset must be no or allowed")
    if sc["reboot"] not in ("poweroff", "reset"):
        raise ScenarioError(f"{path}: reboot must be poweroff or reset")
    if sc["reboot"] == "reset" and (sc["reset"] != "allowed" or not sc["after_reboot"]):
        raise ScenarioError(f"{path}: reboot: reset needs reset: allowed and after_reboot")
    return sc


# The harness disk ("disk: yes"): GPT, fixed GUIDs so that tests can
# check what firmware variables say about it.  Partitions, found in the
# guest by name: "esp" (an EFI system partition, what a boot entry points
# at; 1 MiB without a file system, or with "boot: esp" a FAT32 file system
# holding systemd-boot, the kernel and the initramfs), "sealed" (raw, the
# guest's to keep data across a reboot) and "harness" (raw, written by the
# runner before each boot: "boot=N", "tests=..." and "end=..." lines,
# NUL-padded).  Without "boot: esp" the disk is 4 MiB, exactly as before.
DISK_GUID = uuid.UUID("9d1f6e64-5a0c-4b7e-8f2e-e1f7a9c0b4d2")
ESP_TYPE = uuid.UUID("c12a7328-f81f-11d2-ba4b-00a0c93ec93b")
LINUX_DATA_TYPE = uuid.UUID("0fc63daf-8483-4772-8e79-3d69d8477de4")
SWAP_TYPE = uuid.UUID("0657fd6d-a4ab-43c4-84e5-0933c84b4f4f")
ESP_SECTORS = 2048              # the raw ESP of "boot: kernel"
PART_SECTORS = 1024             # "sealed" and "harness"
# "swap: yes" adds a partition named "swap" after them, for hibernation
SWAP_SECTORS = 256 * 2048


def disk_layout(swap=False, esp_sectors=ESP_SECTORS):
    """Partitions [(name, type GUID, unique GUID, first LBA, last LBA)] and
    the disk's size in sectors (2048 sectors left after the last partition
    for the backup GPT)."""
    parts = []
    lba = 2048
    for i, (name, ptype, size) in enumerate(
            [("esp", ESP_TYPE, esp_sectors), ("sealed", LINUX_DATA_TYPE, PART_SECTORS),
             ("harness", LINUX_DATA_TYPE, PART_SECTORS)]
            + ([("swap", SWAP_TYPE, SWAP_SECTORS)] if swap else []), 1):
        parts.append((name, ptype, uuid.UUID(f"9d1f6e64-5a0c-4b7e-8f2e-{i:012x}"),
                      lba, lba + size - 1))
        lba += size
    return parts, lba + 2048


def part_lba(parts, name):
    return next(p[3] for p in parts if p[0] == name)


def make_gpt_disk(path, parts, n):
    """A raw disk image of n sectors with a protective MBR, GPT header and backup."""
    entries = bytearray(128 * 128)
    for i, (name, ptype, puuid, first, last) in enumerate(parts):
        entries[i * 128:(i + 1) * 128] = (
            ptype.bytes_le + puuid.bytes_le + struct.pack("<QQQ", first, last, 0)
            + name.encode("utf-16-le").ljust(72, b"\0"))
    ecrc = zlib.crc32(entries)

    def header(mine, other, entries_lba):
        h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0,
                        mine, other, 34, n - 34, DISK_GUID.bytes_le,
                        entries_lba, 128, 128, ecrc)
        h = h[:16] + struct.pack("<I", zlib.crc32(h)) + h[20:]
        return h.ljust(512, b"\0")

    mbr = bytearray(512)
    mbr[446:462] = struct.pack("<BBBBBBBBII", 0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF,
                               1, min(n - 1, 0xFFFFFFFF))
    mbr[510:512] = b"\x55\xaa"
    with open(path, "wb") as f:
        f.truncate(n * 512)
        f.write(mbr)
        f.write(header(1, n - 1, 2))
        f.write(entries)
        f.seek((n - 33) * 512)
        f.write(entries)
        f.write(header(n - 1, 1, n - 33))


def write_harness_part(path, lba, boot, tests, end="poweroff"):
    text = f"boot={boot}\ntests={','.join(tests)}\nend={end}\n".encode()
    if len(text) > 4096:
        raise ScenarioError("tests of one boot exceed the harness partition's 4 KiB")
    with open(path, "r+b") as f:
        f.seek(lba * 512)
        f.write(text.ljust(4096, b"\0"))


# "boot: esp": the kernel boots through the firmware from the ESP of the
# harness disk, as an installed system does: OVMF finds no boot entry of
# its own and starts the removable-media path \EFI\BOOT\BOOTX64.EFI,
# Debian's systemd-boot (package systemd-boot-efi), which starts the one
# entry \loader\entries\harness.conf at once (timeout 0): \vmlinuz with
# \initrd.img (handed over through LINUX_EFI_INITRD_MEDIA_GUID) and, as
# "options", exactly the command line that -append passes in the default
# mode.  The kernel's EFI stub is thus loaded from the ESP: its
# LoadedImage->DeviceHandle is the writable FAT volume.  systemd-boot
# prepends "initrd=\initrd.img" to the options and measures them into PCR
# 12, and sets its volatile Loader* variables (LoaderInfo,
# LoaderDevicePartUUID, ...).  The ESP is made with dosfstools and mtools
# (no root, no loop device); host-side, read it with
#   mdir -i RUN/disk.img@@1M ::/         (the ESP starts at LBA 2048)
SYSTEMD_BOOT = "/usr/lib/systemd/boot/efi/systemd-bootx64.efi"
ESP_ENTRY = "harness.conf"
ESP_MIN_MIB = 64
ESP_VOLUME_ID = "9d1f6e64"
MTOOLS_ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


def esp_sectors_for(files):
    """ESP size: at least 64 MiB (FAT32 with 512-byte clusters), twice what
    the harness puts there plus 16 MiB, so the guest has room to write."""
    mib = 2 * sum(-(-os.path.getsize(f) // (1 << 20)) for f in files) + 16
    return max(ESP_MIN_MIB, mib) * 2048


def tool(*args):
    """Run a dosfstools/mtools command; its output, or RuntimeError."""
    r = subprocess.run(list(args), env=MTOOLS_ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode:
        raise RuntimeError(f"{' '.join(args)}: {r.stdout.decode(errors='replace').strip()}")
    return r.stdout


def esp_put(image, dest, data):
    """Write bytes to ::dest on a FAT image (mcopy -o from a temporary file)."""
    tmp = f"{image}.put"
    with open(tmp, "wb") as f:
        f.write(data)
    try:
        tool("mcopy", "-o", "-i", image, tmp, "::" + dest)
    finally:
        os.unlink(tmp)


def esp_entry(cmdline):
    return (f"title efi_rt_gate harness (run-scenario.py)\n"
            f"linux /vmlinuz\ninitrd /initrd.img\noptions {cmdline}\n").encode()


def make_esp(disk, lba, sectors, kernel, initrd, cmdline):
    """Format the ESP partition (FAT32, 512-byte clusters) and fill it."""
    missing = ([t for t in ("mkfs.vfat", "mmd", "mcopy") if not shutil.which(t)]
               + [f for f in (SYSTEMD_BOOT,) if not os.path.exists(f)])
    if missing:
        raise RuntimeError(f"boot: esp needs {', '.join(missing)} (packages dosfstools, "
                           "mtools, systemd-boot-efi: scripts/deps.sh)")
    tool("mkfs.vfat", f"--offset={lba}", "-F", "32", "-s", "1", "-n", "ESP",
           "-i", ESP_VOLUME_ID, disk, str(sectors // 2))
    img = f"{disk}@@{lba * 512}"
    tool("mmd", "-i", img, "::/EFI", "::/EFI/BOOT", "::/EFI/systemd", "::/loader",
           "::/loader/entries")
    # Where "bootctl install" puts it, too: a Boot#### entry may name it.
    tool("mcopy", "-i", img, SYSTEMD_BOOT, "::/EFI/systemd/systemd-bootx64.efi")
    tool("mcopy", "-i", img, SYSTEMD_BOOT, "::/EFI/BOOT/BOOTX64.EFI")
    tool("mcopy", "-i", img, kernel, "::/vmlinuz")
    tool("mcopy", "-i", img, initrd, "::/initrd.img")
    esp_put(img, "/loader/loader.conf",
            f"timeout 0\ndefault {ESP_ENTRY}\neditor no\nauto-entries no\n"
            f"auto-firmware no\nrandom-seed-mode off\n".encode())
    esp_put(img, f"/loader/entries/{ESP_ENTRY}", esp_entry(cmdline))


class ControlRelay(threading.Thread):
    """Relay between QEMU and swtpm's unixio control socket.

    swtpm serves one control client at a time, and QEMU holds it for the
    life of the VM.  The relay forwards every QEMU request (with any file
    descriptor passed by SCM_RIGHTS, as CMD_SET_DATAFD does) and its reply,
    one request/reply pair at a time under a lock, so inject() can slip its
    own request/reply pairs in between.  It never sends CMD_SET_LOCALITY:
    swtpm's locality stays what QEMU last set.
    """

    def __init__(self, listen_path, swtpm_path, log):
        super().__init__(daemon=True)
        self.lock = threading.Lock()
        self.log = log
        self.swtpm_path = swtpm_path
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(listen_path)
        self.srv.listen(1)
        self.up = None
        self.stopped = False

    def run(self):
        try:
            qemu, _ = self.srv.accept()
            self.up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.up.connect(self.swtpm_path)
            anc_size = socket.CMSG_SPACE(4 * 4)
            while not self.stopped:
                msg, anc, _, _ = qemu.recvmsg(8192, anc_size)
                if not msg:
                    break
                with self.lock:
                    self.up.sendmsg([msg], anc)
                    for level, typ, data in anc:
                        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                            for fd in struct.unpack(f"{len(data) // 4}i", data):
                                os.close(fd)
                    reply = self.up.recv(8192)
                    if not reply:
                        break
                    qemu.sendall(reply)
        except OSError as e:
            self.log(f"relay: {e}")

    def _call(self, payload):
        self.up.sendall(payload)
        reply = self.up.recv(8192)
        if len(reply) < 4:
            raise RuntimeError("swtpm control channel closed")
        return struct.unpack(">I", reply[:4])[0]

    def inject_hash(self, data):
        """Run CMD_HASH_START/DATA/END: a DRTM launch as seen by the TPM."""
        if self.up is None:
            raise RuntimeError("QEMU has not connected to the TPM yet")
        with self.lock:
            rc = self._call(struct.pack(">I", CMD_HASH_START))
            if rc == 0:
                rc = self._call(struct.pack(">II", CMD_HASH_DATA, len(data)) + data)
            if rc == 0:
                rc = self._call(struct.pack(">I", CMD_HASH_END))
        if rc != 0:
            raise RuntimeError(f"swtpm hash sequence failed: 0x{rc:x}")

    def stop(self):
        self.stopped = True
        for s in (self.srv, self.up):
            try:
                if s:
                    s.close()
            except OSError:
                pass


def connect_unix(path, timeout):
    """Connect to a unix socket that QEMU may not have created yet."""
    deadline = time.time() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if time.time() > deadline:
                raise
            time.sleep(0.05)


class QMP:
    def __init__(self, path, timeout=10):
        self.sock = connect_unix(path, timeout)
        self.f = self.sock.makefile("rw")
        json.loads(self.f.readline())  # greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        while True:
            resp = json.loads(self.f.readline())
            if "return" in resp:
                return resp["return"]
            if "error" in resp:
                raise RuntimeError(f"QMP {name}: {resp['error']}")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def drain(sock):
    """Read a socket until it closes, dropping what comes."""
    try:
        while sock.recv(65536):
            pass
    except OSError:
        pass


class QMPEvents:
    """A second QMP monitor that only listens for events (reset: allowed).

    The first monitor (QMP) stays the hooks' command channel; this one is
    read in boot()'s select loop, so a guest reset (QEMU's RESET event) is
    seen while the console is read.
    """

    def __init__(self, path, timeout=10):
        self.sock = connect_unix(path, timeout)
        self.buf = b""
        self.pending = []
        self.sock.sendall(b'{"execute": "qmp_capabilities"}\n')
        self.sock.settimeout(timeout)
        while not any("return" in m for m in self.pending):
            self._recv()
        self.pending = [m for m in self.pending if "event" in m]
        self.sock.setblocking(False)

    def fileno(self):
        return self.sock.fileno()

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            if line.strip():
                self.pending.append(json.loads(line))

    def events(self):
        """The events that arrived so far (never blocks)."""
        try:
            self._recv()
        except (BlockingIOError, EOFError, OSError):
            pass
        ev, self.pending = [m for m in self.pending if "event" in m], []
        return ev

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


TAP_RESULT = re.compile(r"^(ok|not ok) (\d+)\s*(.*)$")
TAP_PLAN = re.compile(r"^1\.\.(\d+)")
TEST_BEGIN = re.compile(r"^@@TEST (\S+) BEGIN@@")
TEST_END = re.compile(r"^@@TEST (\S+) END rc=(\d+)@@")


def parse_console(lines, tests, tap=True):
    """Return (results, problems): results per test binary from TAP."""
    results = []
    problems = []
    cur = None
    seen = {}
    for raw in lines:
        line = raw.rstrip("\r\n")
        m = TEST_BEGIN.match(line)
        if m:
            cur = {"test": m.group(1), "plan": None, "cases": [], "rc": None}
            seen[cur["test"]] = cur
            continue
        if cur is None:
            continue
        m = TEST_END.match(line)
        if m:
            cur["rc"] = int(m.group(2))
            cur = None
            continue
        m = TAP_PLAN.match(line)
        if m and cur["plan"] is None:
            cur["plan"] = int(m.group(1))
            continue
        m = TAP_RESULT.match(line)
        if m:
            desc = m.group(3)
            status = "pass" if m.group(1) == "ok" else "fail"
            if re.search(r"#\s*SKIP", desc, re.I):
                status = "skip" if status == "pass" else "fail"
            desc = re.sub(r"^-\s*", "", desc)
            cur["cases"].append({"status": status, "desc": desc})
    for t in tests:
        r = seen.get(t)
        if r is None:
            problems.append(f"{t}: never started")
            continue
        results.append(r)
        if not tap:
            if r["rc"] != 0:
                problems.append(f"{t}: exit status {r['rc']}")
            continue
        if r["plan"] is None:
            problems.append(f"{t}: no TAP plan")
        if r["rc"] is None:
            problems.append(f"{t}: did not finish")
        if r["plan"] is not None and len(r["cases"]) != r["plan"]:
            problems.append(f"{t}: plan 1..{r['plan']} but {len(r['cases'])} results")
        # "-t NAME" filters must each select a test: a typo must not
        # silently shrink the run.
        wanted = t.split(":").count("-t")
        if wanted and r["plan"] is not None and r["plan"] != wanted:
            problems.append(f"{t}: {wanted} tests selected with -t but the plan has {r['plan']}")
        nfail = sum(c["status"] == "fail" for c in r["cases"])
        if r["rc"] is not None and (r["rc"] == 0) == bool(nfail) and r["rc"] != 4:
            problems.append(f"{t}: exit status {r['rc']} does not match its results")
    return results, problems


class Runner:
    def __init__(self, sc, args):
        self.sc = sc
        self.args = args
        self.out = args.out
        self.procs = []
        self.relay = None
        self.qmp = None
        self.events = None
        self.logf = None
        self.resets = 0
        self.journal_staged = False
        self.qemu_runs = 0
        self.esp_cmdline = None

    def log(self, msg):
        line = f"[{time.time() - self.t0:7.2f}] {msg}"
        self.logf.write(line + "\n")
        self.logf.flush()
        if self.args.verbose:
            print(line, file=sys.stderr)

    def start_swtpm(self):
        w = self.out
        # A later boot of the scenario starts a new swtpm on the same state:
        # the TPM is powered off and on (QEMU's CMD_INIT, then the firmware's
        # TPM2_Startup(CLEAR)), so PCRs restart while NV state and seeds stay.
        os.makedirs(f"{w}/tpm", exist_ok=True)
        for sock in ("swtpm-ctrl.sock", "tpm-ctrl.sock"):
            if os.path.exists(f"{w}/{sock}"):
                os.unlink(f"{w}/{sock}")
        p = subprocess.Popen(
            ["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={w}/tpm",
             "--ctrl", f"type=unixio,path={w}/swtpm-ctrl.sock",
             "--log", f"file={w}/swtpm.log,level=1", "--terminate"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(f"{w}/swtpm.stderr", "a"))
        self.procs.append(p)
        self.swtpm = p
        deadline = time.time() + 10
        while not os.path.exists(f"{w}/swtpm-ctrl.sock"):
            if p.poll() is not None or time.time() > deadline:
                raise RuntimeError("swtpm did not start (see swtpm.stderr)")
            time.sleep(0.02)
        self.relay = ControlRelay(f"{w}/tpm-ctrl.sock", f"{w}/swtpm-ctrl.sock", self.log)
        self.relay.start()
        self.log("swtpm ready")

    def cmdline(self, resume=False):
        """The kernel command line: -append, or the ESP entry's options."""
        # With a second boot, each boot's tests come from the harness disk:
        # the command line must not change, the EFI stub measures it.
        tests = "@disk" if self.sc["after_reboot"] else ",".join(self.sc["tests"])
        return " ".join(filter(None, [
            "console=ttyS0 panic=-1",
            "harness.tests=" + tests,
            # "after_kexec:": the tests of the kernel that kexec_test's
            # load kexecs (it passes them on as that kernel's harness.tests=).
            "harness.kexec_tests=" + ",".join(self.sc["after_kexec"])
            if self.sc["after_kexec"] else "",
            # "after_kexec2:": the tests of the kernel that one kexecs
            "harness.kexec_tests2=" + ",".join(self.sc["after_kexec2"])
            if self.sc["after_kexec2"] else "",
            self.sc["resume_cmdline"] if resume and self.sc["resume_cmdline"]
            is not None else self.sc["cmdline"]]))

    def qemu_cmd(self, boot=1, resume=False):
        w = self.out
        if boot == 1 and not resume:
            shutil.copyfile(OVMF32_VARS if self.sc["firmware"] == "ia32" else
                            OVMF_VARS_FILES[self.sc["vars"]], f"{w}/vars.fd")
        for sock in ("qmp.sock", "ack.sock", "qmp-events.sock"):
            if os.path.exists(f"{w}/{sock}"):
                os.unlink(f"{w}/{sock}")
        code = OVMF32_CODE if self.sc["firmware"] == "ia32" else OVMF_CODE
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-machine", "q35",
               "-m", "512", "-smp", self.sc["cpus"], "-no-reboot", "-nic", "none",
               "-display", "none", "-monitor", "none", "-serial", "stdio",
               "-chardev", f"socket,id=ack,path={w}/ack.sock,server=on,wait=off",
               "-device", "isa-serial,chardev=ack",
               "-qmp", f"unix:{w}/qmp.sock,server=on,wait=off",
               "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={code}",
               "-drive", f"if=pflash,format=raw,unit=1,file={w}/vars.fd"]
        if self.sc["boot"] == "kernel":
            cmd += ["-kernel", self.args.kernel, "-initrd", self.args.initrd,
                    "-append", self.cmdline(resume)]
        else:
            # An EFI_RNG_PROTOCOL (OVMF's VirtioRngDxe), as real machines
            # have: the EFI stub's staged writes need one for their key.
            cmd += ["-device", "virtio-rng-pci"]
        if self.sc["reset"] == "allowed":
            # A guest reset restarts the firmware in this QEMU; a second
            # QMP monitor reports it (a RESET event) to boot().
            cmd.remove("-no-reboot")
            cmd += ["-qmp", f"unix:{w}/qmp-events.sock,server=on,wait=off"]
        if self.sc["firmware"] == "ia32":
            cmd[cmd.index("q35")] = "q35,smm=on"
            cmd += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
        if self.sc["disk"] == "yes":
            cmd += ["-drive", f"if=none,id=hd0,format=raw,file={w}/disk.img",
                    "-device", "virtio-blk-pci,drive=hd0"]
        if self.sc["tpm"] != "no":
            # "crb": a CRB interface (tpm_crb) instead of TIS (tpm_tis)
            model = "tpm-crb" if self.sc["tpm"] == "crb" else "tpm-tis"
            cmd += ["-chardev", f"socket,id=chrtpm,path={w}/tpm-ctrl.sock",
                    "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
                    "-device", f"{model},tpmdev=tpm0"]
        return cmd

    def rtcode_hash(self, lines, args):
        """The host's own SHA-256 of the firmware's runtime-services code.

        Reads the EfiRuntimeServicesCode ranges from guest physical memory
        (pmemsave; the VM is paused) and hashes them as
        security/efi_rt_gate/rtcode.c documents: in ascending address
        order, per range its base and size in bytes (le64 each), then its
        bytes.  The ranges come from the firmware's memory map as the
        kernel printed it at boot with efi=debug ("efi: memNN: ..."), not
        from the kernel's digest: descriptors that follow each other in
        the map with the same type and attributes and contiguous addresses
        count as one, as efi_merge_regions() makes them, and only those
        with EFI_MEMORY_RUNTIME are runtime regions.
        "shift=N" (a harness self-test) reads each range N bytes higher
        and keeps the documented headers: the guest must then see a
        different digest.  Returns the line for the guest's ack.
        """
        shift = 0
        for a in args:
            k, _, v = a.partition("=")
            if k != "shift" or not v:
                raise RuntimeError(f"rtcode-hash: unknown argument '{a}'")
            shift = int(v, 0)
        mem = re.compile(r"efi: mem(\d+): \[([^|\]]*)(\|[^\]]*)?\] "
                         r"range=\[0x([0-9a-f]+)-0x([0-9a-f]+)\]")
        descs = []
        for line in lines:
            m = mem.search(line)
            if not m:
                continue
            if int(m.group(1)) != len(descs):
                if int(m.group(1)) == 0 and descs:
                    break       # the runtime map, printed again later
                raise RuntimeError(f"rtcode-hash: memory map line out of order: {line}")
            base, last = int(m.group(4), 16), int(m.group(5), 16)
            descs.append([m.group(2).strip(), m.group(3) or "", base, last + 1 - base])
        merged = []
        for d in descs:
            p = merged[-1] if merged else None
            if p and p[:2] == d[:2] and p[2] + p[3] == d[2]:
                p[3] += d[3]
            else:
                merged.append(d)
        ranges = sorted((d[2], d[3]) for d in merged
                        if d[0] == "Runtime Code" and "|RUN|" in d[1])
        if not ranges:
            raise RuntimeError("rtcode-hash: no EfiRuntimeServicesCode range in the "
                               "boot's EFI memory map (is efi=debug on the command line?)")
        h = hashlib.sha256()
        report = []
        for i, (base, size) in enumerate(ranges):
            dump = f"{self.out}/rtcode-{i}.bin"
            self.qmp.cmd("pmemsave", val=base + shift, size=size, filename=dump)
            with open(dump, "rb") as f:
                data = f.read()
            os.unlink(dump)
            if len(data) != size or not data.strip(b"\0"):
                raise RuntimeError(f"rtcode-hash: read {len(data)} bytes of 0x{size:x} "
                                   f"at 0x{base + shift:x}, or only zeros")
            h.update(struct.pack("<QQ", base, size))
            h.update(data)
            report.append(f"range 0x{base:016x} size 0x{size:x} read at 0x{base + shift:x}")
        digest = h.hexdigest()
        with open(f"{self.out}/rtcode.txt", "w") as f:
            f.write("\n".join(report + [f"sha256 {digest}"]) + "\n")
        self.log(f"rtcode: {len(ranges)} ranges, sha256 {digest}"
                 + (f" (read {shift:+#x} off)" if shift else ""))
        return f"rtcode={digest}"

    def stage_journal(self, args):
        """Write a staged-write journal onto the ESP, as the running kernel
        would have staged it (scripts/staged-journal.py forge, with the key
        the EFI stub keeps in this machine's variable store), once per
        run: the hook's marker may come again in later boots."""
        if self.journal_staged:
            self.log("stage-journal: done in an earlier boot")
            return
        out = subprocess.run(
            [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                          "staged-journal.py"),
             "forge", f"{self.out}/vars.fd", f"{self.out}/staged.evj", *args],
            check=True, capture_output=True, text=True).stdout.strip()
        with open(f"{self.out}/staged.evj", "rb") as f:
            esp_put(f"{self.disk}@@{part_lba(self.parts, 'esp') * 512}",
                    f"/EFI/Linux/efi-rt-gate/{out.split()[-1]}", f.read())
        self.journal_staged = True
        self.log(f"stage-journal: {out}")

    def run_hook(self, marker, action, lines):
        self.log(f"hook '{marker}': {' '.join(action)}")
        self.qmp.cmd("stop")
        reply = None
        try:
            verb, rest = action[0], action[1:]
            if verb == "swtpm-kill":
                if self.swtpm is None:
                    raise RuntimeError("no swtpm in this scenario")
                self.swtpm.kill()
                self.swtpm.wait()
                self.relay.stop()
            elif verb == "drtm-launch":
                self.relay.inject_hash(" ".join(rest).encode())
            elif verb == "sleep":
                time.sleep(float(rest[0]))
            elif verb == "system-reset":
                # A reset from outside (QMP system_reset): with reset:
                # allowed the firmware restarts, otherwise QEMU exits.
                # Hooks are armed again after a reset, so its marker must
                # not come again in the next firmware pass.
                self.qmp.cmd("system_reset")
            elif verb == "rtcode-hash":
                reply = self.rtcode_hash(lines, rest)
            elif verb == "stage-journal":
                self.stage_journal(rest)
            elif verb == "none":
                pass
            else:
                raise RuntimeError(f"unknown hook action '{verb}'")
        finally:
            self.qmp.cmd("cont")
        if marker.startswith("@@HOOK"):
            # The guest waits for this line on ttyS1 before it goes on;
            # an action's answer (rtcode-hash: "rtcode=HEX") follows "ack".
            self.ack.sendall(f"ack{' ' + reply if reply else ''}\n".encode())

    def new_segment(self, n):
        """What the runner saw of boot n of the machine."""
        return {"boot": n, "lines": [], "timed_out": False, "fired": [],
                "unfired": [], "problems": [], "end": None, "kernels": 0,
                "resets": 0}

    def esp_entry_for(self, resume):
        """Rewrite the ESP's loader entry if this boot's command line
        differs from what it holds (only the entry: the rest of the ESP,
        whatever the guest wrote there included, is left alone)."""
        cmdline = self.cmdline(resume)
        if cmdline != self.esp_cmdline:
            esp_put(f"{self.disk}@@{part_lba(self.parts, 'esp') * 512}",
                    f"/loader/entries/{ESP_ENTRY}", esp_entry(cmdline))
            self.esp_cmdline = cmdline
            self.log(f"ESP: loader entry rewritten: options {cmdline}")

    def harness_part(self, n):
        """Write boot n's number, tests and end into the harness partition."""
        end = ("reboot" if self.sc["reboot"] == "reset" and n < len(self.boots)
               else "poweroff")
        write_harness_part(self.disk, part_lba(self.parts, "harness"), n,
                           self.boots[n - 1], end)

    def boot(self, n=1, resume=False):
        """Run one QEMU from boot n of the machine (or its resumption).

        Returns one segment (new_segment()) per boot of the machine that
        ran in it: with reset: allowed, a guest reset after boot n's
        /init ended starts boot n + 1 in the same QEMU (the firmware
        restarts; a reset before the kernel started, e.g. by the EFI
        stub, stays in boot n).
        """
        w = self.out
        console = open(f"{w}/console.log", "w" if n == 1 and not resume else "a")
        if resume:
            console.write("==== run-scenario: the machine hibernated; the next boot "
                          "(same TPM state, variables and disk; TPM power-cycled) "
                          "resumes it ====\n")
        elif n > 1:
            console.write(f"==== run-scenario: boot {n} of the same machine (same TPM "
                          "state, variables and disk; TPM power-cycled) ====\n")
        if self.sc["boot"] == "esp":
            self.esp_entry_for(resume)
        if self.sc["tpm"] != "no":
            self.start_swtpm()
        else:
            self.swtpm = None
        cmd = self.qemu_cmd(n, resume)
        with open(f"{w}/qemu.cmd", "w" if n == 1 and not resume else "a") as f:
            f.write(" ".join(cmd) + "\n")
        q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=open(f"{w}/qemu.stderr", "w" if n == 1 else "a"))
        self.procs.append(q)
        self.qemu_runs += 1
        self.qmp = QMP(f"{w}/qmp.sock")
        self.ack = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ack.connect(f"{w}/ack.sock")
        # OVMF mirrors its console on ttyS1 too: read and drop it.  Left
        # unread, the firmware took 20 s longer after every guest reset.
        threading.Thread(target=drain, args=(self.ack,), daemon=True).start()
        events = None
        if self.sc["reset"] == "allowed":
            events = self.events = QMPEvents(f"{w}/qmp-events.sock")
        self.log(f"qemu started (boot {n})")
        seg = self.new_segment(n)
        segs = [seg]
        armed = list(range(len(self.sc["hooks"])))  # every boot fires every hook again
        deadline = time.time() + float(self.sc["timeout"])
        buf = b""
        os.set_blocking(q.stdout.fileno(), False)

        def feed(chunk):
            nonlocal buf
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("utf-8", "replace").rstrip("\r")
                console.write(line + "\n")
                console.flush()
                seg["lines"].append(line)
                if "Linux version " in line:
                    seg["kernels"] += 1
                    self.log(f"kernel started (boot {seg['boot']})")
                elif "@@HARNESS END@@" in line:
                    self.log(f"end of /init (boot {seg['boot']})")
                for i in list(armed):
                    marker, action = self.sc["hooks"][i]
                    if marker in line:
                        armed.remove(i)
                        seg["fired"].append(i)
                        self.run_hook(marker, action, seg["lines"])

        while True:
            left = deadline - time.time()
            if left <= 0:
                seg["timed_out"] = True
                seg["end"] = "timeout"
                self.log("timeout")
                break
            r, _, _ = select.select([q.stdout] + ([events] if events else []), [],
                                    [], min(left, 0.5))
            if r:
                # The console first: what the guest printed before it
                # reset belongs to the boot that reset.
                chunk = q.stdout.read()
                if chunk == b"":
                    seg["end"] = "exit"
                    break
                if chunk:
                    feed(chunk)
            elif q.poll() is not None:
                seg["end"] = "exit"
                break
            for e in events.events() if events and events in r else []:
                if e.get("event") != "RESET":
                    continue
                self.resets += 1
                seg["resets"] += 1
                reason = e.get("data", {}).get("reason", "?")
                console.write(f"==== run-scenario: reset ({reason}): the firmware "
                              "restarts in the same QEMU (same TPM state, variables and "
                              "disk; QEMU re-initialises the TPM) ====\n")
                self.log(f"reset ({reason}) in boot {seg['boot']}")
                armed = list(range(len(self.sc["hooks"])))
                if not seg["kernels"]:
                    continue    # before any kernel of this boot: still boot n
                if not any("@@HARNESS END@@" in l for l in seg["lines"]):
                    seg["problems"].append("the guest reset before the end of /init")
                elif seg["boot"] >= len(self.boots):
                    seg["problems"].append("the guest reset after its last boot "
                                           f"(the scenario has no boot {seg['boot'] + 1})")
                else:
                    nxt = seg["boot"] + 1
                    if self.sc["disk"] == "yes":
                        self.qmp.cmd("stop")
                        try:
                            self.harness_part(nxt)
                        finally:
                            self.qmp.cmd("cont")
                    seg["end"] = "reset"
                    console.write(f"==== run-scenario: boot {nxt} of the same machine, "
                                  "after the guest reset ====\n")
                    self.log(f"boot {nxt} (after a guest reset)")
                    seg = self.new_segment(nxt)
                    segs.append(seg)
                    deadline = time.time() + float(self.sc["timeout"])
                    continue
                seg["end"] = "stopped"
                break
            if seg["end"] == "stopped":
                break
        if buf:
            seg["lines"].append(buf.decode("utf-8", "replace"))
            console.write(seg["lines"][-1] + "\n")
        console.close()
        for s in segs:
            s["unfired"] = [h for i, h in enumerate(self.sc["hooks"]) if i not in s["fired"]]
        return segs

    def cleanup(self):
        if self.qmp:
            self.qmp.close()
        if self.events:
            self.events.close()
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()  # swtpm saves its state on SIGTERM
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if self.relay:
            self.relay.stop()
        self.procs, self.qmp, self.relay, self.events = [], None, None, None

    def run(self):
        self.t0 = time.time()
        if os.path.exists(self.out):
            shutil.rmtree(self.out)
        os.makedirs(self.out)
        self.logf = open(f"{self.out}/runner.log", "w")
        # Boot 1 runs "tests"; "after_reboot" makes a boot 2 of the same
        # machine ("after_reboot2" a boot 3): a new QEMU and swtpm on the
        # same TPM state, variable store and disk (a power cycle), with the
        # same command line; with "reboot: reset" the guest resets instead
        # and the next boot runs in the same QEMU (boot()).
        self.boots = boots = [self.sc["tests"]]
        for k in ("after_reboot", "after_reboot2"):
            if self.sc[k]:
                boots.append(self.sc[k])
        problems = []
        results = []
        finished = True
        all_lines = []
        self.disk = disk = f"{self.out}/disk.img"
        esp_files = [self.args.kernel, self.args.initrd]
        self.parts, disk_sectors = disk_layout(
            self.sc["swap"] == "yes",
            esp_sectors_for(esp_files) if self.sc["boot"] == "esp" else ESP_SECTORS)
        n = 1
        while n <= len(boots):
            if not finished:
                problems.append(f"boot {n} never came: boot {n - 1} did not finish")
                segs = [self.new_segment(n)]
            else:
                try:
                    if self.sc["disk"] == "yes":
                        if n == 1:
                            make_gpt_disk(disk, self.parts, disk_sectors)
                            if self.sc["boot"] == "esp":
                                esp = self.parts[0]
                                make_esp(disk, esp[3], esp[4] + 1 - esp[3], *esp_files,
                                         self.cmdline())
                                self.esp_cmdline = self.cmdline()
                                self.log(f"ESP: {(esp[4] + 1 - esp[3]) // 2048} MiB FAT32 "
                                         f"at LBA {esp[3]}")
                        self.harness_part(n)
                    segs = self.boot(n)
                    # "@@HARNESS hibernate@@" and a power-off before the
                    # end: the machine hibernated.  Start it again; the
                    # resumed image goes on with this boot's run.
                    resumed = 0
                    while True:
                        last = segs[-1]
                        lines = last["lines"]
                        if (last["timed_out"] or last["end"] != "exit"
                                or not any("@@HARNESS hibernate@@" in l for l in lines)
                                or any("@@HARNESS END@@" in l for l in lines)
                                or sum("@@HARNESS hibernate@@" in l for l in lines) <= resumed):
                            break
                        resumed += 1
                        self.cleanup()
                        more = self.boot(last["boot"], resume=True)
                        for k in ("lines", "problems"):
                            last[k] += more[0][k]
                        for k in ("timed_out", "unfired", "end"):
                            last[k] = more[0][k]
                        for k in ("kernels", "resets"):
                            last[k] += more[0][k]
                        segs += more[1:]
                except Exception as e:  # any harness error fails the scenario
                    problems.append(f"{'boot %d: ' % n if len(boots) > 1 else ''}"
                                    f"harness error: {e}")
                    segs = [self.new_segment(n)]
                finally:
                    self.cleanup()
            for seg in segs:
                finished = self.judge(seg, problems, results)
                all_lines += seg["lines"]
            n = segs[-1]["boot"] + 1
        for want in self.sc["console"]:
            if not any(want in l for l in all_lines):
                problems.append(f"console never showed '{want}'")
        elapsed = time.time() - self.t0
        counts = {"pass": 0, "fail": 0, "skip": 0}
        for r in results:
            for c in r["cases"]:
                counts[c["status"]] += 1
        if counts["skip"] and self.sc["allow_skip"] != "yes":
            problems.append(f"{counts['skip']} skipped (this scenario allows no SKIP)")
        if (self.sc["tap"] == "yes"
                and counts["pass"] + counts["fail"] + counts["skip"] < int(self.sc["min_results"])):
            problems.append("fewer results than min_results")
        ok = not problems and counts["fail"] == 0
        kernels = sum("Linux version " in l for l in all_lines)
        self.log(f"{len(boots)} boots, {self.qemu_runs} QEMU runs, {self.resets} guest "
                 f"resets, {kernels} kernels started")
        res = {"scenario": self.sc["name"], "ok": ok, "expect": self.sc["expect"],
               "counts": counts, "problems": problems, "seconds": round(elapsed, 1),
               "boots": len(boots), "qemu_runs": self.qemu_runs, "resets": self.resets,
               "kernels": kernels, "results": results}
        with open(f"{self.out}/result.json", "w") as f:
            json.dump(res, f, indent=1)
        return res

    def judge(self, seg, problems, results):
        """Add the problems and results of one boot; True if it finished."""
        n, lines = seg["boot"], seg["lines"]
        tests = self.boots[n - 1]
        pfx = f"boot {n}: " if len(self.boots) > 1 else ""
        problems += [pfx + p for p in seg["problems"]]
        if seg["timed_out"]:
            problems.append(f"{pfx}timeout after {self.sc['timeout']} s")
        text = "\n".join(lines)
        panic = re.search(r"Kernel panic - not syncing.*", text)
        if panic:
            problems.append(pfx + "guest " + panic.group(0).strip())
        reports = [l.strip() for l in lines if KERNEL_REPORT.search(l)
                   and not any(a.search(l) for a in self.sc["console_allow"])]
        for l in reports[:3]:
            problems.append(f"{pfx}kernel report on the console: {l[:200]}")
        if len(reports) > 3:
            problems.append(f"{pfx}{len(reports) - 3} more kernel reports on the console")
        for m in re.finditer(r"@@HARNESS modprobe (\S+): FAILED@@", text):
            problems.append(f"{pfx}guest could not load module {m.group(1)}")
        ended = any("@@HARNESS END@@" in l for l in lines)
        if lines and not ended:
            problems.append(f"{pfx}guest never reached the end of /init")
        for marker, action in seg["unfired"]:
            problems.append(f"{pfx}hook marker '{marker}' never appeared")
        if (ended and self.sc["reboot"] == "reset" and n < len(self.boots)
                and seg["end"] != "reset"):
            problems.append(f"{pfx}the guest did not reset (reboot: reset wants boot "
                            f"{n + 1} in the same QEMU); it ended: {seg['end']}")
        # A kexec'ed kernel writes on the same console, in the same run.
        boot_results, tap_problems = parse_console(
            lines, tests + self.sc["after_kexec"] + self.sc["after_kexec2"],
            self.sc["tap"] == "yes")
        problems += [pfx + p for p in tap_problems]
        for r in boot_results:
            r["boot"] = n
        results += boot_results
        return ended and not seg["timed_out"] and not panic


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--variant",
                    help="run on this kernel variant (one of the scenario's "
                    "variants:) instead of its kernel:, with at least 2 CPUs")
    ap.add_argument("--append", default="",
                    help="append this to the kernel command line (a variant's harness-cmdline)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    try:
        sc = parse_scenario(args.scenario)
    except (ScenarioError, OSError) as e:
        print(f"run-scenario: {e}", file=sys.stderr)
        return 2
    if args.variant:
        if args.variant not in sc["variants"]:
            print(f"run-scenario: {args.variant} is not among the variants of {args.scenario}",
                  file=sys.stderr)
            return 2
        sc["name"] += "@" + args.variant
        sc["kernel"] = args.variant
        sc["cpus"] = str(max(2, int(sc["cpus"])))
    if args.append:
        sc["cmdline"] = (sc["cmdline"] + " " + args.append).strip()
        if sc["resume_cmdline"] is not None:
            sc["resume_cmdline"] = (sc["resume_cmdline"] + " " + args.append).strip()
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    res = Runner(sc, args).run()
    name = sc["name"]
    for r in res["results"]:
        boot = f"boot{r['boot']}/" if res["boots"] > 1 else ""
        for i, c in enumerate(r["cases"], 1):
            tag = {"pass": "ok  ", "fail": "FAIL", "skip": "SKIP"}[c["status"]]
            print(f"  {tag} {name}/{boot}{r['test'].split(':')[0]}: {c['desc']}")
    for p in res["problems"]:
        print(f"  scenario {name}: {p}")
    c = res["counts"]
    verdict = "PASS" if res["ok"] else "FAIL"
    print(f"scenario {name}: {verdict} ({c['pass']} passed, {c['fail']} failed, "
          f"{c['skip']} skipped; boot {res['seconds']} s; logs {args.out})")
    good = res["ok"] if sc["expect"] == "pass" else not res["ok"]
    if sc["expect"] == "fail":
        print(f"scenario {name}: expected to fail: {'as expected' if good else 'it did NOT fail'}")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
