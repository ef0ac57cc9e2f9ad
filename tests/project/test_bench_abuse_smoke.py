"""The abuse run works end to end on tiny bounds. No timing is asserted, only what it reports."""

import json
import subprocess
import sys

from tests.support.server import REPO


def test_abuse_run_reports_both_phases(tmp_path):
    out = tmp_path / "abuse.json"
    command = [sys.executable, "-m", "bench.abuse", "--seconds", "0.5", "--rounds", "1", "--limits", "on"]
    done = subprocess.run([*command, "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    [run] = json.loads(out.read_text())
    assert run["limits"] == "on" and run["quiet_p50_ms"] > 0 and run["abuse_p50_ms"] > 0
    assert set(run["abusers"]) == {
        "create groups",
        "write 1 MB group",
        "non-member reads",
        "create accounts",
        "350k-key logins",
    }
    assert "victim GetUserData p50" in done.stdout
