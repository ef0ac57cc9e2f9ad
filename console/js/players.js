// The players page: find one player, or browse PlayFab's built-in "All Players" segment a page at a time.

import { call } from "./api.js";
import { alertBox, button, clear, el, field, notice, uid, when } from "./dom.js";
import { href } from "./router.js";

const PAGE_SIZE = 25;
const SCAN_BATCH = 1000;

// What Admin/GetUserAccountInfo is asked with for each kind of search. A custom id is not one of them
// (PlayFab has no lookup by custom id on the Admin API): it is found in the "All Players" profiles.
const SEARCHES = [
  { value: "PlayFabId", label: "PlayFabId" },
  { value: "CustomId", label: "Custom id" },
  { value: "Email", label: "Email" },
  { value: "Username", label: "Username" },
  { value: "TitleDisplayName", label: "Display name" },
];

let allPlayersId = null;

async function allPlayersSegment() {
  if (allPlayersId) return allPlayersId;
  const answer = await call("Admin/GetAllSegments", {});
  const segment = (answer.Segments || []).find((s) => s.Name === "All Players") || (answer.Segments || [])[0];
  if (!segment) throw new Error("The title has no \"All Players\" segment.");
  allPlayersId = segment.Id;
  return allPlayersId;
}

function customIdOf(profile) {
  const linked = (profile.LinkedAccounts || []).find((account) => account.Platform === "Custom");
  return linked ? linked.PlatformUserId : "";
}

async function findByCustomId(customId, progress) {
  const segmentId = await allPlayersSegment();
  let token;
  let seen = 0;
  do {
    const body = { SegmentId: segmentId, MaxBatchSize: SCAN_BATCH };
    if (token) body.ContinuationToken = token;
    const page = await call("Admin/GetPlayersInSegment", body);
    const profiles = page.PlayerProfiles || [];
    const found = profiles.find((profile) => customIdOf(profile) === customId);
    if (found) return found.PlayerId;
    seen += profiles.length;
    progress(`Looked through ${seen} players…`);
    token = page.ContinuationToken;
  } while (token);
  return null;
}

function playerLink(playfabId) {
  return el("a", { href: href("player", playfabId), text: playfabId });
}

export function playersPage(root) {
  const selectId = uid("kind");
  const select = el(
    "select",
    { id: selectId, name: "kind" },
    SEARCHES.map((s) => el("option", { value: s.value, text: s.label })),
  );
  const [queryField, queryInput] = field("Value", { name: "query", required: true, autocomplete: "off", spellcheck: "false" });
  const results = el("div", { className: "results", "aria-live": "polite" });
  const form = el(
    "form",
    { className: "search", role: "search", "aria-label": "Find a player" },
    el("div", { className: "field" }, el("label", { for: selectId, text: "Find by" }), select),
    queryField,
    el("button", { type: "submit" }, "Find"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = select.value;
    const value = queryInput.value.trim();
    if (!value) return;
    clear(results).append(notice("Searching…"));
    try {
      let playfabId;
      if (kind === "CustomId") {
        playfabId = await findByCustomId(value, (text) => clear(results).append(notice(text)));
      } else {
        const answer = await call("Admin/GetUserAccountInfo", { [kind]: value });
        playfabId = answer.UserInfo && answer.UserInfo.PlayFabId;
      }
      clear(results);
      if (!playfabId) {
        results.append(alertBox(`No player has that ${SEARCHES.find((s) => s.value === kind).label.toLowerCase()}.`));
        return;
      }
      results.append(el("p", { className: "found" }, "Found ", playerLink(playfabId), "."));
      results.querySelector("a").focus();
    } catch (err) {
      clear(results).append(alertBox(err.message));
    }
  });

  const listAlerts = el("div");
  const tbody = el("tbody");
  const table = el(
    "table",
    { className: "players" },
    el("caption", { text: "All Players" }),
    el(
      "thead",
      {},
      el("tr", {}, ["PlayFabId", "Display name", "Custom id", "Created", "Last login"].map((h) => el("th", { scope: "col", text: h }))),
    ),
    tbody,
  );
  const pageInfo = el("p", { className: "muted", role: "status" });
  let token = null;
  let shown = 0;
  const next = button("Next page", () => loadPage(), { className: "next" });
  const first = button("First page", () => loadPage(true), { className: "secondary" });

  async function loadPage(restart) {
    clear(listAlerts);
    if (restart) token = null;
    try {
      const segmentId = await allPlayersSegment();
      const body = { SegmentId: segmentId, MaxBatchSize: PAGE_SIZE };
      if (token) body.ContinuationToken = token;
      const page = await call("Admin/GetPlayersInSegment", body);
      if (!token) shown = 0;
      const profiles = page.PlayerProfiles || [];
      tbody.replaceChildren(
        ...profiles.map((p) =>
          el(
            "tr",
            { "data-player": p.PlayerId },
            el("td", {}, playerLink(p.PlayerId)),
            el("td", { text: p.DisplayName || "" }),
            el("td", { text: customIdOf(p) }),
            el("td", { text: when(p.Created) }),
            el("td", { text: when(p.LastLogin) }),
          ),
        ),
      );
      if (!profiles.length) tbody.append(el("tr", {}, el("td", { colspan: "5", text: "No players on this page." })));
      const from = shown + 1;
      shown += profiles.length;
      pageInfo.textContent = `Players ${profiles.length ? `${from}–${shown}` : "none"} of ${page.ProfilesInSegment ?? "?"}.`;
      token = page.ContinuationToken || null;
      next.disabled = !token;
    } catch (err) {
      listAlerts.append(alertBox(err.message));
    }
  }

  root.append(
    el("h1", { tabindex: "-1", text: "Players" }),
    el("section", { className: "card", "aria-label": "Find a player" }, el("h2", { text: "Find a player" }), form, results),
    el(
      "section",
      { className: "card", "aria-label": "All Players" },
      el("h2", { text: "Browse" }),
      listAlerts,
      el("div", { className: "scroll" }, table),
      pageInfo,
      el("div", { className: "actions" }, first, next),
    ),
  );
  loadPage(true);
}
