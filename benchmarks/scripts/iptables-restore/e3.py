#!/usr/bin/env python3
# load N services in chunks, then measure top-level rewrite, partial variants, save
import sys, resource; sys.path.insert(0, '.'); from h import *
be = sys.argv[1]; n = int(sys.argv[2]); chunk = int(sys.argv[3]); extra = sys.argv[4:]
def gen(args, f):
    subprocess.run(['python3', 'gen.py', str(n)] + extra + args, stdout=open(f, 'w'), check=True)
def ru(): r = resource.getrusage(resource.RUSAGE_CHILDREN); return r.ru_utime, r.ru_stime
def rst(f, label):
    u0, s0 = ru(); t, c = restore(ns, be, f); u1, s1 = ru()
    lines = sum(1 for _ in open(f))
    print('%-6s n=%d %-40s %7d lines wall %6.2fs user %5.2f sys %5.2f' % (be, n, label, lines, t, u1 - u0, s1 - s0), flush=True)
    return t
ns = NS(be)
try:
    open('base.txt', 'w').write('*nat\n:KUBE-MARK-MASQ - [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\nCOMMIT\n')
    restore(ns, be, 'base.txt')
    tot = 0
    for a in range(0, n, chunk):
        gen(['--notop', '--range', '%d:%d' % (a, min(n, a + chunk))], 'chunk.txt')
        u0, s0 = ru(); t, c = restore(ns, be, 'chunk.txt'); u1, s1 = ru(); tot += (u1 - u0) + (s1 - s0)
    print('%-6s n=%d loaded in chunks of %d: total cpu %.2fs' % (be, n, chunk, tot), flush=True)
    gen(['--partial', '0'], 'top.txt'); rst('top.txt', 'top-level only (all KUBE-SERVICES rules)')
    rst('top.txt', 'top-level only, again')
    gen(['--partial', '1', '--changed', '0', '--shift', '100000', '--delete-stale'], 'p1.txt'); rst('p1.txt', 'partial: top + 1 svc (5 new SEP, 5 -X)')
    gen(['--notop', '--range', '0:1', '--shift', '200000'], 'p2.txt')
    rst('p2.txt', 'partial: 1 svc only, no top, no -X')
    gen(['--notop', '--range', '1:3'], 'p3.txt'); rst('p3.txt', 'partial: 2 svc chains rewritten in place')
    t, c, out = save(ns, be); print('%-6s n=%d iptables-save all: wall %.2fs cpu %.2f (%d lines)' % (be, n, t, c, out.count(b'\n')), flush=True)
    t, c, out = save(ns, be, 'nat'); print('%-6s n=%d iptables-save -t nat: wall %.2fs cpu %.2f' % (be, n, t, c), flush=True)
    t, c, out = save(ns, be, 'filter'); print('%-6s n=%d iptables-save -t filter: wall %.2fs cpu %.2f' % (be, n, t, c), flush=True)
finally:
    ns.close()
