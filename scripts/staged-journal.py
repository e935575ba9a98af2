#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side tool for the staged-write journal (include/linux/efi_staged_vars.h).

Reads the EFI stub's key K (and the last applied epoch, and OVMF's boot
counter) from an OVMF variable store, and writes or checks journals with
it, independently of the kernel and the stub: the scenarios use it to
forge a journal another machine staged, to alter one byte of a valid one,
to restore an old one, or to stage writes without a running kernel.

  staged-journal.py vars VARS.fd
      K, store id, last applied epoch, OVMF's boot count (MTC)
  staged-journal.py forge VARS.fd OUT [--epoch N | --boots-ahead N] [--nonce HEX]
                    [--state pending|applying|applied] [--key HEX]
                    [--set GUID:NAME:HEXDATA] [--delete GUID:NAME]
                    [--attrs N] [--flip OFFSET]
      a journal for the machine of VARS.fd (or for key HEX: another
      machine's, under this machine's file name), records in
      the order given; --flip xors one byte at OFFSET afterwards; the
      epoch is by default that of the boot the store last counted (OVMF's
      MTC), --boots-ahead N later; the last word printed is the file's
      name on the ESP (--name: another one)
  staged-journal.py show JOURNAL [VARS.fd]
      decode a journal, verify it with the key of VARS.fd
"""

import argparse
import hashlib
import hmac
import struct
import sys
import uuid

STAGED_GUID = uuid.UUID("7a3e8a57-2f51-4d16-a46b-0c938e5541d2")
MTC_GUID = uuid.UUID("eb704011-1402-11d3-8e77-00a0c969723b")
GLOBAL_GUID = uuid.UUID("8be4df61-93ca-11d2-aa0d-00e098032b8c")
CAPACITY = 128 * 1024
HDR_SIZE = 512
MAX_RECORDS = 1024
RES_OFF = HDR_SIZE
REC_OFF = RES_OFF + MAX_RECORDS
MAGIC = 0x314A5645
STATES = {"empty": 0, "pending": 1, "applying": 2, "applied": 3}
RESULTS = {1: "applied", 2: "unchanged", 3: "refused", 4: "skipped", 5: "failed"}
NV_BS_RT = 7
REC_DELETE, REC_FROM_APPEND = 1, 2


def ovmf_vars(path):
    """{(guid, name): (attributes, data)} of the live variables of an OVMF store."""
    raw = open(path, "rb").read()
    if raw[0x28:0x2C] != b"_FVH":
        raise SystemExit(f"{path}: no firmware volume header")
    off = struct.unpack_from("<H", raw, 0x30)[0]
    size = struct.unpack_from("<I", raw, off + 16)[0]
    end = off + size
    off += 28                                   # VARIABLE_STORE_HEADER
    found, transit = {}, {}
    while off + 60 <= end:
        start, state, _, attrs, _, _, _, nsize, dsize = struct.unpack_from(
            "<HBBIQ16sIII", raw, off)
        if start != 0x55AA:
            break
        guid = uuid.UUID(bytes_le=raw[off + 44:off + 60])
        name = raw[off + 60:off + 60 + nsize].decode("utf-16-le").rstrip("\0")
        data = raw[off + 60 + nsize:off + 60 + nsize + dsize]
        if state == 0x3F:
            found[(guid, name)] = (attrs, data)
        elif state == 0x3E:
            transit[(guid, name)] = (attrs, data)
        off = (off + 60 + nsize + dsize + 3) & ~3
    for k, v in transit.items():
        found.setdefault(k, v)
    return found


def hm(key, *parts):
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def machine(vars_path, key_hex=None):
    v = ovmf_vars(vars_path) if vars_path else {}
    if key_hex:
        k = bytes.fromhex(key_hex)
    else:
        kv = v.get((STAGED_GUID, "EfiRtGateStagedKey"))
        if not kv:
            raise SystemExit(f"{vars_path}: no EfiRtGateStagedKey (no boot of the stub yet?)")
        k = kv[1]
    ep = v.get((STAGED_GUID, "EfiRtGateStagedEpoch"))
    mtc = v.get((MTC_GUID, "MTC"))
    return {"k": k, "store_id": hm(k, b"efi_rt_gate store id")[:16],
            "last": struct.unpack("<Q", ep[1])[0] if ep else 0,
            "key_attrs": v[(STAGED_GUID, "EfiRtGateStagedKey")][0]
            if (STAGED_GUID, "EfiRtGateStagedKey") in v else None,
            "mtc": struct.unpack("<I", mtc[1])[0] if mtc else None}


def boot_key(k, epoch, nonce):
    return hm(k, b"efi_rt_gate boot key", struct.pack("<Q", epoch), nonce)


def header(store_id, state, epoch=0, nonce=bytes(16), mac0=bytes(32)):
    h = struct.pack("<IHHII16sQ16s32s", MAGIC, 1, HDR_SIZE, state, CAPACITY,
                    store_id, epoch, nonce, mac0)
    return h.ljust(HDR_SIZE, b"\0")


def record(kb, prev, seq, guid, name, attrs, flags, data):
    n = (name + "\0").encode("utf-16-le")
    body = struct.pack("<IIII16sII", 0, seq, attrs, flags, guid.bytes_le,
                       len(n), len(data)) + n + data
    size = ((len(body) + 7) & ~7) + 32
    body = struct.pack("<I", size) + body[4:]
    body = body.ljust(size - 32, b"\0")
    mac = hm(kb, prev, body)
    return body + mac, mac


def forge(a):
    m = machine(a.vars, a.key)
    own = machine(a.vars)["store_id"].hex() if a.vars else m["store_id"].hex()
    epoch = a.epoch if a.epoch is not None else \
        ((m["mtc"] or 0) + a.boots_ahead) << 32 | 1
    nonce = bytes.fromhex(a.nonce) if a.nonce else bytes(range(16))
    kb = boot_key(m["k"], epoch, nonce)
    mac0 = hm(kb, b"efi_rt_gate journal", m["store_id"],
              struct.pack("<Q", epoch), nonce)
    buf = bytearray(CAPACITY)
    buf[:HDR_SIZE] = header(m["store_id"], STATES[a.state], epoch, nonce, mac0)
    off, prev, seq = REC_OFF, mac0, 0
    for kind, spec in a.records:
        seq += 1
        if kind == "set":
            g, name, data = spec.split(":", 2)
            rec, prev = record(kb, prev, seq, uuid.UUID(g), name, a.attrs, 0,
                               bytes.fromhex(data))
        else:
            g, name = spec.split(":", 1)
            rec, prev = record(kb, prev, seq, uuid.UUID(g), name, 0,
                               REC_DELETE, b"")
        buf[off:off + len(rec)] = rec
        off += len(rec)
    for f in a.flip or []:
        buf[f] ^= 0xFF
    open(a.out, "wb").write(buf)
    print(f"store {m['store_id'].hex()} epoch {epoch:#x} records {seq} "
          f"end {off} file {a.name or own}.evj")


def show(a):
    buf = open(a.journal, "rb").read()
    magic, ver, hsize, state, cap, sid, epoch, nonce, mac0 = struct.unpack_from(
        "<IHHII16sQ16s32s", buf)
    st = {v: k for k, v in STATES.items()}.get(state, f"bad({state})")
    print(f"size {len(buf)} magic {magic:#x} version {ver} header {hsize} "
          f"state {st} capacity {cap}")
    print(f"store {sid.hex()} epoch {epoch:#x} nonce {nonce.hex()}")
    res = buf[RES_OFF:REC_OFF]
    if not a.vars:
        return
    m = machine(a.vars)
    if sid != m["store_id"]:
        print(f"foreign: this machine's store is {m['store_id'].hex()}")
        return
    kb = boot_key(m["k"], epoch, nonce)
    if hm(kb, b"efi_rt_gate journal", sid, struct.pack("<Q", epoch), nonce) != mac0:
        print("mac0: wrong")
        return
    off, prev, seq = REC_OFF, mac0, 0
    while seq < MAX_RECORDS and off + 72 <= len(buf):
        size, rseq, attrs, flags, g, ns, ds = struct.unpack_from("<IIII16sII", buf, off)
        if rseq != seq + 1 or size < 72 or off + size > len(buf) or \
           hm(kb, prev, buf[off:off + size - 32]) != buf[off + size - 32:off + size]:
            break
        name = buf[off + 40:off + 40 + ns].decode("utf-16-le").rstrip("\0")
        what = "delete" if flags & REC_DELETE else f"attrs={attrs:#x} len={ds}"
        r = RESULTS.get(res[seq], "-")
        print(f"record {rseq} {uuid.UUID(bytes_le=g)}-{name} {what} result {r}")
        prev, off, seq = buf[off + size - 32:off + size], off + size, seq + 1
    print(f"valid records {seq}, end {off}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("vars")
    p.add_argument("vars")
    p = sub.add_parser("forge")
    p.add_argument("vars")
    p.add_argument("out")
    p.add_argument("--epoch", type=lambda s: int(s, 0))
    p.add_argument("--boots-ahead", type=int, default=0)
    p.add_argument("--name", help="write OUT for this store id (hex) instead")
    p.add_argument("--nonce")
    p.add_argument("--key")
    p.add_argument("--state", choices=STATES, default="pending")
    p.add_argument("--attrs", type=lambda s: int(s, 0), default=NV_BS_RT)
    p.add_argument("--set", dest="records", action="append",
                   type=lambda s: ("set", s), default=[])
    p.add_argument("--delete", dest="records", action="append",
                   type=lambda s: ("delete", s))
    p.add_argument("--flip", action="append", type=lambda s: int(s, 0))
    p = sub.add_parser("show")
    p.add_argument("journal")
    p.add_argument("vars", nargs="?")
    a = ap.parse_args()
    if a.cmd == "vars":
        m = machine(a.vars)
        print(f"key {m['k'].hex()} attrs {m['key_attrs']:#x}")
        print(f"store {m['store_id'].hex()}")
        print(f"last {m['last']:#x}")
        print(f"mtc {m['mtc']}")
    elif a.cmd == "forge":
        forge(a)
    else:
        show(a)


if __name__ == "__main__":
    sys.exit(main())
