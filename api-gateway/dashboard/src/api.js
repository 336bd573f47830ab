// The API through the gateway, authenticated by the dashboard session cookie (HttpOnly: the page never sees it).
// Unsafe methods carry the session's CSRF token. Errors carry the Kubernetes Status message.

let csrfToken = '';
let onUnauthorized = () => {};

export function setCsrfToken(t) { csrfToken = t || ''; }
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export class ApiError extends Error {
  constructor(status, code) {
    super((status && status.message) || `HTTP ${code}`);
    this.status = status;
    this.code = code;
  }
}

export async function request(method, path, body, contentType = 'application/json', signal) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = contentType;
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin', signal,
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/dashboard/api/')) onUnauthorized();
    throw new ApiError(json && json.kind === 'Status' ? json : { message: text || res.statusText }, res.status);
  }
  return json;
}

export const get = (path, signal) => request('GET', path, undefined, undefined, signal);
export const post = (path, body) => request('POST', path, body);
export const del = (path) => request('DELETE', path);
export const mergePatch = (path, body) => request('PATCH', path, body, 'application/merge-patch+json');

// Session endpoints of the gateway.
export const session = {
  current: () => get('/dashboard/api/session'),
  login: (token) => post('/dashboard/api/session', { token }),
  logout: () => del('/dashboard/api/session'),
};

// Resource paths.
export function path(group, version, plural, namespace, name, sub) {
  let p = group ? `/apis/${group}/${version}` : `/api/${version}`;
  if (namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (sub) p += `/${sub}`;
  return p;
}

// Discovery: apiVersion + kind → {plural, namespaced}, cached per group/version.
const discovery = new Map();
export async function resourceFor(apiVersion, kind) {
  if (!discovery.has(apiVersion)) {
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    discovery.set(apiVersion, get(base).catch((e) => { discovery.delete(apiVersion); throw e; }));
  }
  const list = await discovery.get(apiVersion);
  const r = (list.resources || []).find((x) => x.kind === kind && !x.name.includes('/'));
  if (!r) throw new ApiError({ message: `the server has no resource of kind ${kind} in ${apiVersion}` }, 404);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return { base, plural: r.name, namespaced: r.namespaced };
}
