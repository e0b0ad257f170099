// The box at the bottom of Home that starts a conversation: the prompt (focused when Home opens),
// a Send button, and the agent and mode as small choices shown only when there is a choice to make.
// The full form (folder, model, effort) is one link away. What is typed survives live updates and
// leaving Home while the app is open.
import { createTask, needsSignature, signMark } from "../signing.js";
import { errorBox, fill, form, h, link } from "../dom.js";
import { t } from "../i18n.js";
import { canRun, execModes, isOnline } from "../flags.js";
import { codexBody } from "./codex_body.js";

const draft = { agentId: "", mode: "", picked: false, prompt: "" }; // picked: the person chose the mode

/** The mode a new conversation starts in: a conversation that only reads (so a reply continues it),
 * else a one-off read-only run, else whatever is allowed first. */
function defaultMode(modes) {
  const allowed = modes.filter((m) => m.allowed).map((m) => m.mode);
  return (allowed.find((m) => m.interactive && !m.writes) || allowed.find((m) => !m.writes) || allowed[0] || { id: "" }).id;
}

export function homeComposer(getCtx) {
  const agent = h("select", { name: "agentId", class: "compact", "aria-label": t("home.agentLabel") });
  const mode = h("select", { name: "execMode", class: "compact", "aria-label": t("home.modeLabel") });
  const options = h("a", { class: "button compact-link", href: "#/codex" }, t("home.moreOptions"));
  const prompt = h("textarea", { name: "prompt", rows: "2", maxlength: "12000", "aria-label": t("home.promptLabel"), placeholder: t("home.promptPlaceholder") });
  const send = h("button", { type: "submit", class: "button primary send" }, t("home.send"));
  const error = errorBox();
  const hint = h("p", { class: "hint" });
  const empty = h("div", { class: "composer-empty" });
  let modesNow = [];
  prompt.value = draft.prompt;
  prompt.addEventListener("input", () => { draft.prompt = prompt.value; error.textContent = ""; });
  agent.addEventListener("change", () => { draft.agentId = agent.value; draft.mode = ""; draft.picked = false; update(getCtx()); });
  mode.addEventListener("change", () => { draft.mode = mode.value; draft.picked = true; update(getCtx()); });

  const box = form("home-composer", [
    h("div", { class: "composer-choices" }, agent, mode, options),
    hint,
    h("div", { class: "composer-row" }, prompt, send),
    error,
  ], async () => {
    if (!prompt.value.trim()) {
      prompt.focus();
      throw { code: "prompt-required" };
    }
    const chosen = modesNow.find((m) => m.mode.id === mode.value);
    const reply = await createTask(getCtx(), codexBody({ agentId: agent.value, prompt: prompt.value, mode: chosen ? chosen.mode : { id: mode.value } }));
    draft.prompt = "";
    prompt.value = "";
    const ctx = getCtx();
    ctx.refresh();
    ctx.go(`#/task/${encodeURIComponent(reply.task.taskId)}`);
  }, error);
  const el = h("section", { class: "card composer-card", "aria-label": t("home.newHeading") }, empty, box);

  function update(ctx) {
    const agents = ((ctx.state && ctx.state.agents) || []).filter((a) => !a.revokedAt);
    box.hidden = !agents.length;
    fill(empty, ctx.state && !agents.length ? [
      h("p", {}, t("home.noAgents")),
      ctx.auth.permissions.pairAgents ? link(t("agents.pair"), "#/pair", "primary") : h("p", { class: "hint" }, t("reason.role")),
    ] : null);
    empty.hidden = !ctx.state || agents.length > 0;
    if (!agents.length) return;
    if (!agents.some((a) => a.agentId === draft.agentId)) {
      draft.agentId = (agents.find((a) => isOnline(a, ctx.state)) || agents[0]).agentId;
    }
    const signature = agents.map((a) => `${a.agentId}:${a.label}`).join("|");
    if (agent.dataset.signature !== signature) {
      fill(agent, agents.map((a) => h("option", { value: a.agentId }, a.label || a.agentId)));
      agent.dataset.signature = signature;
    }
    agent.value = draft.agentId;
    agent.hidden = agents.length < 2;
    const chosen = agents.find((a) => a.agentId === draft.agentId);
    const runnable = canRun("codex_exec", { ...ctx, agent: chosen });
    modesNow = execModes({ ...ctx, agent: chosen });
    const allowed = modesNow.filter((m) => m.allowed);
    const modeSignature = JSON.stringify(allowed.map((m) => m.mode.id));
    if (mode.dataset.signature !== modeSignature) {
      fill(mode, allowed.map(({ mode: m }) => h("option", { value: m.id }, t(`mode.${m.id}`, {}, m.label || m.id))));
      mode.dataset.signature = modeSignature;
    }
    // Until the person picks one, the default follows what the agent offers now: an agent listed
    // before it said its modes offers only the built-in read-only run, and that must not stick.
    if (!draft.picked || !allowed.some((m) => m.mode.id === draft.mode)) draft.mode = defaultMode(modesNow);
    mode.value = draft.mode;
    mode.hidden = allowed.length < 2;
    options.href = `#/codex/${encodeURIComponent(draft.agentId)}`;
    hint.textContent = runnable.allowed ? "" : t("codex.disabled", { reason: t(runnable.reason) });
    send.disabled = !runnable.allowed || !draft.mode;
    const picked = allowed.find((m) => m.mode.id === draft.mode);
    signMark(send, !!picked && needsSignature(ctx, codexBody({ agentId: draft.agentId, prompt: "", mode: picked.mode })));
  }

  /** Put the cursor in the prompt; false while the box is not shown (no state or no agent yet). */
  function focus() {
    if (box.hidden) return false;
    prompt.focus({ preventScroll: true });
    return document.activeElement === prompt;
  }

  return { el, update, focus };
}
