#!/usr/bin/env python3
"""Generates the strategic-merge-patch metadata table that io.kube4j.apiserver.patch.PatchMetaTable reads.

It reads the Go API types of Kubernetes -- the same `patchStrategy` / `patchMergeKey` struct tags that the
apimachinery package strategicpatch reads by reflection (PatchMetaFromStruct) -- and writes, per Go struct type,
the fields the patcher needs: lists with a merge strategy (and their merge key), fields with a retainKeys or
replace strategy, and the struct / list / map fields that lead to such fields. Every other field takes the
default: maps merge, lists are atomic (replaced), and so are scalars. Each line cites the Go source line.

usage: gen-strategic-merge-patch-meta.py API_REPO_GIT_DIR APIMACHINERY_REPO_GIT_DIR > table
  (bare git directories of github.com/kubernetes/api and github.com/kubernetes/apimachinery)
"""
import re
import subprocess
import sys

API, MACHINERY = sys.argv[1], sys.argv[2]

PACKAGES = {  # package key -> (git dir, file)
    'core/v1': (API, 'core/v1/types.go'),
    'apps/v1': (API, 'apps/v1/types.go'),
    'batch/v1': (API, 'batch/v1/types.go'),
    'coordination/v1': (API, 'coordination/v1/types.go'),
    'scheduling/v1': (API, 'scheduling/v1/types.go'),
    'discovery/v1': (API, 'discovery/v1/types.go'),
    'autoscaling/v1': (API, 'autoscaling/v1/types.go'),
    'autoscaling/v2': (API, 'autoscaling/v2/types.go'),
    'rbac/v1': (API, 'rbac/v1/types.go'),
    'policy/v1': (API, 'policy/v1/types.go'),
    'meta/v1': (MACHINERY, 'pkg/apis/meta/v1/types.go'),
}
IMPORTS = {  # Go import path -> package key
    'k8s.io/api/core/v1': 'core/v1', 'k8s.io/api/apps/v1': 'apps/v1', 'k8s.io/api/batch/v1': 'batch/v1',
    'k8s.io/api/autoscaling/v1': 'autoscaling/v1', 'k8s.io/apimachinery/pkg/apis/meta/v1': 'meta/v1',
}
ROOTS = [  # apiVersion/kind served by kube4j -> Go type
    ('v1', 'Namespace', 'core/v1.Namespace'), ('v1', 'Pod', 'core/v1.Pod'), ('v1', 'Node', 'core/v1.Node'),
    ('v1', 'Service', 'core/v1.Service'), ('v1', 'Endpoints', 'core/v1.Endpoints'),
    ('v1', 'ConfigMap', 'core/v1.ConfigMap'), ('v1', 'Secret', 'core/v1.Secret'), ('v1', 'Event', 'core/v1.Event'),
    ('v1', 'ServiceAccount', 'core/v1.ServiceAccount'),
    ('apps/v1', 'Deployment', 'apps/v1.Deployment'), ('apps/v1', 'ReplicaSet', 'apps/v1.ReplicaSet'),
    ('apps/v1', 'StatefulSet', 'apps/v1.StatefulSet'), ('apps/v1', 'DaemonSet', 'apps/v1.DaemonSet'),
    ('batch/v1', 'Job', 'batch/v1.Job'), ('batch/v1', 'CronJob', 'batch/v1.CronJob'),
    ('coordination.k8s.io/v1', 'Lease', 'coordination/v1.Lease'),
    ('scheduling.k8s.io/v1', 'PriorityClass', 'scheduling/v1.PriorityClass'),
    ('discovery.k8s.io/v1', 'EndpointSlice', 'discovery/v1.EndpointSlice'),
    ('autoscaling/v1', 'Scale', 'autoscaling/v1.Scale'),
    ('autoscaling/v2', 'HorizontalPodAutoscaler', 'autoscaling/v2.HorizontalPodAutoscaler'),
    ('autoscaling/v1', 'HorizontalPodAutoscaler', 'autoscaling/v1.HorizontalPodAutoscaler'),
    ('rbac.authorization.k8s.io/v1', 'Role', 'rbac/v1.Role'),
    ('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rbac/v1.RoleBinding'),
    ('rbac.authorization.k8s.io/v1', 'ClusterRole', 'rbac/v1.ClusterRole'),
    ('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'rbac/v1.ClusterRoleBinding'),
    ('policy/v1', 'PodDisruptionBudget', 'policy/v1.PodDisruptionBudget'),
]


def git(gitdir, *args):
    return subprocess.run(['git', '--git-dir', gitdir, *args], check=True, capture_output=True, text=True).stdout


structs = {}   # 'pkg.Name' -> list of (go type expr, json name or None for inline, strategies, mergeKey, line, pkg)
named = {}     # 'pkg.Name' -> underlying type expr (non-struct named types)
aliases = {}   # pkg -> {alias: pkg}
commits = {}

for pkg, (gitdir, path) in PACKAGES.items():
    commits[gitdir] = git(gitdir, 'rev-parse', 'HEAD').strip()
    src = git(gitdir, 'show', 'HEAD:' + path).split('\n')
    aliases[pkg] = {}
    for line in src:
        m = re.match(r'^\s*(\w+)?\s*"([^"]+)"\s*$', line)
        if m and m.group(2) in IMPORTS:
            alias = m.group(1) or m.group(2).split('/')[-1]
            aliases[pkg][alias] = IMPORTS[m.group(2)]
    i = 0
    while i < len(src):
        line = src[i]
        m = re.match(r'^type (\w+) struct \{', line)
        if m:
            name, fields = pkg + '.' + m.group(1), []
            i += 1
            while not src[i].startswith('}'):
                f = re.match(r'^\t(\w+\s+)?([\w.*\[\]]+)\s+`([^`]*)`', src[i])
                if f:
                    tags = dict(re.findall(r'(\w+):"([^"]*)"', f.group(3)))
                    json = tags.get('json', '').split(',')[0]
                    inline = f.group(1) is None or 'inline' in tags.get('json', '').split(',')[1:]
                    if json != '-':
                        strategies = [s for s in tags.get('patchStrategy', '').split(',') if s]
                        fields.append((f.group(2), None if inline and not json else json, strategies,
                                       tags.get('patchMergeKey', ''), f'{path}:{i + 1}', pkg))
                i += 1
            structs[name] = fields
        else:
            m = re.match(r'^type (\w+) ([\w.\[\]*]+)\s*$', line)
            if m:
                named[pkg + '.' + m.group(1)] = (m.group(2), pkg)
        i += 1


def resolve(expr, pkg):
    """('struct', name) | ('list', elem) | ('map', elem) | ('scalar',)"""
    expr = expr.lstrip('*')
    if expr.startswith('[]'):
        return ('list', resolve(expr[2:], pkg))
    m = re.match(r'^map\[[\w.]+\](.*)$', expr)
    if m:
        return ('map', resolve(m.group(1), pkg))
    if '.' in expr:
        alias, simple = expr.split('.', 1)
        if alias not in aliases[pkg]:
            return ('scalar',)  # resource.Quantity, intstr.IntOrString, types.UID, runtime.RawExtension, ...
        qual = aliases[pkg][alias] + '.' + simple
    else:
        qual = pkg + '.' + expr
    if qual in structs:
        return ('struct', qual)
    if qual in named:
        under, upkg = named[qual]
        return resolve(under, upkg)
    return ('scalar',)


def fields_of(name):
    """The JSON fields of a struct, with inline (embedded) structs flattened, as encoding/json does."""
    out = {}
    for expr, json, strategies, key, where, pkg in structs[name]:
        t = resolve(expr, pkg)
        if json is None:
            if t[0] == 'struct':
                for k, v in fields_of(t[1]).items():
                    out.setdefault(k, v)
            continue
        out[json] = (t, strategies, key, where)
    return out


needed = {}  # struct name -> {field: line} (None while being computed, to cut cycles)


def struct_needed(name):
    if name in needed:
        return bool(needed[name])
    needed[name] = None
    lines = {}
    for json, (t, strategies, key, where) in fields_of(name).items():
        leaf = t
        while leaf[0] in ('list', 'map'):
            leaf = leaf[1]
        sub = leaf[0] == 'struct' and struct_needed(leaf[1])
        merge = 'merge' in strategies
        if t[0] == 'list' and not merge:
            sub = False  # atomic list: replaced whole, never entered
        if not (strategies or sub):
            continue
        kind = t[0] if t[0] != 'scalar' else 'scalar'
        elem = leaf[1] if sub else '-'
        if t[0] == 'list' and t[1][0] == 'list':
            kind = 'list'
        lines[json] = f'  {json} {kind} {elem} {",".join(strategies) or "-"} {key or "-"}  # {where}'
    needed[name] = lines
    return bool(lines)


for _, _, root in ROOTS:
    struct_needed(root)

print('# Strategic merge patch metadata: per Go API type, the fields whose patch strategy is not the default')
print('# (maps merge, lists and scalars are replaced) and the fields that lead to them. Generated by')
print('# apiserver-service/tools/gen-strategic-merge-patch-meta.py from the patchStrategy/patchMergeKey struct tags of')
print(f'# github.com/kubernetes/api@{commits[API]} and github.com/kubernetes/apimachinery@{commits[MACHINERY]}.')
print('# Format: root <apiVersion> <kind> <type> | type <type> | <json field> <struct|list|map|scalar> <element type|->')
print('#   <strategies|-> <merge key|->  # <source file:line>')
for api_version, kind, root in ROOTS:
    print(f'root {api_version} {kind} {root}')
reachable, todo = set(), [root for _, _, root in ROOTS]
while todo:
    name = todo.pop()
    if name in reachable or not needed.get(name):
        continue
    reachable.add(name)
    todo.extend(line.split()[2] for line in needed[name].values())
for name in sorted(reachable):
    print(f'type {name}')
    for json in sorted(needed[name]):
        print(needed[name][json])
