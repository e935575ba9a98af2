#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The EFI stub's part of staged variable writes, on its own.

Boots the default kernel as \\EFI\\BOOT\\BOOTX64.EFI from a FAT ESP (OVMF,
virtio-rng, swtpm; no command line, no initrd: the kernel stops after the
stub, only the stub's console lines and the disk and variable store it
leaves matter) and checks, with journals written on the host by
scripts/staged-journal.py with the key read from the variable store: the
key and the journal are created once; a valid journal is applied (what a
runtime SetVariable() may not do is refused, an unchanged value is not
written), measured and emptied; a replayed, altered, foreign or future
journal is left byte for byte as it was and nothing is applied; a change
of BootNext resets and the next boot measures; an interrupted apply skips
one-shot variables; without an RNG nothing happens.  Prints TAP.

Usage: stub-staged-test.py [WORKDIR]   (default build/stubtest)
"""
import os, shutil, struct, subprocess, sys, time, uuid, zlib
PROJ = os.path.abspath(os.path.dirname(os.path.abspath(__file__)) + "/..")
KERNEL = PROJ + "/build/kbuild/default/arch/x86/boot/bzImage"
ESP_OFF = 1 << 20
ESP_SECTORS = 64 * 2048
N = 2048 + ESP_SECTORS + 2048
ESP_TYPE = uuid.UUID("c12a7328-f81f-11d2-ba4b-00a0c93ec93b")
ESP_UUID = uuid.UUID("9d1f6e64-5a0c-4b7e-8f2e-0000000000e5")

def make_disk(path, kernel=KERNEL):
    entries = bytearray(128 * 128)
    entries[0:128] = (ESP_TYPE.bytes_le + ESP_UUID.bytes_le +
                      struct.pack("<QQQ", 2048, 2048 + ESP_SECTORS - 1, 0) +
                      "esp".encode("utf-16-le").ljust(72, b"\0"))
    ecrc = zlib.crc32(entries)
    def header(mine, other, elba):
        h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0,
                        mine, other, 34, N - 34, uuid.UUID(int=1).bytes_le, elba, 128, 128, ecrc)
        h = h[:16] + struct.pack("<I", zlib.crc32(h)) + h[20:]
        return h.ljust(512, b"\0")
    mbr = bytearray(512)
    mbr[446:462] = struct.pack("<BBBBBBBBII", 0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF, 1, N - 1)
    mbr[510:512] = b"\x55\xaa"
    with open(path, "wb") as f:
        f.truncate(N * 512); f.write(mbr); f.write(header(1, N - 1, 2)); f.write(entries)
        f.seek((N - 33) * 512); f.write(entries); f.write(header(N - 1, 1, N - 33))
    esp = path + ".esp"
    if os.path.exists(esp): os.unlink(esp)
    subprocess.run(["mkfs.vfat", "-F", "32", "-n", "ESP", "-C", esp, str(ESP_SECTORS // 2)], check=True, stdout=subprocess.DEVNULL)
    i = f"{esp}"
    subprocess.run(["mmd", "-i", i, "::/EFI", "::/EFI/BOOT"], check=True)
    subprocess.run(["mcopy", "-i", i, kernel, "::/EFI/BOOT/BOOTX64.EFI"], check=True)
    with open(esp, "rb") as s, open(path, "r+b") as d:
        d.seek(ESP_OFF); shutil.copyfileobj(s, d)
    os.unlink(esp)

def img(disk): return f"{disk}@@{ESP_OFF}"

def esp_ls(disk, d="::/EFI/Linux/efi-rt-gate"):
    r = subprocess.run(["mdir", "-b", "-i", img(disk), d], capture_output=True, text=True)
    return r.stdout.split()

def esp_get(disk, name, out):
    subprocess.run(["mcopy", "-o", "-n", "-i", img(disk), "::" + name, out], check=True)

def esp_put(disk, src, name):
    subprocess.run(["mcopy", "-o", "-n", "-i", img(disk), src, "::" + name], check=True)

def boot(vars_fd, disk, rng=True, tpm=None, timeout=60, until="EFI stub: Measured EFI runtime gate policy|Kernel panic|ExitBootServices|Decompressing|Booting the kernel"):
    import re
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-machine", "q35", "-m", "512", "-no-reboot",
           "-nic", "none", "-display", "none", "-monitor", "none", "-serial", "stdio",
           "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd",
           "-drive", f"if=pflash,format=raw,unit=1,file={vars_fd}",
           "-drive", f"if=none,id=hd0,format=raw,file={disk}", "-device", "virtio-blk-pci,drive=hd0"]
    if rng: cmd += ["-device", "virtio-rng-pci"]
    sw = None
    if tpm:
        os.makedirs(tpm, exist_ok=True)
        sock = f"{tpm}/sock"
        if os.path.exists(sock): os.unlink(sock)
        sw = subprocess.Popen(["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={tpm}", "--ctrl",
                               f"type=unixio,path={sock}", "--terminate"])
        while not os.path.exists(sock): time.sleep(0.02)
        cmd += ["-chardev", f"socket,id=chrtpm,path={sock}", "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
                "-device", "tpm-tis,tpmdev=tpm0"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""; t0 = time.time(); os.set_blocking(p.stdout.fileno(), False)
    reset = False
    while time.time() - t0 < timeout:
        if p.poll() is not None:
            out += p.stdout.read() or b""; reset = True; break
        c = p.stdout.read()
        if c: out += c
        txt = out.decode("latin-1")
        lines = [l for l in txt.splitlines() if "EFI stub" in l]
        if lines and re.search(until, lines[-1]):
            time.sleep(1.0); out += p.stdout.read() or b""; break
        time.sleep(0.1)
    if p.poll() is None: p.kill(); p.wait()
    if sw: sw.kill(); sw.wait()
    txt = out.decode("latin-1")
    lines = [l.split("\x1b")[-1] if False else l for l in txt.replace("\r", "").splitlines()]
    stub = [l[l.find("EFI stub"):] for l in lines if "EFI stub" in l]
    return stub, reset


# --- the checks ---------------------------------------------------------
import importlib.util
_spec = importlib.util.spec_from_file_location("sj", PROJ + "/scripts/staged-journal.py")
sj = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sj)

TEST = uuid.UUID("5b8e3c2a-0f4d-4c1e-9a57-e1f7a9c0b4d2")
GLOBAL = uuid.UUID("8be4df61-93ca-11d2-aa0d-00e098032b8c")
N_OK = [0, 0]


def check(cond, what, detail=""):
    N_OK[0 if cond else 1] += 1
    print(f"{'ok' if cond else 'not ok'} {sum(N_OK)} {what}")
    if not cond and detail:
        print("# " + str(detail).replace("\n", "\n# "))


def var(vars_fd, guid, name):
    return sj.ovmf_vars(vars_fd).get((guid, name))


def forge(vars_fd, out, *args):
    subprocess.run([sys.executable, PROJ + "/scripts/staged-journal.py", "forge",
                    vars_fd, out, *args], check=True, stdout=subprocess.DEVNULL)


def main():
    w = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else PROJ + "/build/stubtest")
    os.makedirs(w, exist_ok=True)
    os.chdir(w)
    print("TAP version 13")
    if os.path.exists("tpm"):
        shutil.rmtree("tpm")

    # No RNG: nothing at all
    make_disk("d.img")
    shutil.copy("/usr/share/OVMF/OVMF_VARS.fd", "v.fd")
    stub, _ = boot("v.fd", "d.img", rng=False)
    check(any("no EFI_RNG_PROTOCOL" in l for l in stub) and
          not var("v.fd", sj.STAGED_GUID, "EfiRtGateStagedKey") and not esp_ls("d.img"),
          "no RNG: no key, no journal, said so", stub)

    # First boot: key and journal created
    stub, _ = boot("v.fd", "d.img", tpm="tpm")
    m = sj.machine("v.fd")
    path = f"/EFI/Linux/efi-rt-gate/{m['store_id'].hex()}.evj"
    check(m["key_attrs"] == 3, "the key is NV|BS (not runtime-readable)", m["key_attrs"])
    check(esp_ls("d.img") == ["::" + path], "journal created under the store id", esp_ls("d.img"))
    esp_get("d.img", path, "j0")
    j0 = open("j0", "rb").read()
    check(len(j0) == sj.CAPACITY and j0[:512] == sj.header(m["store_id"], 0) and
          not any(j0[512:]), "journal: capacity bytes, EMPTY header, zeros")

    # Second boot: nothing changes
    stub, _ = boot("v.fd", "d.img", tpm="tpm")
    esp_get("d.img", path, "j1")
    check(open("j1", "rb").read() == j0 and not any("created" in l or "applying" in l for l in stub),
          "idle boot: journal untouched, nothing created or applied", stub)

    # A valid journal: applied, refused, unchanged; measured; emptied
    mtc = sj.machine("v.fd")["mtc"]
    e1 = mtc << 32 | 7
    forge("v.fd", "good", "--epoch", hex(e1),
          "--set", f"{TEST}:StagedTest:01020304", "--delete", f"{TEST}:Absent",
          "--set", f"{GLOBAL}:PK:00", "--set", f"{TEST}:StagedTest:01020304",
          "--set", f"{sj.STAGED_GUID}:EfiRtGateStagedEpoch:0000000000000000")
    esp_put("d.img", "good", path)
    stub, reset = boot("v.fd", "d.img", tpm="tpm")
    want = ["staged write 1/5: StagedTest: applied", "staged write 2/5: Absent: unchanged",
            "staged write 3/5: PK: refused", "staged write 4/5: StagedTest: unchanged",
            "staged write 5/5: EfiRtGateStagedEpoch: refused"]
    check(all(any(x in l for l in stub) for x in want) and not reset,
          "valid journal: applied/unchanged/refused per record, no reset", stub)
    check(any("1 applied, 2 unchanged, 2 refused, 0 skipped, 0 failed; measured into PCR 1" in l
              for l in stub), "summary measured into PCR 1", stub)
    check(var("v.fd", TEST, "StagedTest") == (7, b"\x01\x02\x03\x04"),
          "the variable holds the staged value", var("v.fd", TEST, "StagedTest"))
    check(sj.machine("v.fd")["last"] == e1 + 1, "epoch recorded as measured (epoch + 1)",
          hex(sj.machine("v.fd")["last"]))
    esp_get("d.img", path, "j2")
    check(open("j2", "rb").read() == j0, "journal emptied back to zeros after the header")

    # Replayed: the same journal again
    esp_put("d.img", "good", path)
    stub, _ = boot("v.fd", "d.img", tpm="tpm")
    esp_get("d.img", path, "j3")
    check(open("j3", "rb").read() == open("good", "rb").read() and
          any("replayed, left as it is" in l for l in stub) and
          not any("applying" in l for l in stub), "replayed journal: untouched, reported", stub)

    # Future epoch (not older than this boot)
    mtc = sj.machine("v.fd")["mtc"]
    forge("v.fd", "future", "--epoch", hex((mtc + 5) << 32), "--delete", f"{TEST}:StagedTest")
    esp_put("d.img", "future", path)
    stub, _ = boot("v.fd", "d.img", tpm="tpm")
    esp_get("d.img", path, "j4")
    check(open("j4", "rb").read() == open("future", "rb").read() and
          var("v.fd", TEST, "StagedTest") and any("replayed" in l for l in stub),
          "journal from the future: untouched, nothing deleted", stub)

    # Altered: one byte of mac0, then one byte of a record's data
    mtc = sj.machine("v.fd")["mtc"]
    for what, flip in (("mac0", 88), ("record data", sj.REC_OFF + 40 + 22)):
        forge("v.fd", "bad", "--epoch", hex(mtc << 32 | 1), "--delete", f"{TEST}:StagedTest",
              "--flip", str(flip))
        esp_put("d.img", "bad", path)
        stub, _ = boot("v.fd", "d.img", tpm="tpm")
        esp_get("d.img", path, "j5")
        check(open("j5", "rb").read() == open("bad", "rb").read() and
              var("v.fd", TEST, "StagedTest") and not any("applying" in l for l in stub),
              f"one byte of the {what} changed: untouched, nothing applied", stub)

    # Foreign: another machine's key, under this machine's file name
    forge("v.fd", "foreign", "--key", "11" * 32, "--delete", f"{TEST}:StagedTest")
    esp_put("d.img", "foreign", path)
    stub, _ = boot("v.fd", "d.img", tpm="tpm")
    esp_get("d.img", path, "j6")
    check(open("j6", "rb").read() == open("foreign", "rb").read() and
          var("v.fd", TEST, "StagedTest") and any("another store's journal" in l for l in stub),
          "foreign journal: untouched, nothing applied, reported", stub)

    # BootNext (Boot0002, the disk): applied, reset; the next boot measures
    mtc = sj.machine("v.fd")["mtc"]
    forge("v.fd", "bn", "--epoch", hex(mtc << 32 | 1), "--set", f"{GLOBAL}:BootNext:0200",
          "--set", f"{TEST}:StagedTest2:aa")
    esp_put("d.img", "bn", path)
    stub, reset = boot("v.fd", "d.img", tpm="tpm")
    esp_get("d.img", path, "j7")
    hdr = open("j7", "rb").read()
    check(reset and any("resetting" in l for l in stub) and
          struct.unpack_from("<I", hdr, 8)[0] == 3 and hdr[512:514] == b"\x01\x01",
          "BootNext applied: APPLIED with results, then a reset", stub)
    stub, reset = boot("v.fd", "d.img", tpm="tpm")
    esp_get("d.img", path, "j8")
    check(not reset and any("2 records: 2 applied" in l and "measured into PCR 1" in l
                            for l in stub) and open("j8", "rb").read() == j0,
          "the boot after the reset measures and empties", stub)

    # Interrupted apply: one-shot variables are skipped
    mtc = sj.machine("v.fd")["mtc"]
    forge("v.fd", "intr", "--epoch", hex(mtc << 32 | 1), "--state", "applying",
          "--set", f"{GLOBAL}:BootNext:0200", "--set", f"{TEST}:StagedTest3:bb")
    esp_put("d.img", "intr", path)
    stub, reset = boot("v.fd", "d.img", tpm="tpm")
    check(not reset and any("BootNext: skipped" in l for l in stub) and
          var("v.fd", TEST, "StagedTest3") == (7, b"\xbb") and
          not var("v.fd", GLOBAL, "BootNext"),
          "interrupted apply: BootNext skipped, the rest applied, no reset", stub)

    print(f"1..{sum(N_OK)}")
    print(f"# {N_OK[0]} passed, {N_OK[1]} failed")
    return 1 if N_OK[1] else 0


if __name__ == "__main__":
    sys.exit(main())
