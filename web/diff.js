// A unified diff as a card per file: the path, what happened to it (added, deleted, renamed), its
// added/removed counts, and its lines with old and new line numbers, coloured by kind. Git's own
// header lines (diff --git, index, ---/+++, modes) are read for the names and never shown. Folded
// until tapped unless asked open (an approval must show what it approves). Text nodes only; long
// lines wrap inside the card, so the page never scrolls sideways.
import { h } from "./dom.js";
import { t } from "./i18n.js";

function newFile(name) {
  return { name, oldName: null, kind: "update", added: 0, removed: 0, hunks: [], binary: false };
}

const KIND_LABEL = { add: "change.add", delete: "change.delete", rename: "change.rename" };

const stripPrefix = (path) => (path === "/dev/null" ? null : path.replace(/^[ab]\//, ""));

/** `{ files }`: each file with its name, kind, counts and hunks of numbered lines. A diff without
 * git headers (an approval's single file) is one file named "". */
export function parseDiff(text) {
  const files = [];
  let file = null;
  let hunk = null;
  let oldNo = 0;
  let newNo = 0;
  let oldLeft = 0;
  let newLeft = 0;
  for (const line of String(text || "").replace(/\n$/, "").split("\n")) {
    const counted = oldLeft > 0 || newLeft > 0; // a "--- x" inside a hunk is a removed line, not a header
    if (hunk && (counted ? /^[ +\-\\]/.test(line) || line === "" : /^([ \\]|[+-](?!(\+\+|--) ))/.test(line))) {
      const mark = line[0] || " ";
      if (mark === "+") {
        hunk.lines.push({ kind: "add", old: null, new: newNo++, text: line.slice(1) });
        file.added += 1;
        newLeft -= 1;
      } else if (mark === "-") {
        hunk.lines.push({ kind: "del", old: oldNo++, new: null, text: line.slice(1) });
        file.removed += 1;
        oldLeft -= 1;
      } else if (mark === "\\") {
        hunk.lines.push({ kind: "note", old: null, new: null, text: line.slice(1).trim() });
      } else {
        hunk.lines.push({ kind: "context", old: oldNo++, new: newNo++, text: line.slice(1) });
        oldLeft -= 1;
        newLeft -= 1;
      }
      continue;
    }
    hunk = null;
    if (line.startsWith("diff --git ")) {
      const names = /^diff --git a\/(.*?) b\/(.*)$/.exec(line);
      file = newFile(names ? names[2] : line.slice(11));
      files.push(file);
      continue;
    }
    if (!file && (line.startsWith("--- ") || line.startsWith("@@"))) files.push((file = newFile("")));
    if (!file) continue;
    if (line.startsWith("--- ")) {
      const old = stripPrefix(line.slice(4).trim());
      if (old === null) file.kind = "add";
      else file.oldName = old;
    } else if (line.startsWith("+++ ")) {
      const name = stripPrefix(line.slice(4).trim());
      if (name === null) file.kind = "delete";
      else file.name = name;
    } else if (line.startsWith("new file mode")) file.kind = "add";
    else if (line.startsWith("deleted file mode")) file.kind = "delete";
    else if (line.startsWith("rename from ")) file.oldName = line.slice(12);
    else if (line.startsWith("Binary files")) file.binary = true;
    const at = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/.exec(line);
    if (at) {
      oldNo = Number(at[1]);
      newNo = Number(at[3]);
      oldLeft = at[2] === undefined ? 1 : Number(at[2]);
      newLeft = at[4] === undefined ? 1 : Number(at[4]);
      hunk = { context: at[5], lines: [] };
      file.hunks.push(hunk);
    } // other git headers: read for the names, never shown
  }
  for (const f of files) if (f.kind === "update" && f.oldName && f.oldName !== f.name) f.kind = "rename";
  return { files };
}

/** The counts a file card shows: "+3 −1". */
export function counts(added, removed) {
  return [h("span", { class: "diff-count add" }, `+${added || 0}`), " ", h("span", { class: "diff-count del" }, `−${removed || 0}`)];
}

/** One card per file; `open` shows the lines at once, otherwise a tap does. `name` names a
 * headerless diff (an approval's change). */
export function renderDiff(text, { open = false, name = "" } = {}) {
  return parseDiff(text).files.map((file) => fileCard(file, open, name));
}

function fileCard(file, open, fallbackName) {
  const name = file.name || fallbackName;
  const shownName = file.kind === "rename" ? `${file.oldName} → ${name}` : name;
  const card = h("details", { class: "diff-file", "data-path": name, "data-kind": file.kind },
    h("summary", { class: "diff-file-head" },
      h("span", { class: "mono diff-path" }, shownName || t("task.diff")),
      KIND_LABEL[file.kind] ? h("span", { class: "hint" }, t(KIND_LABEL[file.kind])) : null,
      h("span", { class: "diff-counts" }, counts(file.added, file.removed))),
    file.binary && !file.hunks.length ? h("p", { class: "hint" }, t("diff.binary")) : null,
    file.hunks.length ? h("div", { class: "diff-lines mono", role: "table", "aria-label": shownName || t("task.diff") },
      file.hunks.map((hunk) => [
        h("div", { class: "dl dl-hunk", role: "row" }, h("span", { class: "ln", role: "cell" }, "…"), h("span", { class: "ln", role: "cell" }),
          h("span", { class: "dl-text", role: "cell" }, hunk.context || "")),
        hunk.lines.map(lineRow),
      ])) : null);
  card.open = open;
  return card;
}

function lineRow(line) {
  const mark = line.kind === "add" ? "+" : line.kind === "del" ? "−" : " ";
  return h("div", { class: `dl dl-${line.kind}`, role: "row" },
    h("span", { class: "ln ln-old", role: "cell" }, line.old === null ? "" : String(line.old)),
    h("span", { class: "ln ln-new", role: "cell" }, line.new === null ? "" : String(line.new)),
    h("span", { class: "dl-text", role: "cell" }, line.kind === "note" ? line.text : `${mark} ${line.text}`));
}
