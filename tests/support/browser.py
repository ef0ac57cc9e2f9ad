"""Headless Chromium through Selenium (Debian's chromium and chromedriver), for the tests that drive a page."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.ci import unavailable

PHONE = (360, 740)
DESKTOP = (1280, 900)


@contextmanager
def chromium(size: tuple[int, int] = PHONE, purpose: str = "the browser tests") -> Iterator[Any]:
    """One headless Chromium window of `size`; skipped where Chromium is missing, failed so in CI."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver_path:
        unavailable(f"chromium and chromedriver are needed for {purpose} (apt-get install chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--ignore-certificate-errors"):
        options.add_argument(argument)
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
