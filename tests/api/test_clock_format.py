"""PlayFab's DateTime text: UTC, milliseconds cut (never rounded up into the next second), a Z."""

import pytest

from shared.config.clock import iso


@pytest.mark.parametrize(
    ("ts", "text"),
    [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1.9996, "1970-01-01T00:00:01.999Z"),  # cut, not rounded to 02.000
        (1764876543.25, "2025-12-04T19:29:03.250Z"),
        (253402300799.9995, "9999-12-31T23:59:59.999Z"),
    ],
)
def test_iso_is_playfabs_datetime_text(ts, text):
    assert iso(ts) == text
