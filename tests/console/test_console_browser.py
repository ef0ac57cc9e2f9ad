"""The console in a real browser (headless Chromium) against a real local host on SQLite, under a route prefix.

One host and one browser for the module; the tests run in order in one signed-in tab, each on players
of its own. Whatever a test changes through the page, it checks through the API, and what it changes
behind the page's back through the API, the page must refuse to overwrite.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import DESKTOP, PHONE, chromium
from tests.support.server import SECRET_KEY, TITLE_ID, Server, running_server

PREFIX = "game"
WAIT = 10


class ApiFailed(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body.get("errorMessage"))
        self.body = body


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("console-host")
    with running_server(Path(data), AzureFunctionsJobHost__extensions__http__routePrefix=PREFIX) as srv:
        yield srv


def api(host: Server, path: str, body: dict[str, Any] | None = None, key: str = SECRET_KEY) -> dict[str, Any]:
    answer = httpx.post(f"{host.url}/{PREFIX}/{path}", json=body or {}, headers={"X-SecretKey": key}, timeout=30)
    envelope: dict[str, Any] = answer.json()
    if envelope.get("code") != 200:
        raise ApiFailed(envelope)
    data: dict[str, Any] = envelope["data"]
    return data


def new_player(host: Server, custom_id: str | None = None) -> str:
    custom_id = custom_id or f"console-{uuid.uuid4().hex[:12]}"
    body = {"TitleId": TITLE_ID, "CustomId": custom_id, "CreateAccount": True}
    answer = httpx.post(f"{host.url}/{PREFIX}/Client/LoginWithCustomID", json=body, timeout=30).json()
    playfab_id: str = answer["data"]["PlayFabId"]
    return playfab_id


@pytest.fixture(scope="module")
def browser(host: Server) -> Iterator[Any]:
    with chromium(DESKTOP, "the console tests") as driver:
        yield driver


@pytest.fixture(scope="module")
def console(host: Server) -> str:
    return f"{host.url}/{PREFIX}/console/"


# --- Driving the page ---


def wait(browser: Any, condition: Callable[[Any], Any], timeout: float = WAIT) -> Any:
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(browser, timeout, poll_frequency=0.05).until(condition)


def find(browser: Any, css: str, within: Any = None) -> Any:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By

    def present(_: Any) -> Any:
        try:
            found = (within or browser).find_element(By.CSS_SELECTOR, css)
            return found if found.is_displayed() else False
        except (NoSuchElementException, StaleElementReferenceException):
            return False

    return wait(browser, present)


def listed_players(browser: Any) -> list[str]:
    """The PlayFabIds of the "All Players" page shown, read in one go (the rows are replaced per page)."""
    ids: list[str] = browser.execute_script(
        "return [...document.querySelectorAll('tr[data-player]')].map(row => row.dataset.player)"
    )
    return ids


def text_of(browser: Any, css: str, expected: str) -> Any:
    """The element at `css` once its text contains `expected`."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By

    def has(_: Any) -> Any:
        try:
            found = browser.find_element(By.CSS_SELECTOR, css)
            return found if expected in found.text else False
        except (NoSuchElementException, StaleElementReferenceException):
            return False

    return wait(browser, has)


def button(browser: Any, label: str, within: str = "") -> Any:
    """The visible button whose text or aria-label is `label`, under `within` (a CSS selector)."""
    from selenium.webdriver.common.by import By

    def found(_: Any) -> Any:
        for candidate in browser.find_elements(By.CSS_SELECTOR, f"{within} button".strip()):
            try:
                if candidate.is_displayed() and label in (candidate.text, candidate.get_attribute("aria-label")):
                    return candidate
            except Exception:  # stale while the page re-renders: look again
                return False
        return False

    return wait(browser, found)


def go(browser: Any, console: str, route: str) -> None:
    """Open a route and wait for its page's heading to take the focus."""
    browser.get(f"{console}#/{route}")
    wait(browser, lambda d: d.execute_script("return document.activeElement && document.activeElement.tagName") == "H1")


def section(kind: str) -> str:
    return f'[data-section="{kind}"]'


def add_key(browser: Any, within: str, key: str, value: str) -> None:
    find(browser, f"{within} details.add-key summary").click()
    find(browser, f"{within} form.add input[name=key]").send_keys(key)
    find(browser, f"{within} form.add textarea[name=value]").send_keys(value)
    find(browser, f"{within} form.add button[type=submit]").click()
    text_of(browser, f"{within} [role=status]", f"Saved {key}.")


def edit_key(browser: Any, within: str, key: str, value: str) -> None:
    button(browser, f"Edit {key}", within).click()
    area = find(browser, f'{within} li[data-key="{key}"] textarea')
    area.clear()
    area.send_keys(value)
    find(browser, f'{within} li[data-key="{key}"] form.edit button[type=submit]').click()


def shown_version(browser: Any, within: str) -> str:
    value: str = find(browser, within).get_attribute("data-version")
    return value


def csp_violations(browser: Any) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]


# --- The tests, in the order a support person meets the pages ---


def test_signing_in_keeps_the_key_in_the_tab_only(browser: Any, console: str, host: Server) -> None:
    browser.get(console)
    find(browser, "#secret-key").send_keys("not-the-key")
    find(browser, "#sign-in-form button").click()
    alert = find(browser, "#sign-in-alert [role=alert]")
    assert alert.text  # the backend's errorMessage
    assert browser.execute_script("return sessionStorage.length") == 0

    key_input = find(browser, "#secret-key")
    key_input.clear()
    key_input.send_keys(SECRET_KEY)
    find(browser, "#sign-in-form button").click()
    text_of(browser, "#page h1", "Players")
    assert browser.execute_script("return sessionStorage.getItem('console.secretKey')") == SECRET_KEY
    assert browser.execute_script("return localStorage.length") == 0
    assert browser.execute_script("return document.cookie") == ""
    assert SECRET_KEY not in browser.current_url
    text_of(browser, "#title-id", TITLE_ID)
    assert not browser.find_element("id", "sign-in").is_displayed()


def test_a_player_is_found_by_custom_id_and_by_browsing_all_players(browser: Any, console: str, host: Server) -> None:
    from selenium.webdriver.support.select import Select

    custom_id = f"findme-{uuid.uuid4().hex[:8]}"
    target = new_player(host, custom_id)
    for _ in range(26):  # more than one page of 25
        new_player(host)
    go(browser, console, "players")
    Select(find(browser, "select[name=kind]")).select_by_visible_text("Custom id")
    find(browser, "form.search input[name=query]").send_keys(custom_id)
    find(browser, "form.search button[type=submit]").click()
    link = find(browser, ".results .found a")
    assert link.text == target
    link.click()
    text_of(browser, "#page h1", f"Player {target}")
    text_of(browser, "dl.facts", custom_id)

    go(browser, console, "players")
    Select(find(browser, "select[name=kind]")).select_by_visible_text("PlayFabId")
    find(browser, "form.search input[name=query]").send_keys("0000000000000000")
    find(browser, "form.search button[type=submit]").click()
    assert find(browser, ".results [role=alert]").text  # AccountNotFound's message

    first = wait(browser, listed_players)
    assert len(first) == 25
    text_of(browser, "#page p[role=status]", "Players 1\u201325 of")
    pages, directory = [first], set(first)
    while find(browser, "button.next").is_enabled():
        button(browser, "Next page").click()
        shown = wait(browser, lambda d: (ids := listed_players(d)) and ids != pages[-1] and ids)
        assert not directory & set(shown), "a player on two pages"
        pages.append(shown)
        directory |= set(shown)
    assert len(pages) >= 2 and target in directory and len(directory) >= 27


def test_a_key_is_viewed_edited_added_and_removed(browser: Any, console: str, host: Server) -> None:
    from selenium.webdriver.common.keys import Keys

    playfab_id = new_player(host)
    api(host, "Admin/UpdateUserData", {"PlayFabId": playfab_id, "Data": {"level": "3"}, "Permission": "Public"})
    go(browser, console, f"player/{playfab_id}")
    user = section("User")
    text_of(browser, f'{user} li[data-key="level"] pre', "3")
    text_of(browser, f"{user} h3", "DataVersion 1")

    edit_key(browser, user, "level", "4")
    text_of(browser, f"{user} [role=status]", "Saved level.")
    data = api(host, "Admin/GetUserData", {"PlayFabId": playfab_id})
    assert data["Data"]["level"]["Value"] == "4" and data["DataVersion"] == 2
    assert data["Data"]["level"]["Permission"] == "Public"  # an edit keeps the key's permission
    text_of(browser, f"{user} h3", "DataVersion 2")
    # The focus comes back to the key, so a keyboard user carries on where they were.
    assert browser.switch_to.active_element.get_attribute("aria-label") == "Edit level"
    browser.switch_to.active_element.send_keys(Keys.ENTER)  # Edit, from the keyboard
    find(browser, f'{user} li[data-key="level"] textarea').send_keys(Keys.ESCAPE)  # and cancelled
    wait(browser, lambda d: d.switch_to.active_element.get_attribute("aria-label") == "Edit level")

    add_key(browser, user, "<b>coins</b>", '<img src=x onerror="alert(1)">')
    text_of(browser, f'{user} li[data-key="<b>coins</b>"] pre', '<img src=x onerror="alert(1)">')  # text, not markup
    button(browser, "Remove level", user).click()
    text_of(browser, f"{user} [role=status]", "Removed level.")
    data = api(host, "Admin/GetUserData", {"PlayFabId": playfab_id})
    assert set(data["Data"]) == {"<b>coins</b>"} and data["DataVersion"] == 4

    internal = section("UserInternal")
    add_key(browser, internal, "flag", "on")
    assert api(host, "Admin/GetUserInternalData", {"PlayFabId": playfab_id})["Data"]["flag"]["Value"] == "on"


def test_a_stale_edit_is_refused_and_the_data_is_left_as_it_is(browser: Any, console: str, host: Server) -> None:
    playfab_id = new_player(host)
    api(host, "Admin/UpdateUserReadOnlyData", {"PlayFabId": playfab_id, "Data": {"rank": "gold"}})
    go(browser, console, f"player/{playfab_id}")
    readonly = section("UserReadOnly")
    text_of(browser, f'{readonly} li[data-key="rank"] pre', "gold")
    assert shown_version(browser, readonly) == "1"

    # Someone else changes the key after the page loaded it.
    api(host, "Admin/UpdateUserReadOnlyData", {"PlayFabId": playfab_id, "Data": {"rank": "platinum"}})
    edit_key(browser, readonly, "rank", "bronze")
    alert = text_of(browser, f"{readonly} [role=alert]", "changed since the page loaded")
    assert "ExpectedDataVersion is 1" in alert.text
    data = api(host, "Admin/GetUserReadOnlyData", {"PlayFabId": playfab_id})
    assert data["Data"]["rank"]["Value"] == "platinum" and data["DataVersion"] == 2  # nothing written

    button(browser, "Reload", readonly).click()
    text_of(browser, f'{readonly} li[data-key="rank"] pre', "platinum")
    assert shown_version(browser, readonly) == "2"
    edit_key(browser, readonly, "rank", "bronze")  # now from the current version
    text_of(browser, f"{readonly} [role=status]", "Saved rank.")
    assert api(host, "Admin/GetUserReadOnlyData", {"PlayFabId": playfab_id})["Data"]["rank"]["Value"] == "bronze"


def test_a_player_is_banned_and_the_ban_revoked(browser: Any, console: str, host: Server) -> None:
    playfab_id = new_player(host)
    go(browser, console, f"player/{playfab_id}")
    details = find(browser, "section details:has(form.ban) summary")
    details.click()
    find(browser, "form.ban input[name=reason]").send_keys("cheating")
    find(browser, "form.ban input[name=hours]").send_keys("24")
    find(browser, "form.ban button[type=submit]").click()
    ban = find(browser, "ul.bans li.active")
    assert "cheating" in ban.text
    (entry,) = api(host, "Admin/GetUserBans", {"PlayFabId": playfab_id})["BanData"]
    assert entry["Active"] and entry["Reason"] == "cheating" and entry["Expires"]
    text_of(browser, "dl.facts", "yes")  # the account says banned

    button(browser, f"Revoke ban {entry['BanId']}").click()
    find(browser, "ul.bans li.inactive")
    (entry,) = api(host, "Admin/GetUserBans", {"PlayFabId": playfab_id})["BanData"]
    assert not entry["Active"]


def test_a_characters_data_is_edited(browser: Any, console: str, host: Server) -> None:
    playfab_id = new_player(host)
    character_id = api(
        host, "Server/GrantCharacterToUser", {"PlayFabId": playfab_id, "CharacterName": "Ayla", "CharacterType": "Mage"}
    )["CharacterId"]
    go(browser, console, f"player/{playfab_id}")
    within = f'[data-character="{character_id}"] {section("Character")}'
    text_of(browser, f'[data-character="{character_id}"] h3', "Ayla")
    add_key(browser, within, "weapon", "staff")
    target = {"PlayFabId": playfab_id, "CharacterId": character_id}
    data = api(host, "Server/GetCharacterData", target)
    assert data["Data"]["weapon"]["Value"] == "staff" and data["DataVersion"] == 1
    internal = f'[data-character="{character_id}"] {section("CharacterInternal")}'
    add_key(browser, internal, "anticheat", "clean")
    assert api(host, "Server/GetCharacterInternalData", target)["Data"]["anticheat"]["Value"] == "clean"


def test_a_custom_property_and_an_object_are_edited(browser: Any, console: str, host: Server) -> None:
    playfab_id = new_player(host)
    set_tier = {"PlayFabId": playfab_id, "Properties": [{"Name": "tier", "Value": 1}]}
    api(host, "Admin/UpdatePlayerCustomProperties", set_tier)
    go(browser, console, f"player/{playfab_id}")
    props = section("Properties")
    text_of(browser, f'{props} li[data-key="tier"] pre', "1")
    assert shown_version(browser, props) == "1"
    edit_key(browser, props, "tier", "2")
    text_of(browser, f"{props} [role=status]", "Saved tier.")
    answer = api(host, "Admin/ListPlayerCustomProperties", {"PlayFabId": playfab_id})
    assert answer["Properties"] == [{"Name": "tier", "Value": 2}] and answer["PropertiesVersion"] == 2
    set_tier["Properties"] = [{"Name": "tier", "Value": 9}]  # behind the page's back
    api(host, "Admin/UpdatePlayerCustomProperties", set_tier)
    edit_key(browser, props, "tier", "3")
    text_of(browser, f"{props} [role=alert]", "changed since the page loaded")
    assert api(host, "Admin/ListPlayerCustomProperties", {"PlayFabId": playfab_id})["Properties"][0]["Value"] == 9

    objects = section("Objects")
    assert shown_version(browser, objects) == "0"
    add_key(browser, objects, "loadout", '{"slots": [1, 2]}')
    info = api(host, "Admin/GetUserAccountInfo", {"PlayFabId": playfab_id})["UserInfo"]
    entity = info["TitleInfo"]["TitlePlayerAccount"]
    token = api(host, "Authentication/GetEntityToken")["EntityToken"]
    got = httpx.post(
        f"{host.url}/{PREFIX}/Object/GetObjects", json={"Entity": entity}, headers={"X-EntityToken": token}, timeout=30
    ).json()["data"]
    assert got["Objects"]["loadout"]["DataObject"] == {"slots": [1, 2]} and got["ProfileVersion"] == 1
    assert shown_version(browser, objects) == "1"


def test_statistics_events_and_shared_groups_are_shown(browser: Any, console: str, host: Server) -> None:
    playfab_id, other = new_player(host), new_player(host)
    statistic = f"score-{uuid.uuid4().hex[:6]}"
    for who, value in ((other, 90), (playfab_id, 40)):
        api(
            host,
            "Server/UpdatePlayerStatistics",
            {"PlayFabId": who, "Statistics": [{"StatisticName": statistic, "Value": value}]},
        )
    api(host, "Server/WritePlayerEvent", {"PlayFabId": playfab_id, "EventName": "quest_done", "Body": {"quest": 7}})
    group_id = f"guild-{uuid.uuid4().hex[:8]}"
    api(host, "Server/CreateSharedGroup", {"SharedGroupId": group_id})
    api(host, "Server/AddSharedGroupMembers", {"SharedGroupId": group_id, "PlayFabIds": [playfab_id]})
    assert api(host, "Admin/ext-GetPlayerSharedGroups", {"PlayFabId": playfab_id}) == {"SharedGroupIds": [group_id]}

    go(browser, console, f"player/{playfab_id}")
    text_of(browser, f'li[data-statistic="{statistic}"]', "leaderboard position 2")
    assert "40" in find(browser, f'li[data-statistic="{statistic}"]').text
    text_of(browser, 'ol.events li[data-event="quest_done"]', "quest_done")
    link = find(browser, "ul.groups a")
    assert link.text == group_id
    link.click()
    text_of(browser, "#page h1", f"Shared group {group_id}")


def test_a_shared_groups_members_and_data_are_edited(browser: Any, console: str, host: Server) -> None:
    first, second = new_player(host), new_player(host)
    group_id = f"raid-{uuid.uuid4().hex[:8]}"
    api(host, "Server/CreateSharedGroup", {"SharedGroupId": group_id})
    api(host, "Server/AddSharedGroupMembers", {"SharedGroupId": group_id, "PlayFabIds": [first]})
    api(host, "Server/UpdateSharedGroupData", {"SharedGroupId": group_id, "Data": {"boss": "alive"}})
    go(browser, console, f"group/{group_id}")
    find(browser, f'ul.members li[data-member="{first}"]')

    find(browser, "form.add-member input[name=member]").send_keys(second)
    find(browser, "form.add-member button[type=submit]").click()
    find(browser, f'ul.members li[data-member="{second}"]')
    button(browser, f"Remove member {first}").click()
    wait(browser, lambda d: not d.find_elements("css selector", f'ul.members li[data-member="{first}"]'))
    members = api(host, "Server/GetSharedGroupData", {"SharedGroupId": group_id, "GetMembers": True})["Members"]
    assert members == [second]

    data = section("GroupData")
    text_of(browser, f'{data} li[data-key="boss"] pre', "alive")
    assert shown_version(browser, data) == "1"
    edit_key(browser, data, "boss", "defeated")
    text_of(browser, f"{data} [role=status]", "Saved boss.")
    answer = api(host, "Server/GetSharedGroupData", {"SharedGroupId": group_id, "GetDataVersion": True})
    assert answer["Data"]["boss"]["Value"] == "defeated" and answer["DataVersion"] == 2


def test_title_data_and_internal_title_data_are_edited(browser: Any, console: str, host: Server) -> None:
    api(host, "Admin/SetTitleData", {"Key": "motd", "Value": "hello"})
    go(browser, console, "title-data")
    title = section("TitleData")
    text_of(browser, f'{title} li[data-key="motd"] pre', "hello")
    edit_key(browser, title, "motd", "welcome back")
    text_of(browser, f"{title} [role=status]", "Saved motd.")
    assert api(host, "Admin/GetTitleData", {"Keys": ["motd"]})["Data"] == {"motd": "welcome back"}

    internal = section("TitleInternalData")
    add_key(browser, internal, "matchmaker", "eu-west")
    assert api(host, "Admin/GetTitleInternalData", {"Keys": ["matchmaker"]})["Data"] == {"matchmaker": "eu-west"}
    button(browser, "Remove matchmaker", internal).click()
    text_of(browser, f"{internal} [role=status]", "Removed matchmaker.")
    assert api(host, "Admin/GetTitleInternalData", {"Keys": ["matchmaker"]})["Data"] == {}


def test_a_player_is_deleted_after_typing_the_id(browser: Any, console: str, host: Server) -> None:
    playfab_id = new_player(host)
    go(browser, console, f"player/{playfab_id}")
    remove = find(browser, "form.delete button[type=submit]")
    assert not remove.is_enabled()
    confirm = find(browser, "form.delete input[name=confirm]")
    confirm.send_keys(playfab_id[:-1])
    assert not remove.is_enabled()
    confirm.send_keys(playfab_id[-1])
    assert remove.is_enabled()
    remove.click()
    text_of(browser, "#page [role=status]", f"Player {playfab_id} deleted.")
    text_of(browser, "#page h1", "Players")
    with pytest.raises(ApiFailed) as refused:
        api(host, "Admin/GetUserAccountInfo", {"PlayFabId": playfab_id})
    assert refused.value.body["error"] == "AccountNotFound"


def test_the_pages_fit_a_phone_and_load_nothing_the_policy_refuses(browser: Any, console: str, host: Server) -> None:
    playfab_id = new_player(host)
    api(host, "Admin/UpdateUserData", {"PlayFabId": playfab_id, "Data": {"a-rather-long-key-name": "x" * 300}})
    browser.set_window_size(*PHONE)
    try:
        for route in (f"player/{playfab_id}", "players", "title-data"):
            go(browser, console, route)
            find(browser, "section.card")
            assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), route
    finally:
        browser.set_window_size(*DESKTOP)
    assert csp_violations(browser) == []


def test_signing_out_forgets_the_key(browser: Any, console: str, host: Server) -> None:
    go(browser, console, "players")
    find(browser, "#sign-out").click()
    find(browser, "#secret-key")
    assert browser.execute_script("return sessionStorage.getItem('console.secretKey')") is None
    assert not browser.find_element("id", "nav").is_displayed()
    assert browser.execute_script("return document.getElementById('page').children.length") == 0
