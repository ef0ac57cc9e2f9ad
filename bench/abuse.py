"""Abuse run: does one abusive player plus one abusive address slow everybody else down?

python -m bench.abuse [--seconds S] [--limits on|off|both] [--out FILE]

A victim player reads its own data (`Client/GetUserData`, one connection, back to back) first on a
quiet host, then while, from the same machine:
  - one player creates shared groups as fast as it can and rewrites a ~900 KB group from 4 connections;
  - another player (not a member) reads that group's Public keys;
  - one address creates accounts (2 connections) and sends ~3.9 MB logins with 350,000 ignored keys
    (3 connections).
Each phase is bounded by time and by request count. The figure is the victim's p50 under abuse over
its quiet p50. With `--limits off` the same run shows what the host does without its limits (the
test hosts' setting). Load and host share the machine's cores, as in `make bench`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.servers import SECRET_KEY, SIGNING_KEY, TITLE_ID
from local_host.process import HostProcess, isolated_env, running_host

MAX_CALLS = 20_000  # per thread and phase, whatever --seconds says
JSON = {"Content-Type": "application/json"}


def _post(client: httpx.Client, path: str, body: bytes, headers: dict[str, str]) -> int:
    resp = client.post(path, content=body, headers={**JSON, **headers})
    return resp.status_code


class Server(HostProcess):
    """The host, with the JSON calls that set up a run."""

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.post(self.url + path, json=body, headers=headers or {}, timeout=30)


def _login(server: Server) -> dict[str, Any]:
    body = {"TitleId": TITLE_ID, "CustomId": f"abuse-{uuid.uuid4()}", "CreateAccount": True}
    data: dict[str, Any] = server.post("/Client/LoginWithCustomID", body).json()["data"]
    return data


class Abuser(threading.Thread):
    """Sends `next_call()` until the deadline (or MAX_CALLS), counting HTTP statuses."""

    def __init__(self, name: str, url: str, next_call: Callable[[], tuple[str, bytes, dict[str, str]]]) -> None:
        super().__init__(name=name, daemon=True)
        self.url, self.next_call = url, next_call
        self.statuses: Counter[int] = Counter()
        self.deadline = 0.0
        self.start_gate: threading.Barrier | None = None

    def run(self) -> None:
        assert self.start_gate is not None
        with httpx.Client(base_url=self.url, timeout=60) as client:
            self.start_gate.wait(timeout=60)
            for _ in range(MAX_CALLS):
                if time.monotonic() >= self.deadline:
                    break
                path, body, headers = self.next_call()
                try:
                    self.statuses[_post(client, path, body, headers)] += 1
                except httpx.HTTPError:
                    self.statuses[0] += 1


def _victim_p50(url: str, ticket: str, seconds: float, ready: threading.Barrier | None = None) -> tuple[float, int]:
    samples: list[float] = []
    body = json.dumps({"Keys": ["save"]}).encode()
    with httpx.Client(base_url=url, timeout=60) as client:
        _post(client, "/Client/GetUserData", body, {"X-Authorization": ticket})  # connection warm
        if ready is not None:
            ready.wait(timeout=60)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(samples) < MAX_CALLS:
            started = time.perf_counter()
            status = _post(client, "/Client/GetUserData", body, {"X-Authorization": ticket})
            samples.append((time.perf_counter() - started) * 1000)
            assert status == 200, status
    return statistics.median(samples), len(samples)


def _cast(server: Server) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The abusive player, the non-member reader and the group, made before any abuse starts."""
    attacker, reader = _login(server), _login(server)
    group_id = f"abuse-{uuid.uuid4()}"
    server.post(
        "/Client/CreateSharedGroup", {"SharedGroupId": group_id}, {"X-Authorization": attacker["SessionTicket"]}
    )
    return attacker, reader, group_id


def _abusers(server: Server, attacker: dict[str, Any], reader: dict[str, Any], group_id: str) -> list[Abuser]:
    hostile = {"X-Authorization": attacker["SessionTicket"]}
    big = {f"k{n}": "x" * 290_000 for n in range(3)}  # ~870 KB: under the 1 MB per group
    write = json.dumps({"SharedGroupId": group_id, "Data": big, "Permission": "Public"}).encode()
    read = json.dumps({"SharedGroupId": group_id}).encode()
    ignored = {f"k{n}": 0 for n in range(350_000)}
    heavy_login = json.dumps(
        {"TitleId": TITLE_ID, "CustomId": "heavy", "CreateAccount": True, **ignored}, separators=(",", ":")
    ).encode()

    def new_account() -> tuple[str, bytes, dict[str, str]]:
        body = {"TitleId": TITLE_ID, "CustomId": f"sybil-{uuid.uuid4()}", "CreateAccount": True}
        return "/Client/LoginWithCustomID", json.dumps(body).encode(), {}

    made = [
        Abuser("create groups", server.url, lambda: ("/Client/CreateSharedGroup", b"{}", hostile)),
        *(
            Abuser("write 1 MB group", server.url, lambda: ("/Client/UpdateSharedGroupData", write, hostile))
            for _ in range(4)
        ),
        Abuser(
            "non-member reads",
            server.url,
            lambda: ("/Client/GetSharedGroupData", read, {"X-Authorization": reader["SessionTicket"]}),
        ),
        *(Abuser("create accounts", server.url, new_account) for _ in range(2)),
        *(
            Abuser("350k-key logins", server.url, lambda: ("/Client/LoginWithCustomID", heavy_login, {}))
            for _ in range(3)
        ),
    ]
    return made


def _abuse_phase(server: Server, ticket: str, seconds: float, abusers: list[Abuser]) -> tuple[float, int]:
    gate = threading.Barrier(len(abusers) + 1)
    deadline = time.monotonic() + seconds + 30  # start-up slack; stopped as soon as the victim is done
    for abuser in abusers:
        abuser.start_gate, abuser.deadline = gate, deadline
        abuser.start()
    try:
        return _victim_p50(server.url, ticket, seconds, ready=gate)
    finally:
        for abuser in abusers:
            abuser.deadline = 0
        for abuser in abusers:
            abuser.join(timeout=120)


def run_once(limits: str, seconds: float, rounds: int, only: list[str] | None = None) -> dict[str, Any]:
    """Quiet and abuse phases in turn, `rounds` times: on a shared machine the other load then falls
    on both alike, and the medians of the phases' p50s are compared."""
    quiet: list[float] = []
    loud: list[float] = []
    samples = Counter[str]()
    per_kind: dict[str, Counter[int]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-abuse-") as tmp:
        root = Path(tmp)
        # Refusals keep the host's own delay, as in production.
        env = isolated_env(root, TITLE_ID, SECRET_KEY, SIGNING_KEY, RATE_LIMITS="client" if limits == "on" else "off")
        with running_host(Server, root, env) as server:
            victim = _login(server)
            ticket = victim["SessionTicket"]
            server.post("/Client/UpdateUserData", {"Data": {"save": "level 3"}}, {"X-Authorization": ticket})
            cast = _cast(server)
            for _ in range(rounds):
                p50, n = _victim_p50(server.url, ticket, seconds)
                quiet.append(p50)
                samples["quiet"] += n
                abusers = [a for a in _abusers(server, *cast) if not only or a.name in only]
                p50, n = _abuse_phase(server, ticket, seconds, abusers)
                loud.append(p50)
                samples["abuse"] += n
                for abuser in abusers:
                    per_kind.setdefault(abuser.name, Counter()).update(abuser.statuses)
            still = server.post("/Server/GetSharedGroupData", {"SharedGroupId": cast[2]}, {"X-SecretKey": SECRET_KEY})
            assert still.status_code == 200  # still serving
            db_bytes = sum(p.stat().st_size for p in root.glob("playfab.sqlite3*"))
    q, a = statistics.median(quiet), statistics.median(loud)
    return {
        "limits": limits,
        "quiet_p50_ms": round(q, 2),
        "abuse_p50_ms": round(a, 2),
        "ratio": round(a / q, 2),
        "quiet_p50s_ms": [round(x, 2) for x in quiet],
        "abuse_p50s_ms": [round(x, 2) for x in loud],
        "samples": dict(samples),
        "store_bytes_after": db_bytes,
        "abusers": {name: {str(k): v for k, v in sorted(c.items())} for name, c in per_kind.items()},
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.abuse", description=__doc__)
    ap.add_argument("--seconds", type=float, default=4.0, help="length of each quiet and each abuse phase")
    ap.add_argument("--rounds", type=int, default=3, help="quiet/abuse phase pairs per run")
    ap.add_argument("--limits", choices=("on", "off", "both"), default="both")
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    ap.add_argument("--only", action="append", help="only abusers of this kind (repeatable), to find a cost")
    args = ap.parse_args(argv)
    runs = [
        run_once(mode, args.seconds, args.rounds, args.only)
        for mode in (("on", "off") if args.limits == "both" else (args.limits,))
    ]
    for r in runs:
        print(
            f"limits {r['limits']}: victim GetUserData p50 {r['quiet_p50_ms']} ms quiet, {r['abuse_p50_ms']} ms "
            f"under abuse ({r['ratio']}x; medians of {r['quiet_p50s_ms']} and {r['abuse_p50s_ms']}); "
            f"store {r['store_bytes_after'] / 1e6:.1f} MB after"
        )
        for name, statuses in r["abusers"].items():
            print(f"    {name}: {statuses}")
    if args.out:
        args.out.write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
