"""Label Studio's side: the anchor run unchanged, with the PSS of its process tree sampled from here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.park.procs import Memory, tree
from bench.versus.anchor import ANCHOR

LS_PYTHON = "/tmp/ls-venv/bin/python"
LS_PIDFILE = "/tmp/ls-data/label-studio.pid"


def ls_run(args) -> dict:
    """The anchor, unchanged: fresh LS, its bench.py; PSS of its process tree sampled from here."""
    # Importing this project's config (the stack's defaults) names its settings in the
    # environment; Label Studio must not inherit them.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    if not Path(LS_PYTHON).exists() or args.ls_setup:
        subprocess.run([str(ANCHOR / "setup.sh")], check=True, stdout=subprocess.DEVNULL, env=env)
    subprocess.run([str(ANCHOR / "start.sh"), "--fresh"], check=True, stdout=sys.stderr, env=env)  # stdout: the JSON
    results = Path(args.out) / f"ls-results-{args.n}.json"
    load_before = os.getloadavg()
    try:
        time.sleep(5)  # run.sh's settle
        pid = int(Path(LS_PIDFILE).read_text())
        # Phase ends as bench.py prints them: "[3]" import done, "[4]" sequential, "[5]" concurrent, ...
        after = {"[2]": "import", "[3]": "annotate_sequential", "[4]": "annotate_concurrent",
                 "[5]": "next_stream", "[6]": "export"}
        with Memory(lambda: {"server": tree(pid)}) as memory:
            bench = subprocess.Popen([LS_PYTHON, str(ANCHOR / "bench.py"), "--n", str(args.n),
                                      "--results", str(results), "--out", str(Path(args.out) / "ls-scratch")],
                                     stdout=subprocess.PIPE, text=True, cwd=str(ANCHOR), env=env)
            for line in bench.stdout:
                print("[ls] " + line.rstrip(), file=sys.stderr, flush=True)
                if line.strip()[:3] in after:
                    memory.set_phase(after.pop(line.strip()[:3]))
            bench.wait()
    finally:
        subprocess.run([str(ANCHOR / "stop.sh")], stdout=sys.stderr, env=env)
    res = json.loads(results.read_text())
    res["memory_pss"] = memory.report()
    res["load_average_before"], res["load_average_after"] = load_before, os.getloadavg()
    return res
