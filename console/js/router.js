// Hash routes: #/players, #/player/<PlayFabId>, #/group/<SharedGroupId>, #/groups, #/title-data.

export function currentRoute() {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [page, ...rest] = hash.split("/");
  let argument = "";
  try {
    argument = decodeURIComponent(rest.join("/"));
  } catch {
    argument = "";
  }
  return { page: page || "players", argument };
}

export function href(page, argument) {
  return argument === undefined ? `#/${page}` : `#/${page}/${encodeURIComponent(argument)}`;
}

export function go(page, argument) {
  window.location.hash = href(page, argument);
}
