#!/usr/bin/env python3
# one create-restore per file, user/sys split
import sys, resource; sys.path.insert(0, '.'); from h import *
be = sys.argv[1]
for f in sys.argv[2:]:
    ns = NS(be)
    try:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t, c, _ = ns.run(['iptables-%s-restore' % be, '-w', '--noflush'], infile=f)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        print('%-6s %-22s wall %.2fs user %.2f sys %.2f' % (be, f, t, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime), flush=True)
    finally:
        ns.close()
