// Building the page: every API value goes in as text, never as markup.

export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "text") {
      node.textContent = String(value);
    } else if (name === "className") {
      node.className = value;
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

let ids = 0;
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

// An alert a screen reader announces, with an optional action (e.g. a reload button).
export function alertBox(message, action) {
  return el("div", { role: "alert", className: "alert" }, el("p", { text: message }), action || null);
}

export function notice(message) {
  return el("p", { role: "status", className: "notice", text: message });
}

// A labelled input; returns [wrapper, input].
export function field(label, attributes) {
  const id = uid("f");
  const input = el(attributes && attributes.multiline ? "textarea" : "input", {
    id,
    ...attributes,
    multiline: undefined,
  });
  return [el("div", { className: "field" }, el("label", { for: id, text: label }), input), input];
}

export function button(text, onclick, attributes) {
  return el("button", { type: "button", onclick, ...attributes }, text);
}

export function when(timestamp) {
  if (!timestamp) return "";
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? String(timestamp) : date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

// Runs `work`, showing an API error in `place` (cleared first); returns the result, or undefined on error.
export async function guarded(place, work) {
  clear(place);
  try {
    return await work();
  } catch (err) {
    place.append(alertBox(err && err.message ? err.message : String(err)));
    return undefined;
  }
}

export function definitions(pairs) {
  const list = el("dl", { className: "facts" });
  for (const [term, value] of pairs) {
    if (value === undefined || value === null || value === "") continue;
    list.append(el("dt", { text: term }), el("dd", {}, value));
  }
  return list;
}
