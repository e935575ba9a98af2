#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Edit an upstream file that several patches of the series change.

  scripts/restage.py export FILE DIR   write DIR/00-base and, for every patch
                                       in patches/series that changes FILE,
                                       DIR/NN-<patch>: FILE after that patch
  scripts/restage.py import FILE DIR   rewrite each of those patches' FILE
                                       section as the diff between successive
                                       versions in DIR (edit them in between)

A version made identical to its predecessor drops the patch's FILE section.
The base comes from the tree's "base" tag (build/linux after make apply).
"""
import os
import re
import subprocess
import sys
import tempfile

PROJ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TREE = os.environ.get('TREE', os.path.join(PROJ, 'build', 'linux'))
PATCHES = os.path.join(PROJ, 'patches')


def series():
    with open(os.path.join(PATCHES, 'series')) as f:
        return [l.strip() for l in f
                if l.strip() and not l.startswith('#')]


def split(text):
    """A patch as [(file or None, section text)], in order."""
    parts, cur, name = [], [], None
    for line in text.splitlines(keepends=True):
        if line.startswith('diff --git '):
            if cur:
                parts.append((name, ''.join(cur)))
            name = re.match(r'diff --git a/(\S+) b/', line).group(1)
            cur = []
        cur.append(line)
    if cur:
        parts.append((name, ''.join(cur)))
    return parts


def touching(path):
    out = []
    for p in series():
        with open(os.path.join(PATCHES, p)) as f:
            for name, sec in split(f.read()):
                if name == path:
                    out.append((p, sec))
    return out


def base(path):
    return subprocess.run(['git', '-C', TREE, 'show', 'base:' + path],
                          check=True, capture_output=True,
                          text=True).stdout


def export(path, d):
    os.makedirs(d, exist_ok=True)
    cur = base(path)
    with open(os.path.join(d, '00-base'), 'w') as f:
        f.write(cur)
    for i, (p, sec) in enumerate(touching(path), 1):
        with tempfile.TemporaryDirectory() as t:
            fn = os.path.join(t, 'f')
            with open(fn, 'w') as f:
                f.write(cur)
            subprocess.run(['patch', '-s', '-F0', '-p1', fn],
                           input=sec, text=True, check=True,
                           stdout=subprocess.DEVNULL)
            with open(fn) as f:
                cur = f.read()
        with open(os.path.join(d, '%02d-%s' % (i, p)), 'w') as f:
            f.write(cur)
        print(os.path.join(d, '%02d-%s' % (i, p)))


def import_(path, d):
    vers = sorted(v for v in os.listdir(d) if re.match(r'\d\d-', v))
    prev = os.path.join(d, vers[0])
    for v in vers[1:]:
        p = v[3:]
        cur = os.path.join(d, v)
        diff = subprocess.run(['diff', '-u', '--label', 'a/' + path,
                               '--label', 'b/' + path, prev, cur],
                              capture_output=True, text=True).stdout
        diff = re.sub(r'^(@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@).*$', r'\1',
                      diff, flags=re.M)
        sec = ('diff --git a/%s b/%s\n' % (path, path) + diff) if diff else ''
        pf = os.path.join(PATCHES, p)
        with open(pf) as f:
            parts = split(f.read())
        out, done = [], False
        for name, s in parts:
            if name == path:
                out.append(sec)
                done = True
            else:
                out.append(s)
        if not done and sec:
            out.append(sec)
        with open(pf, 'w') as f:
            f.write(''.join(out))
        print('%s: %s' % (p, 'updated' if sec else 'section dropped'))
        prev = cur


if __name__ == '__main__':
    if len(sys.argv) != 4 or sys.argv[1] not in ('export', 'import'):
        sys.exit(__doc__)
    (export if sys.argv[1] == 'export' else import_)(sys.argv[2],
                                                      sys.argv[3])
