#!/usr/bin/env python3
# full restores: empty -> loaded (create), loaded -> same again (replace), save
import sys; sys.path.insert(0, '.'); from h import *
be = sys.argv[1]; kind = sys.argv[2]; n = int(sys.argv[3])
f = '%s-%d.txt' % (kind, n)
ns = NS(be)
try:
    t1 = restore(ns, be, f)
    t2 = restore(ns, be, f)
    t3 = restore(ns, be, f)
    ts = save(ns, be)
    tsn = save(ns, be, 'nat')
    print('%-6s %-5s n=%-6d create %.2fs (cpu %.2f) | replace %.2fs/%.2fs (cpu %.2f/%.2f) | save %.2fs (%d lines) save-nat %.2fs' % (be, kind, n, t1[0], t1[1], t2[0], t3[0], t2[1], t3[1], ts[0], ts[2].count(b'\n'), tsn[0]), flush=True)
finally:
    ns.close()
