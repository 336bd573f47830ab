import yaml from 'js-yaml';
import { h, replace } from './dom.js';
import * as api from './api.js';
import { listWatch } from './watch.js';
import './style.css';

// kube4j's dashboard: a single page with hash routes (#/ns/<namespace>/<view>, #/nodes), talking to the API
// through the gateway with the session cookie. Stable data-testid attributes are for the browser test.

const app = document.getElementById('app');
const state = { user: null, namespace: localStorage.getItem('kube4j.namespace') || 'default', cleanup: [] };

api.setUnauthorizedHandler(() => { state.user = null; render(); });
window.addEventListener('hashchange', () => render());

// ---------- utilities ----------

function showError(e) {
  const box = document.querySelector('[data-testid="error"]');
  if (!box) return;
  replace(box, e ? (e.message || String(e)) : '');
  box.hidden = !e;
}

async function act(fn) {
  showError(null);
  try { return await fn(); } catch (e) { showError(e); return undefined; }
}

function age(ts) {
  if (!ts) return '';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function confirmDialog(message) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { 'data-testid': 'confirm-dialog' },
      h('p', { 'data-testid': 'confirm-message' }, message),
      h('div', { class: 'buttons' },
        h('button', { 'data-testid': 'confirm-cancel', onclick: () => done(false) }, 'Cancel'),
        h('button', { class: 'danger', 'data-testid': 'confirm-ok', onclick: () => done(true) }, 'Delete')));
    function done(v) { dialog.close(); dialog.remove(); resolve(v); }
    dialog.addEventListener('cancel', () => done(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

async function deleteObject(kindLabel, objPath, name) {
  if (await confirmDialog(`Delete ${kindLabel} ${name}?`)) {
    await act(() => api.del(objPath));
  }
}

// A table kept in sync with a live Map of objects: rows keyed by name, cells re-rendered on change except those
// that keep their own state (the replicas input while typed in).
function liveTable(testid, columns, rowTestid, attrs = () => ({})) {
  const tbody = h('tbody');
  const rows = new Map();
  const table = h('table', { 'data-testid': testid },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c.title)))), tbody);
  function update(objects) {
    const sorted = [...objects].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const seen = new Set();
    let prev = null;
    for (const o of sorted) {
      const name = o.metadata.name;
      seen.add(name);
      let row = rows.get(name);
      if (!row) {
        row = { tr: h('tr', { 'data-testid': `${rowTestid}-${name}`, 'data-name': name }), tds: [] };
        for (const c of columns) {
          const td = h('td', { 'data-col': c.id || c.title.toLowerCase() });
          if (c.mount) c.mount(td, o);
          row.tds.push(td);
          row.tr.append(td);
        }
        rows.set(name, row);
      }
      columns.forEach((c, i) => {
        if (c.update) c.update(row.tds[i], o);
        else if (c.render) replace(row.tds[i], c.render(o));
      });
      for (const [k, v] of Object.entries(attrs(o))) row.tr.setAttribute(k, v);
      if (prev ? prev.nextSibling !== row.tr : tbody.firstChild !== row.tr) {
        if (prev) prev.after(row.tr); else tbody.prepend(row.tr);
      }
      prev = row.tr;
    }
    for (const [name, row] of rows) {
      if (!seen.has(name)) { row.tr.remove(); rows.delete(name); }
    }
  }
  return { table, update };
}

function watchInto(listPath, table, filter = () => true) {
  const stop = listWatch(listPath, (items) => table.update([...items.values()].filter(filter)), showError);
  state.cleanup.push(stop);
}

// ---------- pods ----------

function podReady(p) {
  const cs = (p.status && p.status.containerStatuses) || [];
  const total = (p.spec.containers || []).length;
  return { ready: cs.filter((c) => c.ready).length, total };
}

function podRestarts(p) {
  return ((p.status && p.status.containerStatuses) || []).reduce((n, c) => n + (c.restartCount || 0), 0);
}

function podPhase(p) {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  const waiting = ((p.status && p.status.containerStatuses) || []).map((c) => c.state && c.state.waiting)
    .find((w) => w && w.reason);
  return (waiting && waiting.reason) || (p.status && p.status.phase) || 'Pending';
}

function podsView(main, ns) {
  const t = liveTable('pods-table', [
    { title: 'Name', render: (p) => h('a', { href: `#/ns/${ns}/pods/${p.metadata.name}/logs` }, p.metadata.name) },
    { title: 'Status', id: 'status', render: (p) => h('span', { class: `phase phase-${podPhase(p)}`, 'data-testid': `pod-phase-${p.metadata.name}` }, podPhase(p)) },
    { title: 'Ready', id: 'ready', render: (p) => { const r = podReady(p); return h('span', { 'data-testid': `pod-ready-${p.metadata.name}` }, `${r.ready}/${r.total}`); } },
    { title: 'Restarts', render: (p) => String(podRestarts(p)) },
    { title: 'Node', render: (p) => p.spec.nodeName || '' },
    { title: 'IP', render: (p) => (p.status && p.status.podIP) || '' },
    { title: 'Age', render: (p) => age(p.metadata.creationTimestamp) },
    { title: '', id: 'actions', mount: (td, p) => td.append(...[].concat([
      h('a', { class: 'button', href: `#/ns/${ns}/pods/${p.metadata.name}/logs`, 'data-testid': `logs-${p.metadata.name}` }, 'Logs'),
      h('button', { class: 'danger', 'data-testid': `delete-pod-${p.metadata.name}`,
        onclick: () => deleteObject('pod', api.path('', 'v1', 'pods', ns, p.metadata.name), p.metadata.name) }, 'Delete')])) },
  ], 'pod-row', (p) => ({ 'data-phase': podPhase(p), 'data-ready': String(podReady(p).ready === podReady(p).total) }));
  main.append(h('h2', {}, 'Pods'), t.table);
  watchInto(api.path('', 'v1', 'pods', ns), t);
}

function logsView(main, ns, name) {
  const out = h('pre', { class: 'logs', 'data-testid': 'log-output' });
  const select = h('select', { 'data-testid': 'log-container' });
  const status = h('span', { class: 'muted', 'data-testid': 'log-status' }, '');
  main.append(h('h2', {}, `Logs of ${name}`), h('div', { class: 'toolbar' }, 'Container ', select, ' ', status), out);
  let controller = null;
  state.cleanup.push(() => controller && controller.abort());

  async function follow(container) {
    if (controller) controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    out.textContent = '';
    status.textContent = 'following';
    try {
      const res = await fetch(`${api.path('', 'v1', 'pods', ns, name, 'log')}?follow=true&tailLines=1000&container=${encodeURIComponent(container)}`,
        { credentials: 'same-origin', signal });
      if (!res.ok) {
        const text = await res.text();
        let msg = text;
        try { msg = JSON.parse(text).message || text; } catch { /* plain text */ }
        throw new Error(msg);
      }
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
        out.append(decoder.decode(value, { stream: true }));
        if (atBottom) out.scrollTop = out.scrollHeight;
      }
      status.textContent = 'stream ended';
    } catch (e) {
      if (signal.aborted) return;
      status.textContent = 'error';
      showError(e);
    }
  }

  act(async () => {
    const pod = await api.get(api.path('', 'v1', 'pods', ns, name));
    for (const c of pod.spec.containers) select.append(h('option', { value: c.name }, c.name));
    select.addEventListener('change', () => follow(select.value));
    follow(select.value);
  });
}

// ---------- deployments, replicasets ----------

// A Scale column for a kind with a scale subresource: −, a replicas input, +, Scale (all through /scale).
function scaleColumn(group, plural, ns) {
  const scale = (o, n) => act(() => api.mergePatch(api.path(group, 'v1', plural, ns, o.metadata.name, 'scale'),
    { spec: { replicas: Math.max(0, n) } }));
  return {
    title: 'Scale', id: 'scale',
    mount: (td, o) => {
      const name = o.metadata.name;
      const input = h('input', { type: 'number', min: '0', class: 'replicas', 'data-testid': `replicas-input-${name}` });
      td.append(
        h('button', { 'data-testid': `scale-down-${name}`, title: 'one replica less', onclick: () => scale(td.obj, (td.obj.spec.replicas ?? 1) - 1) }, '−'),
        input,
        h('button', { 'data-testid': `scale-up-${name}`, title: 'one replica more', onclick: () => scale(td.obj, (td.obj.spec.replicas ?? 1) + 1) }, '+'),
        h('button', { 'data-testid': `scale-set-${name}`, onclick: () => { scale(td.obj, parseInt(input.value, 10)); input.dataset.dirty = ''; } }, 'Scale'));
      input.addEventListener('input', () => { input.dataset.dirty = '1'; });
      input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { scale(td.obj, parseInt(input.value, 10)); input.dataset.dirty = ''; } });
    },
    update: (td, o) => {
      td.obj = o;
      const input = td.querySelector('input');
      if (document.activeElement !== input && !input.dataset.dirty) input.value = o.spec.replicas ?? 1;
    },
  };
}

function deleteButton(kindLabel, group, version, plural, ns, name) {
  return h('button', { class: 'danger', 'data-testid': `delete-${kindLabel}-${name}`,
    onclick: () => deleteObject(kindLabel, api.path(group, version, plural, ns, name), name) }, 'Delete');
}

function deleteColumn(kindLabel, group, version, plural, ns) {
  return { title: '', id: 'actions', mount: (td, o) => td.append(deleteButton(kindLabel, group, version, plural, ns, o.metadata.name)) };
}

function deploymentsView(main, ns) {
  const t = liveTable('deployments-table', [
    { title: 'Name', render: (d) => d.metadata.name },
    { title: 'Ready', id: 'ready', render: (d) => h('span', { 'data-testid': `deployment-ready-${d.metadata.name}` },
      `${(d.status && d.status.readyReplicas) || 0}/${d.spec.replicas ?? 1}`) },
    { title: 'Up-to-date', render: (d) => String((d.status && d.status.updatedReplicas) || 0) },
    { title: 'Available', render: (d) => String((d.status && d.status.availableReplicas) || 0) },
    { title: 'Age', render: (d) => age(d.metadata.creationTimestamp) },
    scaleColumn('apps', 'deployments', ns),
    { title: '', id: 'actions', mount: (td, d) => td.append(...[].concat([
      h('button', { 'data-testid': `restart-${d.metadata.name}`, onclick: () => act(() => api.mergePatch(
        api.path('apps', 'v1', 'deployments', ns, d.metadata.name),
        { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } })) }, 'Restart'),
      h('button', { class: 'danger', 'data-testid': `delete-deployment-${d.metadata.name}`,
        onclick: () => deleteObject('deployment', api.path('apps', 'v1', 'deployments', ns, d.metadata.name), d.metadata.name) }, 'Delete')])) },
  ], 'deployment-row');
  main.append(h('h2', {}, 'Deployments'), t.table);
  watchInto(api.path('apps', 'v1', 'deployments', ns), t);
}

function replicaSetsView(main, ns) {
  const t = liveTable('replicasets-table', [
    { title: 'Name', render: (r) => r.metadata.name },
    { title: 'Desired', render: (r) => String(r.spec.replicas ?? 1) },
    { title: 'Current', render: (r) => String((r.status && r.status.replicas) || 0) },
    { title: 'Ready', render: (r) => String((r.status && r.status.readyReplicas) || 0) },
    { title: 'Owner', render: (r) => ((r.metadata.ownerReferences || [])[0] || {}).name || '' },
    { title: 'Age', render: (r) => age(r.metadata.creationTimestamp) },
    { title: '', id: 'actions', mount: (td, r) => td.append(...[].concat(h('button', { class: 'danger', 'data-testid': `delete-replicaset-${r.metadata.name}`,
      onclick: () => deleteObject('replicaset', api.path('apps', 'v1', 'replicasets', ns, r.metadata.name), r.metadata.name) }, 'Delete'))) },
  ], 'replicaset-row');
  main.append(h('h2', {}, 'ReplicaSets'), t.table);
  watchInto(api.path('apps', 'v1', 'replicasets', ns), t);
}

// ---------- statefulsets, daemonsets, jobs, cronjobs, autoscalers (the columns of kubectl get) ----------

function statefulSetsView(main, ns) {
  const t = liveTable('statefulsets-table', [
    { title: 'Name', render: (s) => s.metadata.name },
    { title: 'Ready', id: 'ready', render: (s) => h('span', { 'data-testid': `statefulset-ready-${s.metadata.name}` },
      `${(s.status && s.status.readyReplicas) || 0}/${s.spec.replicas ?? 1}`) },
    { title: 'Current', render: (s) => String((s.status && s.status.currentReplicas) || 0) },
    { title: 'Updated', render: (s) => String((s.status && s.status.updatedReplicas) || 0) },
    { title: 'Service', render: (s) => s.spec.serviceName || '' },
    { title: 'Age', render: (s) => age(s.metadata.creationTimestamp) },
    scaleColumn('apps', 'statefulsets', ns),
    deleteColumn('statefulset', 'apps', 'v1', 'statefulsets', ns),
  ], 'statefulset-row');
  main.append(h('h2', {}, 'StatefulSets'), t.table);
  watchInto(api.path('apps', 'v1', 'statefulsets', ns), t);
}

function daemonSetsView(main, ns) {
  const st = (d, f) => String((d.status && d.status[f]) || 0);
  const t = liveTable('daemonsets-table', [
    { title: 'Name', render: (d) => d.metadata.name },
    { title: 'Desired', id: 'desired', render: (d) => h('span', { 'data-testid': `daemonset-desired-${d.metadata.name}` }, st(d, 'desiredNumberScheduled')) },
    { title: 'Current', render: (d) => st(d, 'currentNumberScheduled') },
    { title: 'Ready', id: 'ready', render: (d) => h('span', { 'data-testid': `daemonset-ready-${d.metadata.name}` }, st(d, 'numberReady')) },
    { title: 'Up-to-date', render: (d) => st(d, 'updatedNumberScheduled') },
    { title: 'Available', render: (d) => st(d, 'numberAvailable') },
    { title: 'Node selector', render: (d) => Object.entries(d.spec.template.spec.nodeSelector || {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>' },
    { title: 'Age', render: (d) => age(d.metadata.creationTimestamp) },
    deleteColumn('daemonset', 'apps', 'v1', 'daemonsets', ns),
  ], 'daemonset-row');
  main.append(h('h2', {}, 'DaemonSets'), t.table);
  watchInto(api.path('apps', 'v1', 'daemonsets', ns), t);
}

// kubectl's Job status column (printJob): a finished condition, Terminating, an interim condition, else Running.
function jobStatus(j) {
  const conds = (j.status && j.status.conditions) || [];
  const isTrue = (type) => conds.some((c) => c.type === type && c.status === 'True');
  if (isTrue('Complete')) return 'Complete';
  if (isTrue('Failed')) return 'Failed';
  if (j.metadata.deletionTimestamp) return 'Terminating';
  if (isTrue('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (isTrue('FailureTarget')) return 'FailureTarget';
  if (isTrue('Suspended')) return 'Suspended';
  return 'Running';
}

function duration(from, to) {
  if (!from) return '';
  const s = Math.max(0, Math.floor(((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  return `${Math.floor(s / 3600)}h`;
}

function jobsView(main, ns) {
  const t = liveTable('jobs-table', [
    { title: 'Name', render: (j) => j.metadata.name },
    { title: 'Status', id: 'status', render: (j) => h('span', { 'data-testid': `job-status-${j.metadata.name}` }, jobStatus(j)) },
    { title: 'Completions', id: 'completions', render: (j) => h('span', { 'data-testid': `job-completions-${j.metadata.name}` },
      `${(j.status && j.status.succeeded) || 0}/${j.spec.completions ?? 1}`) },
    { title: 'Active', render: (j) => String((j.status && j.status.active) || 0) },
    { title: 'Failed', render: (j) => String((j.status && j.status.failed) || 0) },
    { title: 'Duration', render: (j) => duration(j.status && j.status.startTime, j.status && j.status.completionTime) },
    { title: 'Owner', render: (j) => ((j.metadata.ownerReferences || [])[0] || {}).name || '' },
    { title: 'Age', render: (j) => age(j.metadata.creationTimestamp) },
    deleteColumn('job', 'batch', 'v1', 'jobs', ns),
  ], 'job-row');
  main.append(h('h2', {}, 'Jobs'), t.table);
  watchInto(api.path('batch', 'v1', 'jobs', ns), t);
}

function cronJobsView(main, ns) {
  const t = liveTable('cronjobs-table', [
    { title: 'Name', render: (c) => c.metadata.name },
    { title: 'Schedule', render: (c) => c.spec.schedule },
    { title: 'Time zone', render: (c) => c.spec.timeZone || '<none>' },
    { title: 'Suspend', id: 'suspend', render: (c) => h('span', { 'data-testid': `cronjob-suspend-${c.metadata.name}` }, String(!!c.spec.suspend)) },
    { title: 'Active', id: 'active', render: (c) => h('span', { 'data-testid': `cronjob-active-${c.metadata.name}` }, String(((c.status && c.status.active) || []).length)) },
    { title: 'Last schedule', render: (c) => (c.status && c.status.lastScheduleTime ? age(c.status.lastScheduleTime) : '<none>') },
    { title: 'Age', render: (c) => age(c.metadata.creationTimestamp) },
    { title: '', id: 'actions', mount: (td, c) => {
      const name = c.metadata.name;
      const toggle = h('button', { 'data-testid': `suspend-toggle-${name}`, onclick: () => act(() => api.mergePatch(
        api.path('batch', 'v1', 'cronjobs', ns, name), { spec: { suspend: !td.obj.spec.suspend } })) });
      td.append(toggle, deleteButton('cronjob', 'batch', 'v1', 'cronjobs', ns, name));
    }, update: (td, c) => { td.obj = c; td.firstChild.textContent = c.spec.suspend ? 'Resume' : 'Suspend'; } },
  ], 'cronjob-row');
  main.append(h('h2', {}, 'CronJobs'), t.table);
  watchInto(api.path('batch', 'v1', 'cronjobs', ns), t);
}

// kubectl's TARGETS for Resource metrics: "cpu: 40%/80%", <unknown> before the first measurement.
function hpaTargets(a) {
  const specs = a.spec.metrics || [];
  if (!specs.length) return '<none>';
  const current = (a.status && a.status.currentMetrics) || [];
  return specs.map((m, i) => {
    const f = m.type === 'Resource' ? 'resource' : m.type === 'ContainerResource' ? 'containerResource' : null;
    if (!f) return '<unknown type>';
    const target = m[f].target || {};
    const cur = ((current[i] || {})[f] || {}).current || {};
    if (target.averageValue !== undefined) return `${m[f].name}: ${cur.averageValue ?? '<unknown>'}/${target.averageValue}`;
    const c = cur.averageUtilization !== undefined ? `${cur.averageUtilization}%` : '<unknown>';
    return `${m[f].name}: ${c}/${target.averageUtilization !== undefined ? `${target.averageUtilization}%` : '<auto>'}`;
  }).join(', ');
}

function autoscalersView(main, ns) {
  const t = liveTable('hpas-table', [
    { title: 'Name', render: (a) => a.metadata.name },
    { title: 'Reference', render: (a) => `${a.spec.scaleTargetRef.kind}/${a.spec.scaleTargetRef.name}` },
    { title: 'Targets', id: 'targets', render: (a) => h('span', { 'data-testid': `hpa-targets-${a.metadata.name}` }, hpaTargets(a)) },
    { title: 'Min pods', render: (a) => String(a.spec.minReplicas ?? 1) },
    { title: 'Max pods', render: (a) => String(a.spec.maxReplicas) },
    { title: 'Replicas', id: 'replicas', render: (a) => h('span', { 'data-testid': `hpa-replicas-${a.metadata.name}` }, String((a.status && a.status.currentReplicas) || 0)) },
    { title: 'Age', render: (a) => age(a.metadata.creationTimestamp) },
    deleteColumn('horizontalpodautoscaler', 'autoscaling', 'v2', 'horizontalpodautoscalers', ns),
  ], 'hpa-row');
  main.append(h('h2', {}, 'HorizontalPodAutoscalers'), t.table);
  watchInto(api.path('autoscaling', 'v2', 'horizontalpodautoscalers', ns), t);
}

// ---------- storage: the namespace's claims, the cluster's volumes ----------

const ACCESS = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const accessModes = (modes) => Object.keys(ACCESS).filter((m) => (modes || []).includes(m)).map((m) => ACCESS[m]).join(',');

function storageView(main, ns) {
  const claims = liveTable('pvcs-table', [
    { title: 'Name', render: (c) => c.metadata.name },
    { title: 'Status', id: 'status', render: (c) => h('span', { 'data-testid': `pvc-status-${c.metadata.name}` },
      c.metadata.deletionTimestamp ? 'Terminating' : (c.status && c.status.phase) || 'Pending') },
    { title: 'Volume', id: 'volume', render: (c) => h('span', { 'data-testid': `pvc-volume-${c.metadata.name}` }, c.spec.volumeName || '') },
    { title: 'Capacity', render: (c) => (c.spec.volumeName && c.status && c.status.capacity && c.status.capacity.storage) || '' },
    { title: 'Access modes', render: (c) => (c.spec.volumeName ? accessModes(c.status && c.status.accessModes) : '') },
    { title: 'Storage class', render: (c) => c.spec.storageClassName || '' },
    { title: 'Age', render: (c) => age(c.metadata.creationTimestamp) },
    deleteColumn('persistentvolumeclaim', '', 'v1', 'persistentvolumeclaims', ns),
  ], 'pvc-row');
  const volumes = liveTable('pvs-table', [
    { title: 'Name', render: (v) => v.metadata.name },
    { title: 'Capacity', render: (v) => (v.spec.capacity && v.spec.capacity.storage) || '' },
    { title: 'Access modes', render: (v) => accessModes(v.spec.accessModes) },
    { title: 'Reclaim policy', render: (v) => v.spec.persistentVolumeReclaimPolicy || '' },
    { title: 'Status', id: 'status', render: (v) => h('span', { 'data-testid': `pv-status-${v.metadata.name}` },
      v.metadata.deletionTimestamp ? 'Terminating' : (v.status && v.status.phase) || 'Pending') },
    { title: 'Claim', render: (v) => (v.spec.claimRef ? `${v.spec.claimRef.namespace}/${v.spec.claimRef.name}` : '') },
    { title: 'Storage class', render: (v) => v.spec.storageClassName || '' },
    { title: 'Age', render: (v) => age(v.metadata.creationTimestamp) },
  ], 'pv-row');
  main.append(h('h2', {}, 'PersistentVolumeClaims'), claims.table, h('h2', {}, 'PersistentVolumes'), volumes.table);
  watchInto(api.path('', 'v1', 'persistentvolumeclaims', ns), claims);
  watchInto('/api/v1/persistentvolumes', volumes);
}

// ---------- services ----------

function servicesView(main, ns) {
  let endpoints = new Map();
  let services = [];
  const endpointText = (s) => {
    const ep = endpoints.get(`${ns}/${s.metadata.name}`);
    const addrs = [];
    for (const sub of (ep && ep.subsets) || []) {
      for (const a of sub.addresses || []) {
        for (const p of sub.ports || [{}]) addrs.push(p.port ? `${a.ip}:${p.port}` : a.ip);
      }
    }
    return addrs.length ? addrs.join(', ') : '<none>';
  };
  const t = liveTable('services-table', [
    { title: 'Name', render: (s) => s.metadata.name },
    { title: 'Type', render: (s) => s.spec.type || 'ClusterIP' },
    { title: 'Cluster IP', render: (s) => s.spec.clusterIP || '' },
    { title: 'Ports', render: (s) => (s.spec.ports || []).map((p) => `${p.port}${p.nodePort ? ':' + p.nodePort : ''}/${p.protocol || 'TCP'}`).join(', ') },
    { title: 'Endpoints', id: 'endpoints', render: (s) => h('span', { 'data-testid': `service-endpoints-${s.metadata.name}` }, endpointText(s)) },
    { title: '', id: 'actions', mount: (td, s) => td.append(...[].concat(h('button', { class: 'danger', 'data-testid': `delete-service-${s.metadata.name}`,
      onclick: () => deleteObject('service', api.path('', 'v1', 'services', ns, s.metadata.name), s.metadata.name) }, 'Delete'))) },
  ], 'service-row');
  main.append(h('h2', {}, 'Services'), t.table);
  state.cleanup.push(listWatch(api.path('', 'v1', 'services', ns), (items) => { services = [...items.values()]; t.update(services); }, showError));
  state.cleanup.push(listWatch(api.path('', 'v1', 'endpoints', ns), (items) => { endpoints = items; t.update(services); }, showError));
}

// ---------- events ----------

function eventsView(main, ns) {
  const tbody = h('tbody');
  main.append(h('h2', {}, 'Events'), h('table', { 'data-testid': 'events-table' },
    h('thead', {}, h('tr', {}, ['Last seen', 'Type', 'Reason', 'Object', 'Message', 'Count'].map((x) => h('th', {}, x)))), tbody));
  const when = (e) => e.lastTimestamp || e.eventTime || e.firstTimestamp || e.metadata.creationTimestamp;
  state.cleanup.push(listWatch(api.path('', 'v1', 'events', ns), (items) => {
    const list = [...items.values()].sort((a, b) => Date.parse(when(b) || 0) - Date.parse(when(a) || 0)).slice(0, 500);
    replace(tbody, list.map((e) => h('tr', { 'data-testid': 'event-row', class: e.type === 'Warning' ? 'warning' : '' },
      h('td', {}, age(when(e))), h('td', {}, e.type || ''), h('td', {}, e.reason || ''),
      h('td', {}, `${(e.involvedObject || {}).kind || ''}/${(e.involvedObject || {}).name || ''}`),
      h('td', {}, e.message || e.note || ''), h('td', {}, String(e.count || 1)))));
  }, showError));
}

// ---------- nodes ----------

const UNITS = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6 };
export function quantity(q) {
  if (q === undefined || q === null) return 0;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(String(q).trim());
  if (!m) return 0;
  return parseFloat(m[1]) * (UNITS[m[2]] ?? 1);
}

function bar(testid, used, total, fmt) {
  const pct = total > 0 ? Math.min(100, (100 * used) / total) : 0;
  return h('div', { class: 'bar-cell', 'data-testid': testid },
    h('div', { class: `bar ${pct > 90 ? 'hot' : ''}` }, h('div', { class: 'fill', style: `width:${pct.toFixed(1)}%` })),
    h('span', { class: 'muted' }, `${fmt(used)} / ${fmt(total)} (${pct.toFixed(0)}%)`));
}

function nodesView(main) {
  let nodes = [];
  let pods = new Map();
  const cpu = (v) => (v < 1 ? `${Math.round(v * 1000)}m` : `${+v.toFixed(2)}`);
  const mem = (v) => (v < 1024 ** 3 ? `${Math.round(v / 1024 ** 2)}Mi` : `${(v / 1024 ** 3).toFixed(2)}Gi`);
  const count = (v) => String(v);
  function allocated(node) {
    const sum = { cpu: 0, memory: 0, pods: 0 };
    for (const p of pods.values()) {
      if (p.spec.nodeName !== node || ['Succeeded', 'Failed'].includes(p.status && p.status.phase)) continue;
      sum.pods += 1;
      for (const c of p.spec.containers || []) {
        const r = (c.resources && c.resources.requests) || {};
        sum.cpu += quantity(r.cpu);
        sum.memory += quantity(r.memory);
      }
    }
    return sum;
  }
  const t = liveTable('nodes-table', [
    { title: 'Name', render: (n) => n.metadata.name },
    { title: 'Status', render: (n) => (((n.status && n.status.conditions) || []).find((c) => c.type === 'Ready') || {}).status === 'True' ? 'Ready' : 'NotReady' },
    { title: 'CPU requests', id: 'cpu', render: (n) => { const cap = (n.status && (n.status.allocatable || n.status.capacity)) || {}; return bar(`node-cpu-${n.metadata.name}`, allocated(n.metadata.name).cpu, quantity(cap.cpu), cpu); } },
    { title: 'Memory requests', id: 'memory', render: (n) => { const cap = (n.status && (n.status.allocatable || n.status.capacity)) || {}; return bar(`node-memory-${n.metadata.name}`, allocated(n.metadata.name).memory, quantity(cap.memory), mem); } },
    { title: 'Pods', id: 'pods', render: (n) => { const cap = (n.status && (n.status.allocatable || n.status.capacity)) || {}; return bar(`node-pods-${n.metadata.name}`, allocated(n.metadata.name).pods, quantity(cap.pods), count); } },
  ], 'node-row');
  main.append(h('h2', {}, 'Nodes'), h('p', { class: 'muted' }, 'Allocated = the sum of the requests of the pods bound to the node, against its allocatable capacity.'), t.table);
  state.cleanup.push(listWatch('/api/v1/nodes', (items) => { nodes = [...items.values()]; t.update(nodes); }, showError));
  state.cleanup.push(listWatch('/api/v1/pods', (items) => { pods = items; t.update(nodes); }, showError));
}

// ---------- create from YAML ----------

function createView(main, ns) {
  const text = h('textarea', { 'data-testid': 'create-yaml', rows: '22', spellcheck: 'false',
    placeholder: 'apiVersion: apps/v1\nkind: Deployment\n...   (several documents separated by ---)' });
  const results = h('ul', { 'data-testid': 'create-results', class: 'results' });
  const submit = h('button', { class: 'primary', 'data-testid': 'create-submit', onclick: () => create() }, 'Create');
  main.append(h('h2', {}, 'Create from YAML'), h('p', { class: 'muted' }, `Objects without a namespace go to ${ns}.`), text, h('div', { class: 'toolbar' }, submit), results);

  async function create() {
    showError(null);
    replace(results);
    let docs;
    try {
      docs = yaml.loadAll(text.value).filter((d) => d && typeof d === 'object');
    } catch (e) {
      showError(new Error(`YAML: ${e.message}`));
      return;
    }
    if (!docs.length) { showError(new Error('no object in the text')); return; }
    for (const o of docs) {
      const label = `${o.kind || '?'} ${(o.metadata && o.metadata.name) || '?'}`;
      try {
        if (!o.apiVersion || !o.kind) throw new Error('apiVersion and kind are required');
        const r = await api.resourceFor(o.apiVersion, o.kind);
        const target = (o.metadata && o.metadata.namespace) || ns;
        const p = r.namespaced ? `${r.base}/namespaces/${encodeURIComponent(target)}/${r.plural}` : `${r.base}/${r.plural}`;
        await api.post(p, o);
        results.append(h('li', { class: 'ok', 'data-testid': 'create-result', 'data-ok': 'true' }, `${label} created`));
      } catch (e) {
        results.append(h('li', { class: 'error', 'data-testid': 'create-result', 'data-ok': 'false' }, `${label}: ${e.message}`));
      }
    }
  }
}

// ---------- shell ----------

const VIEWS = { deployments: 'Deployments', statefulsets: 'StatefulSets', daemonsets: 'DaemonSets', jobs: 'Jobs', cronjobs: 'CronJobs',
  autoscalers: 'Autoscalers', replicasets: 'ReplicaSets', pods: 'Pods', storage: 'Storage', services: 'Services', events: 'Events', create: 'Create' };

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'nodes') return { view: 'nodes' };
  if (parts[0] === 'ns' && parts[1]) {
    return { ns: parts[1], view: parts[2] || 'deployments', name: parts[3], sub: parts[4] };
  }
  return { ns: state.namespace, view: 'deployments' };
}

function loginPage() {
  const input = h('input', { type: 'password', 'data-testid': 'login-token', placeholder: 'Bearer token', autocomplete: 'off' });
  const error = h('div', { class: 'error', 'data-testid': 'login-error', hidden: true });
  const form = h('form', { class: 'login', 'data-testid': 'login-form', onsubmit: async (e) => {
    e.preventDefault();
    error.hidden = true;
    try {
      const s = await api.session.login(input.value);
      state.user = s;
      api.setCsrfToken(s.csrfToken);
      render();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  } },
  h('h1', {}, 'kube4j'),
  h('p', {}, 'Log in with a token (static token, ServiceAccount token or OIDC ID token).'),
  input, h('button', { class: 'primary', type: 'submit', 'data-testid': 'login-submit' }, 'Log in'), error);
  replace(app, form);
  input.focus();
}

function stopViews() {
  for (const f of state.cleanup.splice(0)) { try { f(); } catch { /* ignore */ } }
}

function render() {
  stopViews();
  if (!state.user) { loginPage(); return; }
  const route = parseRoute();
  if (route.ns && route.ns !== state.namespace) {
    state.namespace = route.ns;
    localStorage.setItem('kube4j.namespace', route.ns);
  }
  const ns = state.namespace;
  const nsSelect = h('select', { 'data-testid': 'namespace-select', onchange: (e) => { location.hash = `#/ns/${e.target.value}/${route.view === 'nodes' ? 'deployments' : route.view}`; } });
  const fillNamespaces = (items) => {
    const names = [...new Set([...[...items.values()].map((n) => n.metadata.name), ns])].sort();
    replace(nsSelect, names.map((n) => h('option', { value: n, selected: n === ns }, n)));
    nsSelect.value = ns;
  };
  fillNamespaces(new Map());
  const nav = h('nav', {},
    Object.entries(VIEWS).map(([v, label]) => h('a', { href: `#/ns/${ns}/${v}`, class: route.view === v ? 'active' : '', 'data-testid': `nav-${v}` }, label)),
    h('a', { href: '#/nodes', class: route.view === 'nodes' ? 'active' : '', 'data-testid': 'nav-nodes' }, 'Nodes'));
  const main = h('main', {});
  replace(app,
    h('header', {},
      h('strong', {}, 'kube4j'), ' ', h('label', {}, 'Namespace ', nsSelect),
      h('span', { class: 'spacer' }),
      h('span', { 'data-testid': 'current-user', title: (state.user.groups || []).join(', ') }, state.user.user),
      h('button', { 'data-testid': 'logout', onclick: async () => { await act(() => api.session.logout()); state.user = null; api.setCsrfToken(''); render(); } }, 'Log out')),
    h('div', { class: 'layout' }, nav, h('section', {}, h('div', { class: 'error', 'data-testid': 'error', hidden: true }), main)));
  state.cleanup.push(listWatch('/api/v1/namespaces', fillNamespaces, () => {}));
  switch (route.view) {
    case 'nodes': nodesView(main); break;
    case 'replicasets': replicaSetsView(main, ns); break;
    case 'statefulsets': statefulSetsView(main, ns); break;
    case 'daemonsets': daemonSetsView(main, ns); break;
    case 'jobs': jobsView(main, ns); break;
    case 'cronjobs': cronJobsView(main, ns); break;
    case 'autoscalers': autoscalersView(main, ns); break;
    case 'storage': storageView(main, ns); break;
    case 'pods':
      if (route.name && route.sub === 'logs') logsView(main, ns, route.name); else podsView(main, ns);
      break;
    case 'services': servicesView(main, ns); break;
    case 'events': eventsView(main, ns); break;
    case 'create': createView(main, ns); break;
    default: deploymentsView(main, ns);
  }
}

// Start: an existing session (the cookie survives reloads) or the login page.
api.session.current()
  .then((s) => { state.user = s; api.setCsrfToken(s.csrfToken); })
  .catch(() => { state.user = null; })
  .finally(render);
