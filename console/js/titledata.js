// Title data and internal title data: one key per Set call; PlayFab keeps no version for them, so the
// last write wins.

import { call } from "./api.js";
import { el } from "./dom.js";
import { keyValueSection } from "./editor.js";

function titleSection(heading, name, getPath, setPath) {
  return keyValueSection({
    heading,
    level: "h2",
    name,
    load: async () => {
      const answer = await call(getPath, {});
      return { entries: Object.entries(answer.Data || {}).map(([key, value]) => ({ key, value })) };
    },
    save: (key, value) => call(setPath, { Key: key, Value: value }),
    remove: (key) => call(setPath, { Key: key }),
  });
}

export function titleDataPage(root) {
  root.append(
    el("h1", { tabindex: "-1", text: "Title data" }),
    el("p", { className: "muted", text: "Title data has no version: a save replaces the key, whoever changed it last." }),
    titleSection("Title data", "TitleData", "Admin/GetTitleData", "Admin/SetTitleData"),
    titleSection("Internal title data", "TitleInternalData", "Admin/GetTitleInternalData", "Admin/SetTitleInternalData"),
  );
}
