// Settings → Notifications: turn Web Push on for this device (the permission prompt shows only when
// the person asks), this user's devices with revoke, which events to receive, and a test. On an
// iPhone outside the Home Screen app the screen says why nothing can be turned on yet.
import { api } from "../api.js";
import { actionButton, ago, clockTime, confirmButton, errorBox, errorMessage, field, fill, h, section } from "../dom.js";
import { t } from "../i18n.js";
import { isIos, isStandalone, permission, pushSupported, subscribe } from "../push.js";
import { guard } from "./people_parts.js";

export const title = "notifications.title";

export function mount(ctx) {
  const error = errorBox();
  const devicesEl = h("div", { class: "devices" }, h("p", { class: "hint loading" }, t("common.loading")));
  const kindsEl = h("div", { class: "kinds" }, h("p", { class: "hint loading" }, t("common.loading")));
  const status = h("p", { class: "meta", role: "status", "data-push-status": "" });
  const turnOnError = errorBox();
  const testStatus = h("p", { class: "meta", role: "status" });
  const label = h("input", { type: "text", name: "deviceLabel", maxlength: "120", value: t("notifications.defaultLabel") });
  let publicKey = "";
  const now = () => (ctx.state ? Date.parse(ctx.state.now) : Date.now());

  const showPermission = () => { status.textContent = t(`notifications.permission.${permission()}`); };

  async function loadDevices() {
    try {
      const answer = await api.notificationDevices();
      publicKey = answer.publicKey || "";
      fill(devicesEl, deviceList(answer.devices || []));
    } catch (err) {
      fill(devicesEl, h("p", { class: "error" }, errorMessage(err)));
    }
  }

  function deviceList(devices) {
    if (!devices.length) return h("p", {}, t("notifications.noDevices"));
    return h("ul", { class: "list" }, devices.map((d) => h("li", {}, h("article", { class: "person", "data-device-id": d.deviceId },
      h("h3", {}, d.label || d.endpointHost),
      h("p", { class: "meta" }, d.endpointHost),
      h("p", { class: "meta" }, t("notifications.added", { when: clockTime(d.createdAt) }), " · ",
        d.lastUsedAt ? t("notifications.lastUsed", { when: ago(d.lastUsedAt, now()) }) : t("notifications.neverUsed")),
      confirmButton(t("notifications.revoke"), t("notifications.revokeConfirm"), async () => {
        await api.revokeNotificationDevice(d.deviceId);
        await loadDevices();
      }, { errorEl: error })))));
  }

  async function loadPreferences() {
    try {
      showKinds((await api.notificationPreferences()).preferences.kinds || {});
    } catch (err) {
      fill(kindsEl, h("p", { class: "error" }, errorMessage(err)));
    }
  }

  function showKinds(kinds) {
    fill(kindsEl, h("ul", { class: "list checks" }, Object.keys(kinds).map((kind) => {
      const box = h("input", { type: "checkbox", name: `kind-${kind}`, "data-kind": kind, checked: kinds[kind] });
      box.addEventListener("change", async () => {
        box.disabled = true;
        fill(error);
        try {
          showKinds((await api.setNotificationPreferences({ ...kinds, [kind]: box.checked })).preferences.kinds);
        } catch (err) {
          box.checked = !box.checked;
          box.disabled = false;
          fill(error, errorMessage(err));
        }
      });
      return h("li", {}, h("label", { class: "check" }, box, h("span", {}, t(`notifications.kind.${kind}`, {}, kind))));
    })));
  }

  const turnOn = actionButton(t("notifications.turnOn"), async () => {
    if (!publicKey) await loadDevices();
    try {
      const subscription = await subscribe(publicKey);
      await api.addNotificationDevice(subscription.endpoint, subscription.keys, label.value.trim() || t("notifications.defaultLabel"));
    } finally {
      showPermission();
    }
    await loadDevices();
  }, { errorEl: turnOnError, kind: "primary wide" });
  turnOn.setAttribute("data-turn-on", "");

  const iosNote = isIos() && !isStandalone();
  showPermission();
  loadDevices();
  loadPreferences();

  const el = h("div", { class: "screen notifications" },
    h("h1", {}, t("notifications.heading")),
    iosNote ? h("p", { class: "hint guard", "data-ios-note": "" }, t("notifications.iosNote")) : null,
    section(t("notifications.thisDevice"),
      h("p", {}, t("notifications.intro")),
      status,
      pushSupported() ? null : guard(t("error.push-unsupported")),
      field(t("notifications.labelLabel"), label, t("notifications.labelHint")),
      turnOn, turnOnError),
    section(t("notifications.devicesHeading"), devicesEl),
    section(t("notifications.kindsHeading"), h("p", { class: "hint" }, t("notifications.kindsHint")), kindsEl),
    section(null,
      actionButton(t("notifications.test"), async () => {
        testStatus.textContent = "";
        const { queued } = await api.testNotification();
        testStatus.textContent = t(queued ? "notifications.testSent" : "notifications.testNoChannel");
      }, { errorEl: error, kind: "wide" }),
      testStatus),
    error);
  return { el };
}
