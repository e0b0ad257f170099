// A unified diff as readable lines: files with +/- counts, then each line coloured by kind.
// Text nodes only; long lines wrap (no sideways scrolling on a phone).
import { h } from "./dom.js";
import { t } from "./i18n.js";

export function parseDiff(text) {
  const files = [];
  let file = null;
  const lines = text.replace(/\n$/, "").split("\n").map((line) => {
    let kind = "context";
    if (line.startsWith("diff --git ")) {
      kind = "file";
      file = { name: line.replace(/^diff --git a\/(.*?) b\/.*$/, "$1"), added: 0, removed: 0 };
      files.push(file);
    } else if (/^(\+\+\+|---) /.test(line) || /^(index|new file|deleted file|similarity|rename|old mode|new mode) /.test(line)) {
      kind = "file";
    } else if (line.startsWith("@@")) {
      kind = "hunk";
    } else if (line.startsWith("+")) {
      kind = "add";
      if (file) file.added += 1;
    } else if (line.startsWith("-")) {
      kind = "del";
      if (file) file.removed += 1;
    }
    return { kind, line };
  });
  return { files, lines };
}

export function renderDiff(text) {
  const { files, lines } = parseDiff(text);
  return [
    files.length
      ? h("ul", { class: "diff-files" }, files.map((f) =>
          h("li", {}, h("span", { class: "mono" }, f.name), " ",
            h("span", { class: "diff-count add" }, `+${f.added}`), " ",
            h("span", { class: "diff-count del" }, `−${f.removed}`))))
      : null,
    h("pre", { class: "diff-lines mono", "aria-label": t("task.diff") },
      lines.map(({ kind, line }) => h("span", { class: `dl dl-${kind}` }, line || " ", "\n"))),
  ];
}
