"""PythonClientIT's script: the official Kubernetes Python client lists, creates, watches and deletes pods.

Usage: pods.py KUBECONFIG NAMESPACE IMAGE
Prints one line per fact the test checks: LISTED n, CREATED name uid, RUNNING name ip, EVENT type name,
DELETED name, KEPT name uid, DONE. Exits non-zero on any error.
"""
import sys
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException


_out = threading.Lock()


def say(*parts):
    """One whole line at a time: print() writes its parts and the newline separately, so the watch thread's lines
    and the main thread's would interleave ("EVENTCREATED ...")."""
    line = " ".join(str(p) for p in parts) + "\n"
    with _out:
        sys.stdout.write(line)
        sys.stdout.flush()


def pod(name, image):
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name=name, labels={"app": "python-client"}),
        spec=client.V1PodSpec(
            automount_service_account_token=False,
            termination_grace_period_seconds=1,
            containers=[client.V1Container(name="main", image=image, image_pull_policy="IfNotPresent")]))


def main():
    kubeconfig, namespace, image = sys.argv[1:4]
    config.load_kube_config(config_file=kubeconfig)
    core = client.CoreV1Api()

    listed = core.list_namespaced_pod(namespace)
    say("LISTED", len(listed.items))

    events = []
    seen_deleted = threading.Event()
    watcher = watch.Watch()

    def watch_pods():
        for e in watcher.stream(core.list_namespaced_pod, namespace, label_selector="app=python-client",
                                resource_version=listed.metadata.resource_version, timeout_seconds=90):
            name = e["object"].metadata.name
            events.append((e["type"], name))
            say("EVENT", e["type"], name)
            if e["type"] == "DELETED" and name == "py-gone":
                seen_deleted.set()
                watcher.stop()

    t = threading.Thread(target=watch_pods, daemon=True)
    t.start()

    for name in ("py-gone", "py-kept"):
        created = core.create_namespaced_pod(namespace, pod(name, image))
        say("CREATED", name, created.metadata.uid)

    deadline = time.time() + 90
    while True:
        p = core.read_namespaced_pod("py-gone", namespace)
        if p.status.phase == "Running" and p.status.pod_ip:
            say("RUNNING", "py-gone", p.status.pod_ip)
            break
        if time.time() > deadline:
            raise SystemExit("py-gone is not Running after 90 s: " + str(p.status))
        time.sleep(0.5)

    core.delete_namespaced_pod("py-gone", namespace)
    while True:
        try:
            core.read_namespaced_pod("py-gone", namespace)
        except ApiException as e:
            if e.status == 404:
                say("DELETED", "py-gone")
                break
            raise
        if time.time() > deadline:
            raise SystemExit("py-gone is still there after 90 s")
        time.sleep(0.5)

    if not seen_deleted.wait(30):
        raise SystemExit("the watch saw no DELETED event for py-gone: " + str(events))
    kept = core.read_namespaced_pod("py-kept", namespace)
    say("KEPT", kept.metadata.name, kept.metadata.uid)
    say("DONE")


if __name__ == "__main__":
    main()
