# reorder a restore input: within each chain, rules that end in '-j <CHAIN>' keep relative order semantics only
# for KUBE-SERVICES/KUBE-NODEPORTS (order-independent: distinct destinations); sort those by jump target descending,
# the trailing KUBE-SERVICES -> KUBE-NODEPORTS rule stays last.
import sys
lines = open(sys.argv[1]).read().splitlines()
out = []; svc = []; np_ = []; last = []
for l in lines:
    if l.startswith('-A KUBE-SERVICES ') and '-j KUBE-NODEPORTS' in l: last.append(l)
    elif l.startswith('-A KUBE-SERVICES '): svc.append(l)
    elif l.startswith('-A KUBE-NODEPORTS '): np_.append(l)
    elif l == 'COMMIT' and (svc or np_ or last):
        key = lambda l: l.rsplit('-j ', 1)[1]
        out += sorted(svc, key=key, reverse=True) + last + sorted(np_, key=key, reverse=True) + ['COMMIT']
        svc, np_, last = [], [], []
    else: out.append(l)
print('\n'.join(out))
