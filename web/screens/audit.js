// The audit trail (route `audit`, under Manage; issue 21): who did what, to which record, when and
// from where. Workspace owners see their workspace's entries, relay owners every entry. Filters by
// person and by kind ask the relay again; "Older entries" pages back by `seq`. Each entry reads as a
// sentence of its kind (audit_sentences.js). Metadata only: the relay never puts task text in an
// entry, so nothing here can show any.
import { api } from "../api.js";
import { actionButton, clockTime, errorBox, errorMessage, fill, h } from "../dom.js";
import { t } from "../i18n.js";
import { describe } from "./audit_sentences.js";

export const title = "audit.title";

const filters = { person: "", kind: "" }; // survives leaving and re-entering the screen

/** Whether the person may open this screen (the relay checks again, by its policy). */
export const mayReadAudit = (auth) => Boolean(auth.permissions.manageMembers || auth.permissions.manageRelayUsers);

export function mount(ctx) {
  const person = h("select", { name: "person", "aria-label": t("audit.personFilter") });
  const kind = h("select", { name: "kind", "aria-label": t("audit.kindFilter") });
  const list = h("ul", { class: "list audit" });
  const more = h("div", { class: "toolbar" });
  const status = h("p", { class: "hint", role: "status" });
  const error = errorBox();
  const el = h("div", { class: "screen audit" },
    h("h1", {}, t("audit.heading")),
    h("p", { class: "hint" }, t(ctx.auth.isRelayOwner ? "audit.introRelay" : "audit.introWorkspace")),
    h("div", { class: "filters" }, person, kind), status, list, more, error);
  let current = ctx;
  let kinds = [];
  let loaded = [];
  let asked = 0; // the newest load wins when filters change quickly

  let drawnNames = ""; // the names the entries were drawn with: redrawn when the state view brings others

  function names(ctx) {
    const known = new Map();
    for (const m of ctx.state?.members || []) known.set(m.userId, m.displayName);
    for (const u of ctx.state?.users || []) known.set(u.userId, u.displayName);
    for (const e of loaded) if (e.actorUserId && !known.has(e.actorUserId)) known.set(e.actorUserId, e.actorDisplayName || e.actorUserId);
    return known;
  }

  function people(ctx) {
    return [...names(ctx)].sort((a, b) => a[1].localeCompare(b[1]));
  }

  function drawEntries() {
    const known = names(current);
    drawnNames = JSON.stringify([...known]);
    fill(list, loaded.map((entry) => entryRow(entry, (id) => known.get(id))));
  }

  function drawFilters() {
    fill(person, h("option", { value: "" }, t("audit.everyone")),
      people(current).map(([id, name]) => h("option", { value: id }, name)));
    person.value = filters.person;
    fill(kind, h("option", { value: "" }, t("audit.allKinds")),
      kinds.map((k) => h("option", { value: k }, kindLabel(k))));
    kind.value = filters.kind;
  }

  async function load(before) {
    const ticket = ++asked;
    fill(error);
    try {
      const reply = await api.auditTrail({ person: filters.person, kind: filters.kind, before });
      if (ticket !== asked) return;
      kinds = reply.kinds || [];
      loaded = before ? [...loaded, ...reply.events] : reply.events;
      drawEntries();
      fill(status, loaded.length ? t("audit.count", { count: loaded.length }) : t("audit.empty"));
      fill(more, reply.nextBefore ? actionButton(t("audit.older"), () => load(reply.nextBefore), { errorEl: error }) : null);
      drawFilters();
    } catch (err) {
      if (ticket === asked) fill(error, errorMessage(err));
      throw err;
    }
  }

  person.addEventListener("change", () => { filters.person = person.value; load().catch(() => {}); });
  kind.addEventListener("change", () => { filters.kind = kind.value; load().catch(() => {}); });
  drawFilters();
  load().catch(() => {});

  function update(ctx) {
    current = ctx;
    drawFilters(); // the state view brings the names of members and users
    if (JSON.stringify([...names(ctx)]) !== drawnNames) drawEntries(); // a sentence may name one of them
  }

  return { el, update };
}

function kindLabel(kind) {
  return t(`audit.kind.${kind}`, {}, kind);
}

/** One entry: its sentence and who acted, then when, which record, from where, details the sentence
 * does not say (all of them for a kind this app does not know yet) and its number. Text nodes only. */
function entryRow(entry, nameOf) {
  const who = entry.actorUserId ? (entry.actorDisplayName || entry.actorUserId) : t("audit.nobody");
  const { text, rest } = describe(entry, nameOf);
  const facts = [clockTime(entry.at), entry.recordType ? `${entry.recordType} ${entry.recordId || ""}`.trim() : "",
    entry.clientAddress ? t("audit.from", { address: entry.clientAddress }) : "", ...rest, `#${entry.seq}`];
  return h("li", { class: "audit-entry", "data-seq": String(entry.seq), "data-kind": entry.kind },
    h("p", {}, h("span", { class: "row-title" }, text), " ", h("span", { class: "meta" }, t("audit.by", { who }))),
    h("p", { class: "meta" }, facts.filter(Boolean).join(" · ")));
}
