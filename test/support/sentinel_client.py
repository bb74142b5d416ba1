"""redis-py's Sentinel client, driven line by line by test/integration/sentinel-clients.test.ts.

    /usr/bin/python3 sentinel_client.py SERVICE HOST:PORT [HOST:PORT...]

Connects as the Redis guides' Python examples do:

    sentinel = Sentinel([(host, port), ...], socket_timeout=...)
    master = sentinel.master_for(SERVICE, socket_timeout=...)   # writes
    replica = sentinel.slave_for(SERVICE, socket_timeout=...)   # reads

and keeps these two clients for its whole life (they are never recreated: a
failover must be handled by the library itself). Prints one JSON line
{"ready": true, "version": ...} at start, then answers each JSON request line
read from stdin, {"id": N, "op": OP, "args": [...]}, with one JSON line
{"id": N, "ok": true, "value": ...} or {"id": N, "ok": false, "error": "..."}.

Ops: set KEY VALUE (master), get KEY (replica), role (ROLE on the replica
client: its first element), masterrole (ROLE on the master client),
discover (the master and replicas the Sentinel object finds), quit.
"""

import json
import sys

try:
    import redis
    from redis.sentinel import Sentinel
except ImportError as e:  # the test skips on this
    print(json.dumps({"ready": False, "error": f"cannot import redis: {e}"}), flush=True)
    sys.exit(3)

TIMEOUT = 0.5


def main() -> None:
    service = sys.argv[1]
    nodes = []
    for a in sys.argv[2:]:
        host, port = a.rsplit(":", 1)
        nodes.append((host, int(port)))
    sentinel = Sentinel(nodes, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    master = sentinel.master_for(service, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, decode_responses=True)
    replica = sentinel.slave_for(service, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, decode_responses=True)

    def run(op: str, args: list):
        if op == "set":
            return master.set(args[0], args[1])
        if op == "get":
            return replica.get(args[0])
        if op == "role":
            return replica.execute_command("ROLE")[0]
        if op == "masterrole":
            return master.execute_command("ROLE")[0]
        if op == "discover":
            host, port = sentinel.discover_master(service)
            return {
                "master": [host, int(port)],
                "replicas": [[h, int(p)] for h, p in sentinel.discover_slaves(service)],
            }
        raise ValueError(f"unknown op {op!r}")

    print(json.dumps({"ready": True, "version": redis.__version__}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        if req.get("op") == "quit":
            break
        try:
            value = run(req["op"], req.get("args", []))
            out = {"id": req["id"], "ok": True, "value": value}
        except Exception as e:  # every failure goes back to the test
            out = {"id": req["id"], "ok": False, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
