// One editable set of keys with a version: a data family, a group's data, objects, custom properties, title data.
//
// Every write sends the version this section last loaded; the backend checks it inside the write itself,
// so an edit made after someone else changed the data is refused whole, and the section says so and
// offers a reload instead of overwriting.

import { ApiError } from "./api.js";
import { alertBox, button, clear, el, field, notice, uid, when } from "./dom.js";

// The refusals that mean "the data moved since you loaded it".
export const STALE_ERRORS = new Set([
  "PreconditionFailed",
  "EntityProfileVersionMismatch",
  "PlayerCustomPropertiesVersionMismatch",
]);

const asText = (value) => (value === undefined || value === null ? "" : String(value));

export function keyValueSection(options) {
  const {
    heading,
    level = "h3",
    versionName = null, // "DataVersion", "ProfileVersion", "PropertiesVersion" or null (no version)
    load,
    save, // (key, value, version) => Promise
    remove, // (key, version) => Promise
    format = asText,
    parse = (text) => text,
    valueHint = "",
    name = heading,
  } = options;
  const headingId = uid("h");
  const section = el("section", { className: "card", "aria-labelledby": headingId, "data-section": name });
  const versionText = el("span", { className: "version" });
  const alerts = el("div", { className: "alerts" });
  const list = el("ul", { className: "kv" });
  let version = null;
  let loaded = false;

  const [keyField, keyInput] = field("Key", { name: "key", required: true, autocomplete: "off" });
  const [valueField, valueInput] = field("Value", { multiline: true, name: "value", rows: 2 });
  const addForm = el(
    "form",
    { className: "add", "aria-label": `Add a key to ${heading}` },
    keyField,
    valueField,
    valueHint ? el("p", { className: "hint", text: valueHint }) : null,
    el("button", { type: "submit" }, "Add key"),
  );
  addForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (!key) return;
    let value;
    try {
      value = parse(valueInput.value);
    } catch (err) {
      clear(alerts).append(alertBox(err.message));
      return;
    }
    if (await write(() => save(key, value, version), `Saved ${key}.`, key)) {
      keyInput.value = "";
      valueInput.value = "";
    }
  });

  section.append(
    el(level, { id: headingId, tabindex: "-1" }, heading, " ", versionText),
    alerts,
    list,
    el("details", { className: "add-key" }, el("summary", { text: "Add a key" }), addForm),
  );

  function refusal(err) {
    if (err instanceof ApiError && STALE_ERRORS.has(err.error)) {
      return alertBox(
        `Not saved: this data changed since the page loaded it (${err.message}). Reload to see the current data, then edit again.`,
        button("Reload", () => refresh(), { className: "reload" }),
      );
    }
    return alertBox(err && err.message ? err.message : String(err));
  }

  // Runs one write; true when it landed (then the section reloads with the new version, and the focus
  // goes back to the key's first button, or to the heading when the key is gone).
  async function write(work, done, key) {
    clear(alerts);
    try {
      await work();
    } catch (err) {
      alerts.append(refusal(err));
      return false;
    }
    await refresh();
    alerts.append(notice(done));
    const item = [...list.children].find((li) => li.dataset.key === key);
    const target = item ? item.querySelector("button") : section.querySelector(level);
    if (target) target.focus();
    return true;
  }

  function row(entry) {
    const item = el("li", { "data-key": entry.key });
    const value = el("pre", { className: "value", text: format(entry.value) });
    const meta = [entry.updated ? `updated ${when(entry.updated)}` : "", entry.permission || ""].filter(Boolean);
    const actions = el(
      "div",
      { className: "actions" },
      button("Edit", () => edit(item, entry), { "aria-label": `Edit ${entry.key}` }),
      button(
        "Remove",
        () => write(() => remove(entry.key, version), `Removed ${entry.key}.`, entry.key),
        { "aria-label": `Remove ${entry.key}`, className: "danger" },
      ),
    );
    item.append(
      el("div", { className: "key" }, el("strong", { text: entry.key }), meta.length ? el("span", { className: "muted", text: ` ${meta.join(" · ")}` }) : null),
      value,
      actions,
    );
    return item;
  }

  function edit(item, entry) {
    const [editField, input] = field(`New value for ${entry.key}`, { multiline: true, name: "value", rows: 3 });
    input.value = format(entry.value);
    const form = el(
      "form",
      { className: "edit" },
      editField,
      el("button", { type: "submit" }, "Save"),
      button("Cancel", () => {
        const restored = row(entry);
        item.replaceWith(restored);
        restored.querySelector("button").focus();
      }),
    );
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") form.querySelector("button[type=button]").click();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let value;
      try {
        value = parse(input.value);
      } catch (err) {
        clear(alerts).append(alertBox(err.message));
        return;
      }
      await write(() => save(entry.key, value, version), `Saved ${entry.key}.`, entry.key);
    });
    item.replaceChildren(el("div", { className: "key" }, el("strong", { text: entry.key })), form);
    input.focus();
  }

  async function refresh() {
    clear(alerts);
    let answer;
    try {
      answer = await load();
    } catch (err) {
      alerts.append(alertBox(err.message));
      return;
    }
    version = answer.version === undefined ? null : answer.version;
    versionText.textContent = versionName && version !== null ? `${versionName} ${version}` : "";
    section.dataset.version = version === null ? "" : String(version);
    const entries = [...answer.entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    list.replaceChildren(...entries.map(row));
    if (!entries.length) list.append(el("li", { className: "empty", text: "No keys." }));
    loaded = true;
  }

  section.refresh = refresh;
  section.isLoaded = () => loaded;
  refresh();
  return section;
}

// PlayFab's {key: {Value, LastUpdated, Permission}} as entries.
export function dataEntries(data) {
  return Object.entries(data || {}).map(([key, record]) => ({
    key,
    value: record && typeof record === "object" ? record.Value : record,
    updated: record && record.LastUpdated,
    permission: record && record.Permission,
  }));
}

export function jsonText(value) {
  return JSON.stringify(value, null, 2);
}

export function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error("The value must be JSON (e.g. {\"level\": 3}, \"text\" or 42).");
  }
}
