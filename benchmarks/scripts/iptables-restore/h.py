#!/usr/bin/env python3
# Timing helpers for the iptables-restore probes: a private network namespace and rusage of the children.
import subprocess, time, resource, os, sys, random
def rus(): r = resource.getrusage(resource.RUSAGE_CHILDREN); return r.ru_utime + r.ru_stime
class NS:
    def __init__(self, tag):
        self.name = 'kube4j-bench-%s-%d' % (tag, random.randrange(100000))
        subprocess.run(['ip', 'netns', 'add', self.name], check=True)
    def run(self, argv, infile=None, data=None, check=True):
        c0 = rus(); t0 = time.perf_counter()
        stdin = open(infile, 'rb') if infile else (subprocess.PIPE if data is not None else subprocess.DEVNULL)
        p = subprocess.run(['ip', 'netns', 'exec', self.name] + argv, stdin=stdin, input=data if data is not None else None, capture_output=True, timeout=600)
        t = time.perf_counter() - t0; c = rus() - c0
        if check and p.returncode != 0: raise SystemExit('%s failed: %s' % (argv, p.stderr[:2000]))
        return t, c, p
    def close(self): subprocess.run(['ip', 'netns', 'del', self.name])
def restore(ns, be, f): 
    t, c, _ = ns.run(['iptables-%s-restore' % be, '-w', '--noflush'], infile=f); return t, c
def save(ns, be, table=None):
    t, c, p = ns.run(['iptables-%s-save' % be] + (['-t', table] if table else [])); return t, c, p.stdout
