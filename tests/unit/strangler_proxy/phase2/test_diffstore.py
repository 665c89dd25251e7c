"""SQLite specifics of the diff store: WAL mode and several writer processes.

The store's behaviour (counters, examples, caps, redaction) is tested once for every backend
in ``tests/unit/strangler_proxy/state/test_diff_stores.py``.
"""

import sqlite3
import subprocess
import sys

from strangler_proxy.diffstore import SqliteDiffStore


def test_several_processes_write_to_one_file(tmp_path):
    path = tmp_path / "shared.db"
    SqliteDiffStore(path).close()
    script = (
        "import sys\n"
        "from strangler_proxy.compare import CompareRules, Comparison\n"
        "from strangler_proxy.diffstore import SqliteDiffStore\n"
        "s = SqliteDiffStore(sys.argv[1])\n"
        "ok = Comparison(match=True, differences=(), body_kind='json')\n"
        "for _ in range(200):\n"
        "    s.record_comparison('r', ok, primary_ms=1.0, candidate_ms=1.0)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path)]) for _ in range(3)]
    assert [p.wait(60) for p in procs] == [0, 0, 0]
    (summary,) = SqliteDiffStore(path).summary("r")
    assert summary.compared == 600 and summary.matched == 600
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
