#!/usr/bin/env python3
"""Synthetic kube-proxy (1.28 iptables mode) shaped iptables-restore input.
usage: gen.py N [--nocomment] [--partial K] [--flat] [--seed S] [--eps E] [--nochains]
  --partial K : only KUBE-SERVICES/KUBE-NODEPORTS (full) + chains of the first K services (KEP-3453 shape)
  --flat      : no KUBE-SEP chains; DNAT directly in KUBE-SVC (same DNAT rule count, 1/6 of the chains)
  --shift S   : endpoint IP offset (changes SEP hashes -> new SEP chains, old ones become stale)
  --delete-stale N2 : also write ':chain' + '-X chain' for the SEP chains of shift 0 (stale cleanup) when shift!=0
"""
import sys, hashlib, base64, argparse
p = argparse.ArgumentParser()
p.add_argument('n', type=int)
p.add_argument('--nocomment', action='store_true')
p.add_argument('--partial', type=int, default=-1)
p.add_argument('--flat', action='store_true')
p.add_argument('--eps', type=int, default=5)
p.add_argument('--shift', type=int, default=0)
p.add_argument('--delete-stale', action='store_true')
p.add_argument('--range', default=None, help='a:b only chains of services a..b-1')
p.add_argument('--notop', action='store_true', help='no filter table, no top-level nat chains/rules')
p.add_argument('--changed', type=int, default=0, help='index of a service whose endpoints use shift (for partial)')
a = p.parse_args()
lo, hi = (map(int, a.range.split(':')) if a.range else (0, a.n))

def h(s): return base64.b32encode(hashlib.sha256(s.encode()).digest()).decode()[:16]
def svc_chain(name, proto): return 'KUBE-SVC-' + h(name + proto)
def ext_chain(name, proto): return 'KUBE-EXT-' + h(name + proto)
def sep_chain(name, proto, ep): return 'KUBE-SEP-' + h(name + proto + ep)
def cip(i): return '10.%d.%d.%d' % (96 + (i >> 16), (i >> 8) & 255, i & 255)
def epip(i, j, shift): k = i * a.eps + j + shift; return '10.244.%d.%d' % ((k >> 8) & 255, k & 255) if k < 65536 else '10.245.%d.%d' % ((k >> 8) & 255, k & 255)

out = []
w = out.append
def cm(text):
    if a.nocomment: return ''
    return '-m comment --comment %s ' % (('"%s"' % text) if ' ' in text else text)

if not a.notop: w('*filter')
for c in ([] if a.notop else ['KUBE-NODEPORTS','KUBE-SERVICES','KUBE-EXTERNAL-SERVICES','KUBE-FIREWALL','KUBE-FORWARD','KUBE-PROXY-FIREWALL']):
    w(':%s - [0:0]' % c)
if not a.notop: w('-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP')
if not a.notop: w('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP')
if not a.notop: w('-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT')
if not a.notop: w('-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT')
if not a.notop: w('COMMIT')
w('*nat')
chains = [] if a.notop else ['KUBE-SERVICES','KUBE-NODEPORTS','KUBE-POSTROUTING','KUBE-MARK-MASQ']
rules = []
r = rules.append
if not a.notop: r('-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN')
if not a.notop: r('-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000')
if not a.notop: r('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully')
if not a.notop: r('-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000')
stale = []
for i in range(a.n):
    name = 'ns%d/svc%d:http' % (i % 50, i)
    port = 80; proto = 'tcp'
    nodeport = (i % 10 == 0)
    affinity = (i % 50 == 1)
    sc = svc_chain(name, proto)
    # top-level rules always written
    if not a.notop: r('-A KUBE-SERVICES %s-m tcp -p tcp -d %s --dport %d -j %s' % (cm(name + ' cluster IP'), cip(i), port, sc))
    if nodeport and not a.notop:
        r('-A KUBE-NODEPORTS %s-m tcp -p tcp --dport %d -j %s' % (cm(name), 30000 + i % 2768, ext_chain(name, proto)))
    if a.partial >= 0 and i >= a.partial:
        continue
    if not (lo <= i < hi):
        continue
    shift = a.shift if (a.partial < 0 or i == a.changed) else 0
    chains.append(sc)
    if nodeport:
        ec = ext_chain(name, proto)
        chains.append(ec)
        r('-A %s %s-j KUBE-MARK-MASQ' % (ec, cm('masquerade traffic for %s external destinations' % name)))
        r('-A %s -j %s' % (ec, sc))
    r('-A %s %s-m tcp -p tcp -d %s --dport %d ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ' % (sc, cm(name + ' cluster IP'), cip(i), port))
    eps = [epip(i, j, shift) for j in range(a.eps)]
    seps = [sep_chain(name, proto, e + ':8080') for e in eps]
    if a.delete_stale and shift:
        stale += [sep_chain(name, proto, epip(i, j, 0) + ':8080') for j in range(a.eps)]
    if affinity and not a.flat:
        for j, e in enumerate(eps):
            r('-A %s %s-m recent --name %s --rcheck --seconds 10800 --reap -j %s' % (sc, cm(name + ' -> ' + e + ':8080'), seps[j], seps[j]))
    n = len(eps)
    for j, e in enumerate(eps):
        prob = '-m statistic --mode random --probability %0.10f ' % (1.0 / (n - j)) if j < n - 1 else ''
        if a.flat:
            r('-A %s %s%s-m tcp -p tcp -j DNAT --to-destination %s:8080' % (sc, cm(name + ' -> ' + e + ':8080'), prob, e))
        else:
            r('-A %s %s%s-j %s' % (sc, cm(name + ' -> ' + e + ':8080'), prob, seps[j]))
    if not a.flat:
        for j, e in enumerate(eps):
            chains.append(seps[j])
            r('-A %s %s-s %s -j KUBE-MARK-MASQ' % (seps[j], cm(name), e))
            aff = '-m recent --name %s --set ' % seps[j] if affinity else ''
            r('-A %s %s%s-m tcp -p tcp -j DNAT --to-destination %s:8080' % (seps[j], cm(name), aff, e))
if not a.notop: r('-A KUBE-SERVICES %s-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS' % cm('kubernetes service nodeports; NOTE: this must be the last rule in this chain'))
for c in chains: w(':%s - [0:0]' % c)
for c in stale: w(':%s - [0:0]' % c)
out += rules
for c in stale: w('-X %s' % c)
w('COMMIT')
sys.stdout.write('\n'.join(out) + '\n')
