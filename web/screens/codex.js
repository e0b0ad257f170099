// The Codex prompt box: agent, prompt, working folder, exec mode (write modes only where the
// relay and the agent both allow writing; the conversation modes `chat` and `supervised` when the
// agent offers them, each with what it risks). Submitting opens the task, whose output streams in.
import { createTask, needsSignature, signMark } from "../signing.js";
import { errorBox, field, fill, form, h, link } from "../dom.js";
import { t } from "../i18n.js";
import { canRun, execModes } from "../flags.js";
import { codexBody } from "./codex_body.js";

export const title = "codex.title";

let draft = { agentId: "", prompt: "", cwd: "", mode: "read-only", model: "", effort: "" }; // kept while the app is open

export function mount(ctx) {
  if (ctx.params[0]) draft.agentId = ctx.params[0];
  const agent = h("select", { name: "agentId" });
  const prompt = h("textarea", { name: "prompt", rows: "6", maxlength: "12000", placeholder: t("codex.promptPlaceholder") });
  const cwd = h("input", { type: "text", name: "cwd", maxlength: "240", placeholder: ".", autocapitalize: "off", spellcheck: "false" });
  const mode = h("select", { name: "execMode" });
  const modeHint = h("p", { class: "hint" });
  const modeInfo = h("p", { class: "hint mode-info" });
  const agentHint = h("p", { class: "hint" });
  const signedOut = h("p", { class: "warn signed-out" }, t("codex.notSignedIn"));
  // A conversation's model and reasoning effort, among those the agent's config allows (none: its default).
  const model = h("select", { name: "model" });
  const effort = h("select", { name: "effort" });
  const modelField = field(t("codex.modelLabel"), model);
  const effortField = field(t("codex.effortLabel"), effort);
  model.addEventListener("change", () => { draft.model = model.value; });
  effort.addEventListener("change", () => { draft.effort = effort.value; });
  const submit = h("button", { type: "submit", class: "button primary wide" }, t("codex.run"));
  const error = errorBox();
  prompt.value = draft.prompt;
  cwd.value = draft.cwd;
  prompt.addEventListener("input", () => { draft.prompt = prompt.value; });
  cwd.addEventListener("input", () => { draft.cwd = cwd.value; });
  agent.addEventListener("change", () => { draft.agentId = agent.value; update(current); });
  mode.addEventListener("change", () => { draft.mode = mode.value; update(current); });

  const promptForm = form("stack", [
    field(t("codex.agentLabel"), agent), agentHint, signedOut,
    field(t("codex.promptLabel"), prompt),
    field(t("codex.cwdLabel"), cwd, t("codex.cwdHint")),
    field(t("codex.modeLabel"), mode), modeInfo, modeHint, modelField, effortField,
    submit, error,
  ], async () => {
    if (!prompt.value.trim()) throw { code: "prompt-required" };
    const chosen = modesNow.find((m) => m.mode.id === mode.value);
    const body = codexBody({
      agentId: agent.value, prompt: prompt.value, mode: chosen ? chosen.mode : { id: mode.value }, cwd: cwd.value,
      model: modelField.hidden ? "" : model.value, effort: effortField.hidden ? "" : effort.value,
    });
    const reply = await createTask(current, body);
    draft.prompt = "";
    current.refresh();
    current.go(`#/task/${encodeURIComponent(reply.task.taskId)}`);
  }, error);
  const empty = h("section", { class: "card" }, h("p", {}, t("codex.noAgents")), link(t("agents.pair"), "#/pair", "primary"));
  const el = h("div", { class: "screen codex" }, h("h1", {}, t("codex.heading")), empty, h("section", { class: "card" }, promptForm),
    h("nav", { class: "menu" }, link(t("codex.sessions"), "#/sessions")));
  let current = ctx;
  let modesNow = [];

  function update(ctx) {
    current = ctx;
    const agents = ((ctx.state && ctx.state.agents) || []).filter((a) => !a.revokedAt);
    empty.hidden = !ctx.state || agents.length > 0;
    promptForm.parentElement.hidden = !agents.length;
    if (!agents.length) return;
    if (!agents.some((a) => a.agentId === draft.agentId)) draft.agentId = agents[0].agentId;
    const signature = agents.map((a) => `${a.agentId}:${a.label}`).join("|");
    if (agent.dataset.signature !== signature) {
      fill(agent, agents.map((a) => h("option", { value: a.agentId }, a.label || a.agentId)));
      agent.dataset.signature = signature;
    }
    agent.value = draft.agentId;
    const chosen = agents.find((a) => a.agentId === draft.agentId);
    const runnable = canRun("codex_exec", { ...ctx, agent: chosen });
    agentHint.textContent = runnable.allowed ? "" : t("codex.disabled", { reason: t(runnable.reason) });
    agentHint.hidden = runnable.allowed;
    // Only an agent that offers conversations asked Codex (account/read); otherwise false means "not asked".
    signedOut.hidden = !chosen || chosen.codexSignedIn !== false || !(chosen.execModes || []).some((m) => m.interactive);
    modesNow = execModes({ ...ctx, agent: chosen });
    const modeSignature = JSON.stringify(modesNow);
    if (mode.dataset.signature !== modeSignature) {
      fill(mode, modesNow.map(({ mode: m, allowed }) =>
        h("option", { value: m.id, disabled: !allowed },
          `${t(`mode.${m.id}`, {}, m.label || m.id)}${m.interactive ? ` · ${t("codex.conversation")}` : ""}${m.writes ? ` · ${t("codex.writes")}` : ""}`)));
      mode.dataset.signature = modeSignature;
    }
    if (!modesNow.some((m) => m.mode.id === draft.mode && m.allowed)) draft.mode = (modesNow.find((m) => m.allowed) || { mode: { id: "" } }).mode.id;
    mode.value = draft.mode;
    const picked = modesNow.find((m) => m.mode.id === draft.mode);
    modeInfo.textContent = picked ? modeRisk(picked.mode) : "";
    const conversation = !!(picked && picked.mode.interactive);
    choices(modelField, model, conversation ? chosen.conversationModels : null, "model");
    choices(effortField, effort, conversation ? chosen.conversationEfforts : null, "effort");
    const blockedWrite = modesNow.find((m) => m.mode.writes && !m.allowed);
    modeHint.textContent = blockedWrite ? t("codex.writeDisabled", { reason: t(blockedWrite.reason) }) : "";
    modeHint.hidden = !blockedWrite;
    mode.disabled = modesNow.filter((m) => m.allowed).length < 2;
    submit.disabled = !runnable.allowed;
    signMark(submit, !!picked && needsSignature(ctx, codexBody({ agentId: draft.agentId, prompt: "", mode: picked.mode })));
  }
  update(ctx);
  return { el, update };
}

/** What a mode lets Codex do, so the person knows the risk before choosing it (docs/feature-flags.md). */
function modeRisk(mode) {
  const known = t(`modeInfo.${mode.id}`, {}, null);
  if (known) return known;
  if (mode.interactive) return t(mode.writes ? "modeInfo.otherSupervised" : "modeInfo.otherChat");
  return t(mode.writes ? "modeInfo.otherWrites" : "modeInfo.otherReadOnly");
}

/** Fill a model or effort select with what the agent allows ("" = the agent's default); hide it when
 * the agent offers no choice or the mode is not a conversation. */
function choices(wrapper, select, offered, key) {
  const values = Array.isArray(offered) ? offered.filter((v) => typeof v === "string" && v) : [];
  wrapper.hidden = !values.length;
  const signature = JSON.stringify(values);
  if (select.dataset.signature !== signature) {
    fill(select, h("option", { value: "" }, t("codex.agentDefault")), values.map((v) => h("option", { value: v }, v)));
    select.dataset.signature = signature;
  }
  select.value = values.includes(draft[key]) ? draft[key] : "";
}
