// One shared group: its members (add, remove) and its data, edited with ExpectedDataVersion.

import { call } from "./api.js";
import { button, clear, el, field, guarded, notice, uid } from "./dom.js";
import { dataEntries, keyValueSection } from "./editor.js";
import { go, href } from "./router.js";

export function groupsPage(root) {
  const [idField, idInput] = field("SharedGroupId", { name: "group", required: true, autocomplete: "off", spellcheck: "false" });
  const form = el("form", { className: "search", "aria-label": "Open a shared group" }, idField, el("button", { type: "submit" }, "Open"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (idInput.value.trim()) go("group", idInput.value.trim());
  });
  root.append(
    el("h1", { tabindex: "-1", text: "Shared groups" }),
    el(
      "section",
      { className: "card", "aria-label": "Open a shared group" },
      el("p", { text: "A player's page lists the groups they are in. Open any group by its id:" }),
      form,
    ),
  );
}

export function groupPage(root, groupId) {
  const membersId = uid("h");
  const alerts = el("div");
  const members = el("ul", { className: "members" });
  const [addField, addInput] = field("PlayFabId to add", { name: "member", required: true, autocomplete: "off", spellcheck: "false" });
  const addForm = el("form", { className: "add-member" }, addField, el("button", { type: "submit" }, "Add member"));
  const permissions = new Map();

  async function loadMembers() {
    const answer = await guarded(alerts, () => call("Server/GetSharedGroupData", { SharedGroupId: groupId, GetMembers: true, Keys: [] }));
    if (!answer) return;
    const ids = [...(answer.Members || [])].sort();
    members.replaceChildren(
      ...ids.map((id) =>
        el(
          "li",
          { "data-member": id },
          el("a", { href: href("player", id), text: id }),
          " ",
          button("Remove", () => change("Server/RemoveSharedGroupMembers", id, `Removed ${id}.`), { "aria-label": `Remove member ${id}`, className: "danger" }),
        ),
      ),
    );
    if (!ids.length) members.append(el("li", { className: "empty", text: "No members." }));
  }

  async function change(path, playfabId, done) {
    if ((await guarded(alerts, () => call(path, { SharedGroupId: groupId, PlayFabIds: [playfabId] }))) === undefined) return false;
    await loadMembers();
    alerts.append(notice(done));
    return true;
  }

  addForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = addInput.value.trim();
    if (id && (await change("Server/AddSharedGroupMembers", id, `Added ${id}.`))) addInput.value = "";
  });

  const data = keyValueSection({
    heading: "Data",
    level: "h2",
    name: "GroupData",
    versionName: "DataVersion",
    load: async () => {
      const answer = await call("Server/GetSharedGroupData", { SharedGroupId: groupId, GetDataVersion: true });
      const entries = dataEntries(answer.Data);
      permissions.clear();
      for (const entry of entries) permissions.set(entry.key, entry.permission);
      return { entries, version: answer.DataVersion ?? 0 };
    },
    save: (key, value, version) => {
      const body = { SharedGroupId: groupId, Data: { [key]: value }, ExpectedDataVersion: version };
      if (permissions.has(key)) body.Permission = permissions.get(key);
      return call("Server/UpdateSharedGroupData", body);
    },
    remove: (key, version) =>
      call("Server/UpdateSharedGroupData", { SharedGroupId: groupId, KeysToRemove: [key], ExpectedDataVersion: version }),
  });

  clear(root).append(
    el("p", {}, el("a", { href: href("groups"), text: "← Shared groups" })),
    el("h1", { tabindex: "-1", text: `Shared group ${groupId}` }),
    el("section", { className: "card", "aria-labelledby": membersId }, el("h2", { id: membersId, text: "Members" }), alerts, members, addForm),
    data,
  );
  loadMembers();
}
