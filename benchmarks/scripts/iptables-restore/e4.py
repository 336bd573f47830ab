#!/usr/bin/env python3
import sys, resource; sys.path.insert(0, '.'); from h import *
be = sys.argv[1]; n = int(sys.argv[2]); chunk = int(sys.argv[3])
def gen(args, f): subprocess.run(['python3', 'gen.py', str(n)] + args, stdout=open(f, 'w'), check=True)
def ru(): r = resource.getrusage(resource.RUSAGE_CHILDREN); return r.ru_utime + r.ru_stime
def rst(f, label):
    c0 = ru(); t, c = restore(ns, be, f); c1 = ru()
    print('%-6s n=%d %-50s wall %6.2fs cpu %5.2f' % (be, n, label, t, c1 - c0), flush=True)
ns = NS(be)
try:
    restore(ns, be, 'base.txt')
    c0 = ru(); k = 0
    for a in range(0, n, chunk):
        gen(['--notop', '--range', '%d:%d' % (a, min(n, a + chunk))], 'chunk4.txt'); restore(ns, be, 'chunk4.txt'); k += 1
    print('%-6s n=%d loaded in %d restores of %d services: total cpu %.2fs' % (be, n, k, chunk, ru() - c0), flush=True)
    gen(['--partial', '0'], 'top4.txt'); subprocess.run(['python3', 'sorttop.py', 'top4.txt'], stdout=open('top4s.txt', 'w'), check=True)
    rst('top4.txt', 'top-level, kube-proxy order (random)')
    rst('top4s.txt', 'top-level, sorted by jump target descending')
    rst('top4s.txt', 'top-level, sorted desc, again')
    gen(['--partial', '1', '--changed', '0', '--shift', '100000', '--delete-stale'], 'p14.txt'); subprocess.run(['python3', 'sorttop.py', 'p14.txt'], stdout=open('p14s.txt', 'w'), check=True)
    rst('p14s.txt', 'KEP-3453 partial (top sorted desc + 1 svc + 5 -X)')
finally:
    ns.close()
