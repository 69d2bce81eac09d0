#!/usr/bin/env python3
# fuzz/make-frame-seeds.py - writes the seed corpora of fuzz-frame and fuzz-validate
# (fuzz/corpus/frame/, fuzz/corpus/validate/): real envelopes of docs/realnet.md's messages,
# as a Unix-socket peer sends them (mode 0), signed with fuzz-realnet.c's fixed key at the
# harness's fixed clock (mode 1), and as text for the harness to sign (mode 2).
# Usage: python3 fuzz/make-frame-seeds.py   (rewrites the files; deterministic)
import hashlib, hmac, json, os

NOW = 1764121234
KEY = bytes((0x11 * (i + 1)) & 0xff for i in range(32))
HERE = os.path.dirname(os.path.abspath(__file__))

bodies = {
    "submit": {"name": "wrap", "script": "#!/bin/sh\nsleep 1\n", "workdir": "/home/alice",
               "environment": ["PATH=/usr/bin"], "ntasks": 4, "cpus_per_task": 1,
               "time_limit": 600, "mem_per_cpu_mb": 250, "array": "0-9%2",
               "dependency": "afterok:12", "hold": False, "nice": 0, "gpus_per_node": 2},
    "alloc": {"workdir": "/tmp", "interactive": {"argv": ["hostname"], "label": True}},
    "job_list": {"job_ids": ["12", "7_3"], "users": ["alice"], "states": ["PENDING"],
                 "expand_arrays": True},
    "node_list": {"nodes": ["n1", "n2"]},
    "part_list": {},
    "config": {},
    "ping": {},
    "cancel": {"job_ids": ["12", "7_3", "7"], "user": "alice", "signal": 15},
    "update_job": {"job_id": "12", "time_limit": -1, "hold": True},
    "update_node": {"nodes": "n[1-2]", "state": "DRAIN", "reason": "maintenance"},
    "acct_query": {"users": ["bob"], "start": 0, "end": NOW},
    "step": {"job_id": 9, "argv": ["hostname"], "ntasks": 2, "label": False},
    "register": {"name": "n1", "port": 17003, "cpus": 16, "real_memory": 4000, "gpus": 2,
                 "boot_time": NOW - 100, "running": [9, 10]},
    "heartbeat": {"name": "n1", "load": 0.5, "free_mem": 2000, "running": [9]},
    "job_exit": {"job_id": 9, "state": "COMPLETED", "exit_code": 0, "signal": 0,
                 "cpu_seconds": 0.01, "max_rss_kb": 1200, "end_time": NOW},
    "io": {"job_id": 9, "step_id": 0, "task": 1, "stream": "out", "data": "hello\n"},
    "task_exit": {"job_id": 9, "step_id": 0, "task": 1, "exit_code": 0, "signal": 0,
                  "node": "n1"},
    "signal": {"job_id": 9, "signal": 15, "cancel": True},
    "launch": {"job_id": 9, "user": "root", "uid": 0, "gid": 0, "script": "#!/bin/sh\n",
               "node_names": ["n1"], "gpu_ids": [0, 1], "tasks_per_node": "16,4"},
    "error": {"code": 2017, "error": "Invalid job id specified"},
}


def envelope(mtype, seq, body, signed):
    env = {"v": 1, "type": mtype, "seq": seq, "body": body}
    if signed:
        env["auth"] = {"uid": 1000, "gid": 1000, "ts": NOW,
                       "nonce": hashlib.md5(f"{mtype}{seq}".encode()).hexdigest()}
    return json.dumps(env, separators=(",", ":")).encode()


def write(sub, name, data):
    with open(os.path.join(HERE, "corpus", sub, name), "wb") as f:
        f.write(data)


for seq, (mtype, body) in enumerate(sorted(bodies.items()), 1):
    write("frame", f"{mtype}-unix", b"\x00\x00" + envelope(mtype, seq, body, False))
    text = envelope(mtype, seq, body, True)
    mac = hmac.new(KEY, b"\x01" + text, hashlib.sha256).digest()
    write("frame", f"{mtype}-signed", b"\x01\x01" + text + mac)
    write("frame", f"{mtype}-tosign", b"\x02" + text)
    write("validate", mtype, mtype.encode() + b"\n" + json.dumps(body).encode())
write("frame", "deep-tosign", b"\x02" + b'{"v":1,"type":"ping","body":{"a":' + b"[" * 40 + b"]" * 40 + b"}}")
write("frame", "noauth-tosign", b'\x02{"v":1,"type":"ping","seq":1}')
write("frame", "string-escapes-unix", b'\x00\x00{"v":1,"type":"p\\u00e9ng","body":{"x":"\\"[{\\\\"}}')
