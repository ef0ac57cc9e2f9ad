// The data families the console edits, as shared/features/data_families.py declares them (a test checks
// the two lists agree). A player's families are read and written on the Admin API, a character's on the
// Server API (the Admin API has none): Get<api>Data and Update<api>Data.

export const FAMILIES = [
  { api: "User", scope: "player", label: "User data", permission: true },
  { api: "UserReadOnly", scope: "player", label: "Read-only data", permission: true },
  { api: "UserInternal", scope: "player", label: "Internal data", permission: false },
  { api: "UserPublisher", scope: "player", label: "Publisher data", permission: true },
  { api: "UserPublisherReadOnly", scope: "player", label: "Publisher read-only data", permission: true },
  { api: "UserPublisherInternal", scope: "player", label: "Publisher internal data", permission: false },
  { api: "Character", scope: "character", label: "Character data", permission: true },
  { api: "CharacterReadOnly", scope: "character", label: "Character read-only data", permission: true },
  { api: "CharacterInternal", scope: "character", label: "Character internal data", permission: true },
];

export function familyPaths(family) {
  const api = family.scope === "player" ? "Admin" : "Server";
  return { get: `${api}/Get${family.api}Data`, update: `${api}/Update${family.api}Data` };
}
