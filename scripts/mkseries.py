#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Build the mailable series from the manifest in series/.

series/NN-name.commit is one patch of the series, in file-name order:

    subject line
    <blank line>
    body, wrapped at 75 columns
    ---
    patch: NAME.patch                  (from patches/)
    file: path/in/tree                 (from the overlay)
    file: path/in/tree = series/stages/path/in/tree   (an earlier version)
    waive: CHECKPATCH_TYPE reason      (see scripts/series-check.sh)
    on-slaunch: drop|rework reason     (for a tree with Secure Launch)

Every overlay file and every patch of patches/series must be claimed by
exactly one commit in its final version (a file may appear earlier as a
stage), and the result must equal what scripts/apply.sh produces.

The commits are made on a worktree of build/linux at the "base" tag, then
git format-patch --cover-letter --base writes build/series/, with the
cover letter from series/cover-letter.txt.

With --on-slaunch (make series ON_SLAUNCH=1) it also writes
build/series-on-slaunch/: the series for a tree that already carries the
Secure Launch series, without the patches marked "on-slaunch: drop", and
a cover letter that lists every dropped patch and every patch marked
"on-slaunch: rework", with the reason given in the manifest.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import textwrap

PROJ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TREE = os.environ.get("TREE", f"{PROJ}/build/linux")
WT = f"{PROJ}/build/series-wt"
OUT = f"{PROJ}/build/series"
OVERLAY_DIRS = ["arch", "drivers", "security", "include", "tools", "Documentation"]
IDENT = ("efi_rt_gate developers", "efi-rt-gate@example.org")
DATE = "2026-11-28T12:00:00+00:00"


def die(msg):
    print(f"mkseries: {msg}", file=sys.stderr)
    sys.exit(1)


def git(*args, cwd=WT, env=None, capture=True):
    r = subprocess.run(["git", *args], cwd=cwd, env=env, text=True,
                       stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE if capture else None)
    if r.returncode:
        die(f"git {' '.join(args)}: {r.stderr.strip() if capture else r.returncode}")
    return r.stdout if capture else ""


def parse_commit(path):
    text = open(path).read()
    head, sep, tail = text.partition("\n---\n")
    if not sep:
        die(f"{path}: no '---' line")
    lines = head.split("\n")
    subject = lines[0].strip()
    if not subject or (len(lines) > 1 and lines[1].strip()):
        die(f"{path}: first line is the subject, then a blank line")
    body = "\n".join(lines[2:]).strip("\n")
    for n, line in enumerate(lines[2:], 3):
        if len(line.expandtabs()) > 75:
            die(f"{path}:{n}: body line longer than 75 columns")
    c = {"path": path, "subject": subject, "body": body,
         "patches": [], "files": [], "waive": [], "on_slaunch": None}
    for line in tail.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, val = line.partition(":")
        val = val.strip()
        if key == "patch":
            c["patches"].append(val)
        elif key == "file":
            dst, eq, src = val.partition("=")
            c["files"].append((dst.strip(), src.strip() if eq else dst.strip()))
        elif key == "on-slaunch":
            what, _, why = val.partition(" ")
            if what not in ("drop", "rework") or not why.strip():
                die(f"{path}: on-slaunch: drop|rework and a reason: {line}")
            c["on_slaunch"] = (what, why.strip())
        elif key == "waive":
            typ, _, why = val.partition(" ")
            if not why.strip():
                die(f"{path}: a waiver needs a reason: {line}")
            c["waive"].append(typ)
        else:
            die(f"{path}: unknown line '{line}'")
    return c


def overlay_files():
    out = set()
    for d in OVERLAY_DIRS:
        for root, _, files in os.walk(os.path.join(PROJ, d)):
            for f in files:
                out.add(os.path.relpath(os.path.join(root, f), PROJ))
    return out


def series_patches():
    out = []
    for line in open(f"{PROJ}/patches/series"):
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line.split()[0])
    return out


def main():
    commits = [parse_commit(p) for p in sorted(glob.glob(f"{PROJ}/series/*.commit"))]
    if not commits:
        die("no series/*.commit")

    # Coverage: each overlay file and patch claimed once in its final form.
    final_files, patches = {}, {}
    for c in commits:
        for dst, src in c["files"]:
            if not os.path.exists(f"{PROJ}/{src}"):
                die(f"{c['path']}: {src} does not exist")
            if src == dst:
                if dst in final_files:
                    die(f"{dst} claimed by {final_files[dst]} and {c['path']}")
                final_files[dst] = c["path"]
        for p in c["patches"]:
            if p in patches:
                die(f"patch {p} claimed twice")
            patches[p] = c["path"]
    missing = overlay_files() - set(final_files)
    if missing:
        die("not in any series/*.commit (add a 'file:' line to the right one): "
            + ", ".join(sorted(missing)))
    extra = set(final_files) - overlay_files()
    if extra:
        die("claimed but not in the overlay: " + ", ".join(sorted(extra)))
    if set(patches) != set(series_patches()):
        die("patches/series and series/*.commit differ: "
            + ", ".join(sorted(set(patches) ^ set(series_patches()))))

    # A worktree at the pristine base.
    base = git("rev-parse", "base^{commit}", cwd=TREE).strip()
    if not os.path.isdir(WT):
        git("worktree", "prune", cwd=TREE)
        git("worktree", "add", "--detach", WT, base, cwd=TREE)
    git("checkout", "-q", "-f", "--detach", base)
    git("clean", "-q", "-f", "-d", "-x")

    env = dict(os.environ, GIT_AUTHOR_NAME=IDENT[0], GIT_AUTHOR_EMAIL=IDENT[1],
               GIT_COMMITTER_NAME=IDENT[0], GIT_COMMITTER_EMAIL=IDENT[1],
               GIT_AUTHOR_DATE=DATE, GIT_COMMITTER_DATE=DATE)
    for c in commits:
        for p in c["patches"]:
            r = subprocess.run(["git", "apply", "--index", f"{PROJ}/patches/{p}"],
                               cwd=WT, text=True, capture_output=True)
            if r.returncode:
                die(f"{c['path']}: patch {p} does not apply: {r.stderr.strip()}")
        for dst, src in c["files"]:
            os.makedirs(os.path.dirname(f"{WT}/{dst}"), exist_ok=True)
            shutil.copy(f"{PROJ}/{src}", f"{WT}/{dst}")
            git("add", "-f", dst)
        msg = f"{c['subject']}\n\n{c['body']}\n\nSigned-off-by: {IDENT[0]} <{IDENT[1]}>\n"
        git("commit", "-q", "-m", msg, env=env)

    # The series must produce exactly what apply.sh produces.
    for dst in list(final_files) + [f for p in patches for f in
                                    re.findall(r"^\+\+\+ b/(\S+)", open(f"{PROJ}/patches/{p}").read(), re.M)]:
        a, b = f"{WT}/{dst}", f"{TREE}/{dst}"
        if not os.path.exists(b) or open(a, "rb").read() != open(b, "rb").read():
            die(f"{dst}: the series and build/linux differ (run make apply first)")

    shutil.rmtree(OUT, ignore_errors=True)
    git("format-patch", "-q", "--cover-letter", f"--base={base}", "-o", OUT,
        f"{base}..HEAD", env=env)
    cover = open(f"{PROJ}/series/cover-letter.txt").read()
    subj, _, blurb = cover.partition("\n")
    p0 = sorted(glob.glob(f"{OUT}/0000-*.patch"))[0]
    text = open(p0).read()
    text = text.replace("*** SUBJECT HERE ***", subj.strip())
    text = text.replace("*** BLURB HERE ***", blurb.strip("\n"))
    open(p0, "w").write(text)

    # Waivers for series-check.sh, in patch order.
    with open(f"{OUT}/waivers", "w") as f:
        for i, c in enumerate(commits, 1):
            f.write(f"{i:04d} {','.join(c['waive'])}\n")
    print(f"series: {len(commits)} patches + cover letter in {OUT} (base {base[:12]})")
    for i, c in enumerate(commits, 1):
        stat = git("show", "--format=", "--shortstat", f"HEAD~{len(commits) - i}").strip()
        print(f"  {i:02d}/{len(commits)} {c['subject']}\n        {stat}")
    if "--on-slaunch" in sys.argv[1:]:
        on_slaunch(commits, subj, blurb)


def on_slaunch(commits, subj, blurb):
    """The series for a tree that carries Secure Launch: drop its glue."""
    out = f"{PROJ}/build/series-on-slaunch"
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    files = sorted(glob.glob(f"{OUT}/0[0-9][0-9][0-9]-*.patch"))[1:]
    keep = [(c, f) for c, f in zip(commits, files)
            if not c["on_slaunch"] or c["on_slaunch"][0] != "drop"]
    n = len(keep)
    def item(i, c):
        return textwrap.fill(f"{i}/{len(commits)} {c['subject']}: {c['on_slaunch'][1]}",
                             72, initial_indent=" - ", subsequent_indent="   ",
                             break_on_hyphens=False)

    note = ["", "For a tree that carries the Secure Launch series", "-" * 48, ""]
    note += textwrap.wrap(f"This is the series minus its secure-launch glue: {n} of "
                          f"{len(commits)} patches, generated against 6.12 with the "
                          "glue (the shortlog and diffstat below are the whole "
                          "series').  Dropped, because the Secure Launch series "
                          "provides them:", 72)
    note.append("")
    for i, c in enumerate(commits, 1):
        if c["on_slaunch"] and c["on_slaunch"][0] == "drop":
            note.append(item(i, c))
    rework = [(i, c) for i, c in enumerate(commits, 1)
              if c["on_slaunch"] and c["on_slaunch"][0] == "rework"]
    if rework:
        note += ["", "To rework onto the Secure Launch series before applying:", ""]
        note += [item(i, c) for i, c in rework]
    text = open(sorted(glob.glob(f"{OUT}/0000-*.patch"))[0]).read()
    text = re.sub(r"\[PATCH 0+/\d+\]", f"[PATCH 0/{n}]", text, count=1)
    head, sep, rest = text.partition("\n---\n")
    open(f"{out}/0000-cover-letter.patch", "w").write(
        text.replace(blurb.strip("\n"), blurb.strip("\n") + "\n" + "\n".join(note), 1))
    for i, (c, f) in enumerate(keep, 1):
        t = open(f).read()
        t = re.sub(r"\[PATCH \d+/\d+\]", f"[PATCH {i}/{n}]", t, count=1)
        open(f"{out}/{i:04d}-{os.path.basename(f)[5:]}", "w").write(t)
    print(f"series: {n} patches for a tree with Secure Launch in {out}")


if __name__ == "__main__":
    main()
