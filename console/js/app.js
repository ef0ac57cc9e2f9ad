// The console's entry point: sign-in, sign-out and the hash routes.

import { call, secretKey, signIn, signOut, titleEntity } from "./api.js";
import { alertBox, clear, el, notice } from "./dom.js";
import { groupPage, groupsPage } from "./group.js";
import { playerPage } from "./player.js";
import { playersPage } from "./players.js";
import { currentRoute } from "./router.js";
import { titleDataPage } from "./titledata.js";

const signInSection = document.getElementById("sign-in");
const signInForm = document.getElementById("sign-in-form");
const keyInput = document.getElementById("secret-key");
const signInAlert = document.getElementById("sign-in-alert");
const page = document.getElementById("page");
const nav = document.getElementById("nav");
const titleId = document.getElementById("title-id");

const PAGES = {
  players: (root) => playersPage(root),
  player: (root, id) => playerPage(root, id),
  groups: (root) => groupsPage(root),
  group: (root, id) => groupPage(root, id),
  "title-data": (root) => titleDataPage(root),
};

function showSignIn() {
  nav.hidden = true;
  titleId.textContent = "";
  clear(page);
  signInSection.hidden = false;
  document.title = "Sign in · Console";
  keyInput.focus();
}

function markCurrent(name) {
  for (const link of nav.querySelectorAll("a")) {
    const target = link.getAttribute("href").slice(2);
    if (target === name || (name === "player" && target === "players") || (name === "group" && target === "groups")) {
      link.setAttribute("aria-current", "page");
    } else {
      link.removeAttribute("aria-current");
    }
  }
}

async function render() {
  if (!secretKey()) {
    showSignIn();
    return;
  }
  signInSection.hidden = true;
  nav.hidden = false;
  const { page: name, argument } = currentRoute();
  const show = PAGES[name] || PAGES.players;
  markCurrent(name);
  clear(page);
  const flash = sessionStorage.getItem("console.flash");
  if (flash) {
    sessionStorage.removeItem("console.flash");
    page.append(notice(flash));
  }
  const root = el("div", { className: "view", "data-page": name });
  page.append(root);
  await show(root, argument);
  const heading = root.querySelector("h1");
  if (heading) {
    document.title = `${heading.textContent} · Console`;
    heading.focus();
  }
}

signInForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clear(signInAlert);
  const key = keyInput.value.trim();
  if (!key) return;
  signIn(key);
  try {
    await call("Admin/GetAllSegments", {});
  } catch (err) {
    signOut();
    signInAlert.append(alertBox(err.message));
    return;
  }
  keyInput.value = "";
  showTitle();
  render();
});

document.getElementById("sign-out").addEventListener("click", () => {
  signOut();
  showSignIn();
});

async function showTitle() {
  try {
    const entity = await titleEntity();
    titleId.textContent = entity && entity.Id ? entity.Id : "";
  } catch {
    titleId.textContent = "";
  }
}

window.addEventListener("hashchange", () => render());
if (secretKey()) showTitle();
render();
