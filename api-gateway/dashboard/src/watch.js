import { get } from './api.js';

// List, then watch with the browser's EventSource on the apiserver's SSE stream (`Accept: text/event-stream`):
// each event has `id:` = resourceVersion and `event:` = ADDED | MODIFIED | DELETED | BOOKMARK | ERROR. When the
// connection drops, EventSource reconnects by itself with `Last-Event-ID` (the last resourceVersion), which the
// apiserver resumes from; an ERROR (410 Gone: too old) or a failed reconnect makes us list again.
//
// onChange(items: Map<key, object>) is called after the list and after every event.
export function listWatch(listPath, onChange, onError) {
  const items = new Map();
  let source = null;
  let closed = false;
  let retry = null;
  const key = (o) => `${o.metadata.namespace || ''}/${o.metadata.name}`;
  const sep = listPath.includes('?') ? '&' : '?';

  async function start() {
    if (closed) return;
    try {
      const list = await get(listPath);
      if (closed) return;
      items.clear();
      for (const o of list.items || []) items.set(key(o), o);
      onChange(items);
      watch(list.metadata.resourceVersion);
    } catch (e) {
      if (onError) onError(e);
      again(3000);
    }
  }

  function watch(rv) {
    source = new EventSource(`${listPath}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`,
      { withCredentials: true });
    const apply = (type) => (ev) => {
      const o = JSON.parse(ev.data);
      if (type === 'DELETED') items.delete(key(o));
      else items.set(key(o), o);
      onChange(items);
    };
    source.addEventListener('ADDED', apply('ADDED'));
    source.addEventListener('MODIFIED', apply('MODIFIED'));
    source.addEventListener('DELETED', apply('DELETED'));
    source.addEventListener('ERROR', () => { source.close(); again(0); });
    source.onerror = () => {
      // CONNECTING: the browser retries with Last-Event-ID by itself. CLOSED: it gave up (e.g. 401/403): relist.
      if (source.readyState === EventSource.CLOSED) again(3000);
    };
  }

  function again(ms) {
    if (closed) return;
    if (source) source.close();
    clearTimeout(retry);
    retry = setTimeout(start, ms);
  }

  start();
  return () => { closed = true; clearTimeout(retry); if (source) source.close(); };
}
