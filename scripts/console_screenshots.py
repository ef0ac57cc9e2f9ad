"""Screenshots of the console for the README: `.venv/bin/python scripts/console_screenshots.py`.

Starts a throwaway local host on SQLite, seeds a small demo title through the API, signs in to the
console in headless Chromium and saves PNGs of its main pages to docs/console/. Run by hand after
changing the console's look; not part of the tests.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from local_host.process import HostProcess, isolated_env, running_host  # noqa: E402

TITLE_ID = "DEMO1"
SECRET_KEY = "demo-secret-key-for-screenshots-only"
OUT = REPO / "docs" / "console"
DESKTOP = (1280, 900)
PHONE = (360, 740)

NAMES = ["Mira", "Tobias", "Ines", "Kenji", "Ada", "Leon", "Sofia", "Ravi", "Noor", "Elias", "Yuki", "Marta"]


class Demo:
    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, path: str, body: dict[str, Any], key: bool = True) -> dict[str, Any]:
        headers = {"X-SecretKey": SECRET_KEY} if key else {}
        envelope: dict[str, Any] = httpx.post(f"{self.url}/{path}", json=body, headers=headers, timeout=30).json()
        if envelope.get("code") != 200:
            raise RuntimeError(f"{path}: {envelope}")
        data: dict[str, Any] = envelope["data"]
        return data

    def player(self, name: str) -> str:
        login = {"TitleId": TITLE_ID, "CustomId": f"device-{name.lower()}", "CreateAccount": True}
        playfab_id: str = self.call("Client/LoginWithCustomID", login, key=False)["PlayFabId"]
        self.call("Admin/UpdateUserTitleDisplayName", {"PlayFabId": playfab_id, "DisplayName": name})
        return playfab_id

    def seed(self) -> dict[str, str]:
        ids = {name: self.player(name) for name in NAMES}
        mira = ids["Mira"]
        self.call(
            "Admin/UpdateUserData",
            {"PlayFabId": mira, "Data": {"settings": '{"music": 0.4, "subtitles": true}', "tutorial": "done"}},
        )
        self.call("Admin/UpdateUserData", {"PlayFabId": mira, "Data": {"lastLevel": "7-2"}, "Permission": "Public"})
        self.call("Admin/UpdateUserReadOnlyData", {"PlayFabId": mira, "Data": {"rank": "gold", "season": "3"}})
        note = {"support-note": "refund issued 2026-11"}
        self.call("Admin/UpdateUserInternalData", {"PlayFabId": mira, "Data": note})
        character = self.call(
            "Server/GrantCharacterToUser", {"PlayFabId": mira, "CharacterName": "Ayla", "CharacterType": "Ranger"}
        )["CharacterId"]
        self.call(
            "Server/UpdateCharacterData",
            {"PlayFabId": mira, "CharacterId": character, "Data": {"weapon": "longbow", "level": "14"}},
        )
        self.call(
            "Admin/UpdatePlayerCustomProperties",
            {"PlayFabId": mira, "Properties": [{"Name": "tier", "Value": 2}, {"Name": "region", "Value": "eu"}]},
        )
        for position, name in enumerate(NAMES):
            score = 5000 - position * 270
            self.call(
                "Server/UpdatePlayerStatistics",
                {"PlayFabId": ids[name], "Statistics": [{"StatisticName": "high_score", "Value": score}]},
            )
        for event, body in (("level_completed", {"level": "7-2"}), ("purchase_failed", {"sku": "gems"})):
            self.call("Server/WritePlayerEvent", {"PlayFabId": mira, "EventName": event, "Body": body})
        group = "guild-northwind"
        self.call("Server/CreateSharedGroup", {"SharedGroupId": group})
        members = [mira, ids["Kenji"], ids["Ada"]]
        self.call("Server/AddSharedGroupMembers", {"SharedGroupId": group, "PlayFabIds": members})
        self.call(
            "Server/UpdateSharedGroupData",
            {"SharedGroupId": group, "Data": {"motto": "Hold the pass", "raid": '{"boss": "wyrm", "week": 48}'}},
        )
        ban = {"PlayFabId": ids["Leon"], "Reason": "chat abuse", "DurationInHours": 72}
        self.call("Admin/BanUsers", {"Bans": [ban]})
        self.call("Admin/SetTitleData", {"Key": "motd", "Value": "Winter event starts Friday!"})
        self.call("Admin/SetTitleData", {"Key": "shop", "Value": '{"rotation": 12, "featured": ["sled", "scarf"]}'})
        self.call("Admin/SetTitleInternalData", {"Key": "matchmaker", "Value": "eu-west-2"})
        return {"player": mira, "group": group}


def wait_for(driver: Any, css: str, timeout: float = 15) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda d: d.find_element(By.CSS_SELECTOR, css))


def shoot(driver: Any, name: str, size: tuple[int, int], ready: str, scroll_to: str | None = None) -> None:
    driver.set_window_size(*size)
    wait_for(driver, ready)
    time.sleep(0.6)  # the sections load side by side
    if scroll_to:
        driver.execute_script("document.querySelector(arguments[0]).scrollIntoView()", scroll_to)
    else:
        driver.execute_script("window.scrollTo(0, 0)")
    path = OUT / f"{name}.png"
    driver.save_screenshot(str(path))
    print(f"{path.relative_to(REPO)}: {path.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver_path:
        sys.exit("chromium and chromedriver are needed (apt-get install chromium-driver)")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        env = isolated_env(data, TITLE_ID, SECRET_KEY, "demo-token-signing-key-0123456789abcdef")
        with running_host(HostProcess, data, env) as host:
            seeded = Demo(host.url).seed()
            options = webdriver.ChromeOptions()
            options.binary_location = binary
            for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars"):
                options.add_argument(argument)
            options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
            driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
            try:
                console = f"{host.url}/console/"
                driver.get(console)
                wait_for(driver, "#secret-key").send_keys(SECRET_KEY)
                driver.find_element("css selector", "#sign-in-form button").click()
                shoot(driver, "players", DESKTOP, "tr[data-player]")
                driver.get(f"{console}#/player/{seeded['player']}")
                shoot(driver, "player", DESKTOP, '[data-section="User"] li[data-key]')
                shoot(driver, "player-data", DESKTOP, '[data-section="User"] li[data-key]', '[data-section="User"]')
                driver.get(f"{console}#/group/{seeded['group']}")
                shoot(driver, "shared-group", DESKTOP, '[data-section="GroupData"] li[data-key]')
                driver.get(f"{console}#/title-data")
                shoot(driver, "title-data", DESKTOP, '[data-section="TitleData"] li[data-key]')
                driver.get(f"{console}#/player/{seeded['player']}")
                shoot(driver, "player-phone", PHONE, '[data-section="User"] li[data-key]')
            finally:
                driver.quit()


if __name__ == "__main__":
    main()
