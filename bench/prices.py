"""What a million calls would cost on Azure, from this run's figures and Azure's pay-as-you-go prices.

Prices (USD, East US, read 2026-12-03; they change, and vary by region): Functions Flex Consumption on
demand, $0.000026 per GB-s of configured instance memory while it executes and $0.40 per million
executions, after a monthly grant of 100,000 GB-s and 250,000 executions (left out here: it is a
fixed amount, not a rate); an instance's billed activity is at least 1,000 ms, then in 100 ms steps.
Cosmos DB serverless, $0.25 per million request units (storage, $0.25 per GB-month, is left out).

Two figures for Functions, since billing counts an instance's active time, not each call's:
- busy: calls keep the instance active back to back (many per instance at once), so a million calls
  are billed for the CPU time they take, `cpu_ms_per_call` of this run on this machine;
- alone: every call arrives on an idle instance and is billed its own 1,000 ms minimum.
Both at the 2,048 MB instance size (Flex Consumption's default). Cosmos DB's part is the run's
`ru_estimate` per call (bench/costs.py), so it exists only for scenarios the emulator ran.
"""

from __future__ import annotations

from typing import Any, Final

PRICES_READ: Final = "2026-12-03"
GB_SECOND_USD: Final = 0.000026
EXECUTIONS_USD_PER_MILLION: Final = 0.40
RU_USD_PER_MILLION: Final = 0.25
INSTANCE_GB: Final = 2.0
MINIMUM_SECONDS: Final = 1.0
MILLION: Final = 1_000_000
# What the table shows: the calls a game makes most, one row each (at 16 connections, the busy case).
PRICED: Final = ("user data update", "user data read", "login", "title data read", "statistics update")


def per_million(row: dict[str, Any]) -> dict[str, Any]:
    cpu_seconds = row["cpu_ms_per_call"] / 1000
    busy = MILLION * cpu_seconds * INSTANCE_GB * GB_SECOND_USD + EXECUTIONS_USD_PER_MILLION
    alone = MILLION * MINIMUM_SECONDS * INSTANCE_GB * GB_SECOND_USD + EXECUTIONS_USD_PER_MILLION
    ru = row.get("ru_estimate")
    cosmos = None if ru is None else ru * RU_USD_PER_MILLION
    return {
        "name": row["name"],
        "endpoint": row["endpoint"],
        "functions_busy_usd": round(busy, 2),
        "functions_alone_usd": round(alone, 2),
        "cosmos_usd": None if cosmos is None else round(cosmos, 2),
        "total_busy_usd": None if cosmos is None else round(busy + cosmos, 2),
    }


def costs(scenarios: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for name in PRICED:
        row = next((s for s in scenarios if s["name"] == name and s["concurrency"] == 16), None)
        if row is not None:
            rows.append(per_million(row))
    return rows


def table(rows: list[dict[str, Any]]) -> list[str]:
    def usd(value: float | None) -> str:
        return "n/a" if value is None else f"${value:,.2f}"

    lines = [
        f"Per million calls on Azure (USD, prices read {PRICES_READ}; bench/prices.py):",
        "",
        "| Scenario | Endpoint | Functions, busy | Functions, each call alone | Cosmos DB serverless | Busy total |",
        "|---|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['name']} | {r['endpoint']} | {usd(r['functions_busy_usd'])} | {usd(r['functions_alone_usd'])} "
        f"| {usd(r['cosmos_usd'])} | {usd(r['total_busy_usd'])} |"
        for r in rows
    ]
    return lines
