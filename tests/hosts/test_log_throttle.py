"""A recurring condition is logged once per interval, with a count of what was held back."""

from __future__ import annotations

import asyncio
import errno
import logging

import pytest

from local_host.log_throttle import OncePerInterval, quiet_accept_errors


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_line_per_interval_then_the_count_held_back(caplog: pytest.LogCaptureFixture):
    clock = Clock()
    throttle = OncePerInterval("out of descriptors", interval=60, clock=clock)
    with caplog.at_level(logging.WARNING, logger="playfab.host"):
        for _ in range(500):
            throttle.hit("EMFILE")
        clock.now += 59.9
        throttle.hit("EMFILE")
        assert [r.getMessage() for r in caplog.records] == ["out of descriptors: EMFILE"]
        clock.now += 0.1
        throttle.hit("EMFILE")
    assert caplog.records[-1].getMessage() == "out of descriptors: EMFILE (500 more in the last 60 s)"
    assert len(caplog.records) == 2


def test_accept_failures_are_throttled_and_other_loop_errors_are_not(caplog: pytest.LogCaptureFixture):
    loop = asyncio.new_event_loop()
    try:
        quiet_accept_errors(loop)
        with caplog.at_level(logging.WARNING):
            for _ in range(1000):
                loop.call_exception_handler(
                    {"message": "socket.accept() out of system resource", "exception": OSError(errno.EMFILE, "x")}
                )
            loop.call_exception_handler({"message": "something else"})
    finally:
        loop.close()
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages
    assert messages[0].startswith("cannot accept connections") and "OSError" in messages[0]
    assert "Traceback" not in messages[0]
    assert messages[1] == "something else"
