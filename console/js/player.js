// One player: account and identities, bans, every data family (the player's and each character's),
// entity objects, statistics with leaderboard positions, custom properties, shared groups, recent
// events, and deletion behind a typed confirmation.

import { ApiError, call, entityCall } from "./api.js";
import { alertBox, button, clear, definitions, el, field, guarded, notice, uid, when } from "./dom.js";
import { dataEntries, jsonText, keyValueSection, parseJson } from "./editor.js";
import { FAMILIES, familyPaths } from "./families.js";
import { go, href } from "./router.js";

function card(title, ...children) {
  const id = uid("h");
  return el("section", { className: "card", "aria-labelledby": id }, el("h2", { id, text: title }), ...children);
}

function familySection(family, target) {
  const paths = familyPaths(family);
  const permissions = new Map();
  return keyValueSection({
    heading: family.label,
    name: family.api,
    versionName: "DataVersion",
    load: async () => {
      const answer = await call(paths.get, { ...target });
      const entries = dataEntries(answer.Data);
      permissions.clear();
      for (const entry of entries) permissions.set(entry.key, entry.permission);
      return { entries, version: answer.DataVersion ?? 0 };
    },
    save: (key, value, version) => {
      const body = { ...target, Data: { [key]: value }, ExpectedDataVersion: version };
      if (family.permission && permissions.has(key)) body.Permission = permissions.get(key);
      return call(paths.update, body);
    },
    remove: (key, version) => call(paths.update, { ...target, KeysToRemove: [key], ExpectedDataVersion: version }),
  });
}

function accountCard(info, profile) {
  const title = info.TitleInfo || {};
  const identities = [
    ["Custom id", info.CustomIdInfo && info.CustomIdInfo.CustomId],
    ["Server custom id", info.ServerCustomIdInfo && info.ServerCustomIdInfo.CustomId],
    ["Android device", info.AndroidDeviceInfo && info.AndroidDeviceInfo.AndroidDeviceId],
    ["iOS device", info.IosDeviceInfo && info.IosDeviceInfo.IosDeviceId],
    ["Username", info.Username],
    ["Email", info.PrivateInfo && info.PrivateInfo.Email],
  ];
  const linked = (profile.LinkedAccounts || []).map((a) => `${a.Platform}${a.PlatformUserId ? `: ${a.PlatformUserId}` : ""}`);
  return card(
    "Account",
    definitions([
      ["PlayFabId", info.PlayFabId],
      ["Display name", title.DisplayName],
      ["Title player account", title.TitlePlayerAccount && title.TitlePlayerAccount.Id],
      ["Created", when(info.Created)],
      ["Last login", when(title.LastLogin)],
      ["Origination", title.Origination],
      ["Banned", title.isBanned ? "yes" : "no"],
      ...identities,
      ["Linked accounts", linked.join(", ")],
    ]),
  );
}

function bansCard(playfabId, reloadAccount) {
  const alerts = el("div");
  const list = el("ul", { className: "bans" });
  const [reasonField, reasonInput] = field("Reason", { name: "reason", maxlength: "140" });
  const [hoursField, hoursInput] = field("Duration in hours (empty: permanent)", {
    name: "hours",
    type: "number",
    min: "1",
    inputmode: "numeric",
  });
  const form = el("form", { className: "ban" }, reasonField, hoursField, el("button", { type: "submit", className: "danger" }, "Ban player"));

  async function load() {
    const answer = await guarded(alerts, () => call("Admin/GetUserBans", { PlayFabId: playfabId }));
    if (!answer) return;
    const bans = answer.BanData || [];
    list.replaceChildren(
      ...bans.map((ban) =>
        el(
          "li",
          { "data-ban": ban.BanId, className: ban.Active ? "active" : "inactive" },
          el("strong", { text: ban.Active ? "Active" : "Revoked or expired" }),
          ` ${ban.Reason || "(no reason)"} · since ${when(ban.Created)} · ${ban.Expires ? `until ${when(ban.Expires)}` : "permanent"}`,
          ban.Active
            ? button("Revoke", () => revoke(ban.BanId), { "aria-label": `Revoke ban ${ban.BanId}` })
            : null,
        ),
      ),
    );
    if (!bans.length) list.append(el("li", { className: "empty", text: "No bans." }));
  }

  async function revoke(banId) {
    if ((await guarded(alerts, () => call("Admin/RevokeBans", { BanIds: [banId] }))) === undefined) return;
    await load();
    alerts.append(notice("Ban revoked."));
    reloadAccount();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ban = { PlayFabId: playfabId };
    if (reasonInput.value.trim()) ban.Reason = reasonInput.value.trim();
    if (hoursInput.value) ban.DurationInHours = Number(hoursInput.value);
    if ((await guarded(alerts, () => call("Admin/BanUsers", { Bans: [ban] }))) === undefined) return;
    reasonInput.value = "";
    hoursInput.value = "";
    await load();
    alerts.append(notice("Player banned."));
    reloadAccount();
  });
  load();
  return card("Bans", alerts, list, el("details", {}, el("summary", { text: "Ban this player" }), form));
}

function objectsSection(entity) {
  return keyValueSection({
    heading: "Entity objects",
    name: "Objects",
    versionName: "ProfileVersion",
    format: jsonText,
    parse: parseJson,
    valueHint: "A JSON value.",
    load: async () => {
      const answer = await entityCall("Object/GetObjects", { Entity: entity });
      const entries = Object.values(answer.Objects || {}).map((o) => ({ key: o.ObjectName, value: o.DataObject }));
      return { entries, version: answer.ProfileVersion ?? 0 };
    },
    save: (key, value, version) =>
      entityCall("Object/SetObjects", {
        Entity: entity,
        Objects: [{ ObjectName: key, DataObject: value }],
        ExpectedProfileVersion: version,
      }),
    remove: (key, version) =>
      entityCall("Object/SetObjects", {
        Entity: entity,
        Objects: [{ ObjectName: key, DeleteObject: true }],
        ExpectedProfileVersion: version,
      }),
  });
}

// A property value is typed: JSON numbers and booleans stay so, anything else is a string.
function parseProperty(text) {
  try {
    const value = JSON.parse(text);
    if (["string", "number", "boolean"].includes(typeof value)) return value;
  } catch {
    // not JSON: the text itself
  }
  return text;
}

function propertiesSection(playfabId) {
  return keyValueSection({
    heading: "Custom properties",
    level: "h2",
    name: "Properties",
    versionName: "PropertiesVersion",
    format: (value) => JSON.stringify(value),
    parse: parseProperty,
    valueHint: "A number, true or false stays one; anything else is saved as text (quote it to keep \"42\" text).",
    load: async () => {
      const answer = await call("Admin/ListPlayerCustomProperties", { PlayFabId: playfabId });
      const entries = (answer.Properties || []).map((p) => ({ key: p.Name, value: p.Value }));
      return { entries, version: answer.PropertiesVersion ?? 0 };
    },
    save: (key, value, version) =>
      call("Admin/UpdatePlayerCustomProperties", {
        PlayFabId: playfabId,
        Properties: [{ Name: key, Value: value }],
        ExpectedPropertiesVersion: version,
      }),
    remove: (key, version) =>
      call("Admin/DeletePlayerCustomProperties", {
        PlayFabId: playfabId,
        PropertyNames: [key],
        ExpectedPropertiesVersion: version,
      }),
  });
}

function statisticsCard(playfabId) {
  const alerts = el("div");
  const list = el("ul", { className: "stats" });
  (async () => {
    const answer = await guarded(alerts, () => call("Server/GetPlayerStatistics", { PlayFabId: playfabId }));
    if (!answer) return;
    const stats = answer.Statistics || [];
    if (!stats.length) list.append(el("li", { className: "empty", text: "No statistics." }));
    for (const stat of stats) {
      const position = el("span", { className: "muted", text: "" });
      list.append(
        el(
          "li",
          { "data-statistic": stat.StatisticName },
          el("strong", { text: stat.StatisticName }),
          ` ${stat.Value} (version ${stat.Version}) `,
          position,
        ),
      );
      call("Server/GetLeaderboardAroundUser", { PlayFabId: playfabId, StatisticName: stat.StatisticName, MaxResultsCount: 1 })
        .then((board) => {
          const entry = (board.Leaderboard || [])[0];
          position.textContent = entry ? `leaderboard position ${entry.Position + 1}` : "not on the leaderboard";
        })
        .catch((err) => {
          position.textContent = `position unknown: ${err.message}`;
        });
    }
  })();
  return card("Statistics", alerts, list);
}

function groupsCard(playfabId) {
  const alerts = el("div");
  const list = el("ul", { className: "groups" });
  (async () => {
    const answer = await guarded(alerts, () => call("Admin/ext-GetPlayerSharedGroups", { PlayFabId: playfabId }));
    if (!answer) return;
    const ids = answer.SharedGroupIds || [];
    list.replaceChildren(...ids.map((id) => el("li", {}, el("a", { href: href("group", id), text: id }))));
    if (!ids.length) list.append(el("li", { className: "empty", text: "In no shared group." }));
  })();
  return card("Shared groups", alerts, list);
}

function eventsCard(playfabId) {
  const alerts = el("div");
  const list = el("ol", { className: "events" });
  let token = null;
  const more = button("Older events", () => load(), { className: "secondary", hidden: true });
  async function load() {
    const body = { PlayFabId: playfabId, Count: 20 };
    if (token) body.ContinuationToken = token;
    const answer = await guarded(alerts, () => call("Admin/ext-ReadEvents", body));
    if (!answer) return;
    const events = answer.Events || [];
    if (!events.length && !token) list.append(el("li", { className: "empty", text: "No events." }));
    for (const event of events) {
      list.append(
        el(
          "li",
          { "data-event": event.EventName },
          el("strong", { text: event.EventName }),
          ` ${when(event.Timestamp)} · ${event.EventNamespace || ""} · ${event.EntityType || ""}`,
          el("details", {}, el("summary", { text: "Body" }), el("pre", { text: jsonText(event) })),
        ),
      );
    }
    token = answer.ContinuationToken || null;
    more.hidden = !token;
  }
  load();
  return card("Recent events", alerts, list, more);
}

function charactersCard(playfabId) {
  const alerts = el("div");
  const holder = el("div");
  (async () => {
    const answer = await guarded(alerts, () => call("Server/GetAllUsersCharacters", { PlayFabId: playfabId }));
    if (!answer) return;
    const characters = answer.Characters || [];
    if (!characters.length) holder.append(el("p", { className: "empty", text: "No characters." }));
    for (const character of characters) {
      const target = { PlayFabId: playfabId, CharacterId: character.CharacterId };
      const id = uid("h");
      holder.append(
        el(
          "section",
          { className: "character", "aria-labelledby": id, "data-character": character.CharacterId },
          el("h3", { id, text: `${character.CharacterName || "(unnamed)"} · ${character.CharacterType || ""} · ${character.CharacterId}` }),
          FAMILIES.filter((f) => f.scope === "character").map((f) => familySection(f, target)),
        ),
      );
    }
  })();
  return card("Characters", alerts, holder);
}

function deleteCard(playfabId) {
  const alerts = el("div");
  const [confirmField, confirmInput] = field(`Type the PlayFabId (${playfabId}) to confirm`, {
    name: "confirm",
    autocomplete: "off",
    spellcheck: "false",
  });
  const remove = el("button", { type: "submit", className: "danger", disabled: true }, "Delete player");
  confirmInput.addEventListener("input", () => {
    remove.disabled = confirmInput.value.trim() !== playfabId;
  });
  const form = el("form", { className: "delete" }, el("p", { text: "Deleting a player removes the account, its data, characters, statistics and sign-in identities. It cannot be undone." }), confirmField, remove);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (confirmInput.value.trim() !== playfabId) return;
    if ((await guarded(alerts, () => call("Admin/DeletePlayer", { PlayFabId: playfabId }))) === undefined) return;
    sessionStorage.setItem("console.flash", `Player ${playfabId} deleted.`);
    go("players");
  });
  return card("Delete player", alerts, form);
}

export async function playerPage(root, playfabId) {
  const heading = el("h1", { tabindex: "-1", text: `Player ${playfabId}` });
  const alerts = el("div");
  const accountHolder = el("div");
  root.append(el("p", {}, el("a", { href: href("players"), text: "← Players" })), heading, alerts, accountHolder);

  async function loadAccount() {
    try {
      const [account, profile] = await Promise.all([
        call("Admin/GetUserAccountInfo", { PlayFabId: playfabId }),
        call("Admin/GetPlayerProfile", {
          PlayFabId: playfabId,
          ProfileConstraints: { ShowDisplayName: true, ShowLinkedAccounts: true, ShowCreated: true, ShowLastLogin: true },
        }).catch(() => ({ PlayerProfile: {} })),
      ]);
      accountHolder.replaceChildren(accountCard(account.UserInfo, profile.PlayerProfile || {}));
      return account.UserInfo;
    } catch (err) {
      clear(alerts).append(alertBox(err instanceof ApiError && err.error === "AccountNotFound" ? `No player ${playfabId}.` : err.message));
      return null;
    }
  }

  const info = await loadAccount();
  if (!info) return;
  if (info.TitleInfo && info.TitleInfo.DisplayName) heading.textContent = `Player ${info.TitleInfo.DisplayName} (${playfabId})`;
  const entity = info.TitleInfo && info.TitleInfo.TitlePlayerAccount;
  root.append(
    bansCard(playfabId, loadAccount),
    card("Player data", ...FAMILIES.filter((f) => f.scope === "player").map((f) => familySection(f, { PlayFabId: playfabId }))),
    charactersCard(playfabId),
    entity ? card("Objects", objectsSection({ Id: entity.Id, Type: entity.Type })) : null,
    statisticsCard(playfabId),
    propertiesSection(playfabId),
    groupsCard(playfabId),
    eventsCard(playfabId),
    deleteCard(playfabId),
  );
  heading.after(contents(root));
}

// "On this page": a button per section that moves the focus there (the hash holds the route, so no anchors).
function contents(root) {
  const headings = [...root.querySelectorAll("section.card > h2")];
  const items = headings.map((h2) => {
    h2.setAttribute("tabindex", "-1");
    return el(
      "li",
      {},
      button(h2.textContent, () => {
        h2.scrollIntoView();
        h2.focus();
      }),
    );
  });
  return el("nav", { className: "toc", "aria-label": "On this page" }, el("ul", {}, items));
}
