"""The leaderboard index contract: every adapter keeps boards in the same order with the same ranks."""

from __future__ import annotations

import asyncio
import random
import threading

import pytest

from shared.storage import Ranking, RankKey
from shared.storage.base import MAX_RANK_VALUE
from shared.storage.layout import rank_board
from tests.support.store_adapters import same_data

BOARD = rank_board("player", "Score", 0)


def expected_order(entries: dict[str, tuple[int, str]]) -> list[Ranking]:
    """The board's order by the rule itself: value DESC, tiebreak ASC, entity id ASC."""
    ordered = sorted(entries.items(), key=lambda item: (-item[1][0], item[1][1], item[0]))
    return [Ranking(entity_id, value, i) for i, (entity_id, (value, _)) in enumerate(ordered)]


def whole_board(run, board: str = BOARD) -> list[Ranking]:
    return run(run.store.rank_range(board, 0, 10_000))


def test_entries_come_best_first_with_their_positions(run):
    for i, value in enumerate([5, 100, -3, 42, 0]):
        run(run.store.put_rank(BOARD, f"P{i}", value, "t", 1))
    assert whole_board(run) == [
        Ranking("P1", 100, 0),
        Ranking("P3", 42, 1),
        Ranking("P0", 5, 2),
        Ranking("P4", 0, 3),
        Ranking("P2", -3, 4),
    ]
    assert run(run.store.rank_count(BOARD)) == 5
    assert run(run.store.rank_of(BOARD, "P0")) == Ranking("P0", 5, 2)
    assert run(run.store.rank_range(BOARD, 1, 2)) == [Ranking("P3", 42, 1), Ranking("P0", 5, 2)]


def test_ties_go_by_tiebreak_then_entity_id(run):
    entries = {
        "B": (7, "2026-01-02"),
        "A": (7, "2026-01-02"),
        "C": (7, "2026-01-01"),
        "D": (9, "2026-12-31"),
        "E": (7, "2025-06-30"),
    }
    for entity_id, (value, tiebreak) in entries.items():
        run(run.store.put_rank(BOARD, entity_id, value, tiebreak, 1))
    assert [r.entity_id for r in whole_board(run)] == ["D", "E", "C", "A", "B"]
    assert whole_board(run) == expected_order(entries)
    for ranking in expected_order(entries):
        assert run(run.store.rank_of(BOARD, ranking.entity_id)) == ranking


def test_an_older_seq_never_replaces_a_newer_one(run):
    run(run.store.put_rank(BOARD, "P", 10, "t2", 2))
    run(run.store.put_rank(BOARD, "P", 99, "t1", 1))  # arrived late: older
    run(run.store.put_rank(BOARD, "P", 98, "t1", 2))  # same seq: not newer
    assert run(run.store.rank_of(BOARD, "P")) == Ranking("P", 10, 0)
    run(run.store.put_rank(BOARD, "Q", 20, "t", 1))
    assert run(run.store.rank_of(BOARD, "P")) == Ranking("P", 10, 1)
    run(run.store.put_rank(BOARD, "P", 30, "t3", 3))  # newer: moves P ahead of Q
    assert whole_board(run) == [Ranking("P", 30, 0), Ranking("Q", 20, 1)]
    assert run(run.store.rank_count(BOARD)) == 2


def test_delete_removes_the_entry_and_absent_is_fine(run):
    for i in range(4):
        run(run.store.put_rank(BOARD, f"P{i}", i, "t", 1))
    run(run.store.delete_rank(BOARD, "P2"))
    run(run.store.delete_rank(BOARD, "P2"))
    run(run.store.delete_rank(BOARD, "never"))
    run(run.store.delete_rank(rank_board("player", "Nothing", 0), "P1"))
    assert whole_board(run) == [Ranking("P3", 3, 0), Ranking("P1", 1, 1), Ranking("P0", 0, 2)]
    assert run(run.store.rank_of(BOARD, "P2")) is None
    assert run(run.store.rank_count(BOARD)) == 3
    for i in (0, 1, 3):
        run(run.store.delete_rank(BOARD, f"P{i}"))
    assert whole_board(run) == []
    assert run(run.store.rank_count(BOARD)) == 0
    run(run.store.put_rank(BOARD, "P2", 5, "t", 1))  # a deleted entry may come back
    assert whole_board(run) == [Ranking("P2", 5, 0)]


def test_ranges_past_the_end_and_empty_ranges(run):
    for i in range(3):
        run(run.store.put_rank(BOARD, f"P{i}", i, "t", 1))
    assert run(run.store.rank_range(BOARD, 3, 10)) == []
    assert run(run.store.rank_range(BOARD, 1_000_000, 10)) == []
    assert run(run.store.rank_range(BOARD, 2, 10)) == [Ranking("P0", 0, 2)]
    assert run(run.store.rank_range(BOARD, 0, 0)) == []
    assert run(run.store.rank_range(rank_board("player", "Nothing", 0), 0, 10)) == []
    with pytest.raises(ValueError):
        run(run.store.rank_range(BOARD, -1, 10))
    with pytest.raises(ValueError):
        run(run.store.rank_range(BOARD, 0, -1))


def test_rank_of_an_absent_entity_or_board_is_none(run):
    run(run.store.put_rank(BOARD, "P", 1, "t", 1))
    assert run(run.store.rank_of(BOARD, "Q")) is None
    assert run(run.store.rank_of(rank_board("player", "Score", 1), "P")) is None
    assert run(run.store.rank_count(rank_board("player", "Score", 1))) == 0


def test_boards_are_separate(run):
    boards = [
        rank_board("player", "Score", 0),
        rank_board("player", "Score", 1),
        rank_board("character", "Score", 0),
        rank_board("player", "Score!0!x", 0),
    ]
    assert len(set(boards)) == len(boards)
    for i, board in enumerate(boards):
        run(run.store.put_rank(board, "P", i, "t", 1))
        run(run.store.put_rank(board, f"only-{i}", 100, "t", 1))
    for i, board in enumerate(boards):
        assert whole_board(run, board) == [Ranking(f"only-{i}", 100, 0), Ranking("P", i, 1)]


def test_values_are_whole_numbers_cosmos_orders_exactly(run):
    run(run.store.put_rank(BOARD, "max", MAX_RANK_VALUE, "t", 1))
    run(run.store.put_rank(BOARD, "min", -MAX_RANK_VALUE, "t", 1))
    assert whole_board(run) == [Ranking("max", MAX_RANK_VALUE, 0), Ranking("min", -MAX_RANK_VALUE, 1)]
    for bad in (MAX_RANK_VALUE + 1, -MAX_RANK_VALUE - 1, 1.5, True):
        with pytest.raises(ValueError):
            run(run.store.put_rank(BOARD, "bad", bad, "t", 1))
    assert run(run.store.rank_of(BOARD, "bad")) is None


def test_ids_and_tiebreaks_any_text(run):
    entries = {name: (1, tiebreak) for name, tiebreak in [("a/b", "x?y"), ("100%", ""), ("ünï ✓", "#"), ("q#?", "\\")]}
    for entity_id, (value, tiebreak) in entries.items():
        run(run.store.put_rank(BOARD, entity_id, value, tiebreak, 1))
    assert whole_board(run) == expected_order(entries)
    for ranking in expected_order(entries):
        assert run(run.store.rank_of(BOARD, ranking.entity_id)) == ranking
    run(run.store.delete_rank(BOARD, "a/b"))
    assert run(run.store.rank_of(BOARD, "a/b")) is None


def test_a_board_of_many_entries_matches_the_rule_through_puts_moves_and_deletes(run):
    # Enough entries and churn to cut a board into many blocks, then merge them again (SQLite).
    rng = random.Random(14)
    entries: dict[str, tuple[int, str]] = {}
    seqs: dict[str, int] = {}

    async def churn(steps: int, ids: int, deletes: float) -> None:
        for _ in range(steps):
            entity_id = f"E{rng.randrange(ids):05d}"
            if rng.random() < deletes:
                entries.pop(entity_id, None)
                await run.store.delete_rank(BOARD, entity_id)
            else:
                entries[entity_id] = (rng.randrange(60), f"{rng.randrange(4)}")
                seqs[entity_id] = seqs.get(entity_id, 0) + 1
                await run.store.put_rank(BOARD, entity_id, *entries[entity_id], seqs[entity_id])

    def check() -> None:
        expected = expected_order(entries)
        assert run(run.store.rank_count(BOARD)) == len(expected)
        assert whole_board(run) == expected
        for start in (0, 1, 255, 256, 511, 512, 513, len(expected) - 1, len(expected)):
            assert run(run.store.rank_range(BOARD, max(0, start), 7)) == expected[max(0, start) : max(0, start) + 7]
        for ranking in rng.sample(expected, min(40, len(expected))):
            assert run(run.store.rank_of(BOARD, ranking.entity_id)) == ranking
        for ranking in rng.sample(expected, min(10, len(expected))):
            start = max(0, ranking.position - 3)
            assert run(run.store.rank_window(BOARD, ranking.entity_id, 3, 7)) == expected[start : start + 7]

    run(churn(2600, 1500, 0.1))
    check()
    run(churn(2400, 1500, 0.8))
    check()


def test_parallel_writers_lose_nothing(run):
    # Separate store instances (as separate processes hold), each on its own thread and event loop,
    # released together: every entity's entry lands, and of one entity's writes the newest seq wins.
    writers, per_writer = 4, 25
    barrier = threading.Barrier(writers)
    failures: list[BaseException] = []

    async def write(n: int) -> None:
        async with same_data(run.store) as store:
            await asyncio.to_thread(barrier.wait)
            for i in range(per_writer):
                await store.put_rank(BOARD, f"W{n}-{i:02d}", n * 1000 + i, "t", 1)
                await store.put_rank(BOARD, "shared", 10 * i + n, f"{n}", 10 * i + n)

    def thread(n: int) -> None:
        try:
            asyncio.run(write(n))
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=thread, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures and not any(t.is_alive() for t in threads)
    entries = {f"W{n}-{i:02d}": (n * 1000 + i, "t") for n in range(writers) for i in range(per_writer)}
    newest = 10 * (per_writer - 1) + writers - 1
    entries["shared"] = (newest, f"{writers - 1}")
    assert run(run.store.rank_count(BOARD)) == len(entries)
    assert whole_board(run) == expected_order(entries)


def test_put_ranks_in_bulk_is_put_rank_for_each(run):
    run(run.store.put_rank(BOARD, "E0003", 500, "t", 9))  # newer than the bulk's write of it
    entries = [(f"E{i:04d}", (i * 7919) % 1000, f"{i % 3}", 1) for i in range(1200)]
    run(run.store.put_ranks(BOARD, entries))
    expected = {entity_id: (value, tiebreak) for entity_id, value, tiebreak, _ in entries}
    expected["E0003"] = (500, "t")
    assert run(run.store.rank_count(BOARD)) == 1200
    assert run(run.store.rank_range(BOARD, 600, 30)) == expected_order(expected)[600:630]
    assert run(run.store.rank_of(BOARD, "E0003")) == next(r for r in expected_order(expected) if r.entity_id == "E0003")
    # Single writes on a board written in bulk: moves up and down, deletes, a newcomer.
    for i, value in ((5, 2000), (6, -1), (7, 999)):
        run(run.store.put_rank(BOARD, f"E{i:04d}", value, "u", 2))
        expected[f"E{i:04d}"] = (value, "u")
    for i in range(100, 700, 3):
        run(run.store.delete_rank(BOARD, f"E{i:04d}"))
        del expected[f"E{i:04d}"]
    run(run.store.put_rank(BOARD, "new", 500, "a", 1))
    expected["new"] = (500, "a")
    assert whole_board(run) == expected_order(expected)
    assert run(run.store.rank_of(BOARD, "new")) == next(r for r in expected_order(expected) if r.entity_id == "new")
    with pytest.raises(ValueError):
        run(run.store.put_ranks(BOARD, [("E9999", 1, "t", 1), ("bad", 0.5, "t", 1)]))


def test_a_window_around_an_entity(run):
    entries = {f"P{i:02d}": (100 - i, "t") for i in range(30)}
    run(run.store.put_ranks(BOARD, [(e, v, t, 1) for e, (v, t) in entries.items()]))
    board = expected_order(entries)
    assert run(run.store.rank_window(BOARD, "P15", 5, 11)) == board[10:21]
    assert run(run.store.rank_window(BOARD, "P02", 5, 11)) == board[0:11]  # near the top: from the top
    assert run(run.store.rank_window(BOARD, "P28", 5, 11)) == board[23:30]  # near the bottom: what there is
    assert run(run.store.rank_window(BOARD, "P15", 5, 3)) == board[10:13]  # all ahead of it
    assert run(run.store.rank_window(BOARD, "P15", 0, 2)) == board[15:17]
    assert run(run.store.rank_window(BOARD, "P15", 5, 0)) == []
    assert run(run.store.rank_window(BOARD, "nobody", 5, 11)) == []
    with pytest.raises(ValueError):
        run(run.store.rank_window(BOARD, "P15", -1, 11))


def _keys(entries: dict[str, tuple[int, str]]) -> list[RankKey]:
    return sorted(
        (RankKey(v, t, e) for e, (v, t) in entries.items()), key=lambda k: (-k.value, k.tiebreak, k.entity_id)
    )


def test_paging_by_key_visits_every_entry_once_in_order(run):
    rng = random.Random(17)
    entries = {f"E{i:04d}": (rng.randrange(5), f"{rng.randrange(3)}") for i in range(300)}
    run(run.store.put_ranks(BOARD, [(e, v, t, 1) for e, (v, t) in entries.items()]))
    seen: list[RankKey] = []
    cursor: RankKey | None = None
    while page := run(run.store.rank_after(BOARD, cursor, 37)):
        assert len(page) <= 37
        seen += page
        cursor = page[-1]
    assert seen == _keys(entries)
    assert run(run.store.rank_after(BOARD, None, 0)) == []
    assert run(run.store.rank_after(rank_board("player", "Other", 0), None, 5)) == []
    with pytest.raises(ValueError):
        run(run.store.rank_after(BOARD, None, -1))


def test_paging_by_key_goes_on_from_a_deleted_cursor_and_sees_later_arrivals_after_it(run):
    run(run.store.put_ranks(BOARD, [(f"E{i}", 0, "", 1) for i in range(1, 10)]))
    first = run(run.store.rank_after(BOARD, None, 3))
    assert [k.entity_id for k in first] == ["E1", "E2", "E3"]
    run(run.store.delete_rank(BOARD, "E3"))  # the cursor's own entry is gone: the next page starts after it
    run(run.store.put_rank(BOARD, "E0", 0, "", 1))  # before the cursor: not seen again by this walk
    run(run.store.put_rank(BOARD, "E55", 0, "", 1))  # after it: seen
    rest = run(run.store.rank_after(BOARD, first[-1], 100))
    assert [k.entity_id for k in rest] == ["E4", "E5", "E55", "E6", "E7", "E8", "E9"]


def test_insert_rank_adds_once_and_keeps_what_is_there(run):
    run(run.store.insert_rank(BOARD, "A", 0, ""))
    run(run.store.put_rank(BOARD, "B", 7, "t", 3))
    run(run.store.insert_rank(BOARD, "B", 0, ""))  # present already: kept as it is
    run(run.store.insert_rank(BOARD, "A", 9, "x"))  # twice: the first stays
    assert whole_board(run) == [Ranking("B", 7, 0), Ranking("A", 0, 1)]
    run(run.store.put_rank(BOARD, "A", 1, "y", 2))  # an inserted entry is seq 1: a newer write replaces it
    assert run(run.store.rank_of(BOARD, "A")) == Ranking("A", 1, 1)
    with pytest.raises(ValueError):
        run(run.store.insert_rank(BOARD, "C", MAX_RANK_VALUE + 1, ""))
