"""The relay's config model: every key of PRODUCT.md's relay table with its default and range.

`storage` and `plugins.config` are checked with the plugins' models (core/config/plugin_sections.py).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import attrs
import platformdirs

from ..features import FeatureFlags
from ..identity import APP_DIR_NAME
from .common import PluginsConfig, features
from .schema import (
    Invalid,
    boolean,
    choice,
    http_url,
    integer,
    network_list,
    path,
    plugin_owned,
    section,
    setting,
    shown,
    string,
    string_list,
)

@attrs.frozen(kw_only=True)
class PasskeysConfig:
    enabled: bool = setting(True, boolean)
    rp_name: str = setting("Mobile Codex", string(non_empty=True))
    rp_id: str = setting("", string())  # "" = publicOrigin's host
    user_verification: str = setting("preferred", choice("required", "preferred", "discouraged"))
    timeout_ms: int = setting(60000, integer(10000, 600000))
    challenge_ttl_ms: int = setting(300000, integer(30000, 3600000))


@attrs.frozen(kw_only=True)
class AuthConfig:
    passkeys: PasskeysConfig = setting(PasskeysConfig(), section(PasskeysConfig))


@attrs.frozen(kw_only=True)
class WebConfig:
    app_name: str = setting("Mobile Codex", string(non_empty=True))
    poll_interval_ms: int = setting(2500, integer(250, 60000))
    pair_command_config_path_hint: str = setting("", string())


@attrs.frozen(kw_only=True)
class StorageConfig:
    """The `storage` section as the chosen backend receives it (`StorageBackendSpec.open`).

    `backend` is checked against the loaded storage plugins; the keys beside it by that backend's
    model, whose instance is `settings` (None only when a caller builds this by hand: use the
    model's defaults then). `data_dir` is the relay's `dataDir`, for the backend's defaults.
    """

    backend: str = setting("sqlite", string(non_empty=True))
    data_dir: Path | None = None
    settings: object = None

    def file_path(self, default_name: str) -> Path:
        """For a backend that keeps one file (`FileStorageSettings`): its `path`, else `<dataDir>/<default_name>`."""
        configured = getattr(self.settings, "path", None)
        return configured or Path(self.data_dir) / default_name


@attrs.frozen(kw_only=True)
class FileStorageSettings:
    """The keys of `storage` beside `backend` for a backend that keeps one file (sqlite, json)."""

    path: Path | None = setting(None, path())  # none: a file of the backend's name in dataDir


def _volatile_url(value, ctx, key, issues):
    """A redis URL without a password in it: the password comes from passwordEnv or passwordFile."""
    url = string()(value, ctx, key, issues)
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise Invalid(f"expected a redis://, rediss:// or unix:// URL, got {shown(url)}")
        if parts.password:
            raise Invalid("must not contain a password: put it in a file (passwordFile) or an environment variable (passwordEnv)")
    return url


@attrs.frozen(kw_only=True)
class VolatileConfig:
    """`volatile`: where the state every replica must share and no disk may hold lives (core/volatile_store.py)."""

    backend: str = setting("memory", string(non_empty=True))  # checked against the loaded volatile backends
    url: str = setting("", _volatile_url)
    password_env: str = setting("", string())
    password_file: Path | None = setting(None, path())
    accept_persistence: bool = setting(False, boolean)

    @staticmethod
    def finish(values, ctx, **_):
        if values.get("backend", "memory") != "memory" and not values.get("url"):
            return [("url", f"required for backend {values['backend']!r}")]
        if values.get("password_env") and values.get("password_file"):
            return [("passwordFile", "expected either passwordEnv or passwordFile, not both")]
        return []


@attrs.frozen(kw_only=True)
class ServerConfig:
    threads: int = setting(64, integer(16, 2048))
    connection_limit: int = setting(0, integer(1, 1_000_000))  # 0 before finish() = threads + 100
    one_core: bool = setting(True, boolean)  # the serving threads kept on one CPU (relay_app/cpu_placement.py)

    @staticmethod
    def finish(values, ctx, **_):
        threads = values.get("threads", 64)
        limit = values.setdefault("connection_limit", threads + 100)
        if limit < threads + 100:
            return [("connectionLimit", f"expected at least threads + 100 = {threads + 100}, got {limit}")]
        return []


@attrs.frozen(kw_only=True)
class LimitsConfig:
    """Per-workspace and per-user quotas: one workspace or user cannot crowd out the others."""

    max_unfinished_tasks_per_workspace: int = setting(200, integer(1, 100000))
    max_task_creates_per_user_per_minute: int = setting(60, integer(1, 100000))
    max_active_invitations_per_workspace: int = setting(100, integer(1, 100000))
    max_invitation_creates_per_user_per_minute: int = setting(20, integer(1, 100000))


# Push services of Chrome/Android, Firefox, Safari/Apple and Edge/Windows: the only hosts Web Push sends to
# unless the operator lists others. A user-supplied endpoint must never make the relay call any address.
DEFAULT_PUSH_HOSTS = ("fcm.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com", "*.notify.windows.com")
PUSH_HOST_PATTERN = r"(\*\.)?[a-z0-9.-]+|http://[a-z0-9.-]+(:[0-9]{1,5})?"
VAPID_KEY_PATTERN = r"[A-Za-z0-9_-]{43}"  # a P-256 private key: 32 bytes, base64url without padding


@attrs.frozen(kw_only=True)
class WebPushConfig:
    """`notifications.webPush`: the built-in Web Push notifier (plugins/notifiers/web_push.py).

    `vapidPrivateKey` is a relay secret like `tokenSecret` (init-relay writes it); without it Web Push
    is off. `allowedHosts` entries: `host` or `*.domain` (https only), `http://host[:port]` (plain
    http to exactly that host and port: tests on loopback).
    """

    vapid_private_key: str = setting("", string(pattern=rf"({VAPID_KEY_PATTERN})?", expected="43 base64url characters (a raw P-256 private key)"))
    subject: str = setting("", string(pattern=r"(mailto:\S+@\S+|https://\S+)?", expected="mailto:ADDRESS or an https URL"))  # VAPID `sub`
    allowed_hosts: tuple = setting(DEFAULT_PUSH_HOSTS, string_list(item=string(pattern=PUSH_HOST_PATTERN, expected="host, *.domain or http://host[:port]")))
    include_text: bool = setting(False, boolean)  # task text (`detail`) in the encrypted payload (or notifications.includeText)
    max_devices_per_user: int = setting(10, integer(1, 100))
    ttl_sec: int = setting(86400, integer(0, 2419200))  # how long a push service keeps an undelivered message
    timeout_sec: int = setting(10, integer(1, 120))  # one POST to a push service


@attrs.frozen(kw_only=True)
class NotificationsConfig:
    """How the relay delivers notifications (relay_app/services/notifications): never on a request's
    thread, from a bounded in-memory queue that drops its oldest delivery when full."""

    queue_size: int = setting(1000, integer(10, 100000))  # deliveries waiting, all channels together
    workers: int = setting(2, integer(1, 16))  # threads handing deliveries to the channels
    retries: int = setting(3, integer(0, 10))  # more tries after a channel's 429/5xx (DeliveryFailed.retry_after)
    retry_max_delay_sec: int = setting(60, integer(1, 3600))  # the longest wait before a retry
    timeout_sec: int = setting(10, integer(1, 120))  # the most one delivery may take (a channel may ask less)
    include_text: bool = setting(False, boolean)  # channels' default: task text (prompt, command) in notifications
    web_push: WebPushConfig = setting(WebPushConfig(), section(WebPushConfig))


@attrs.frozen(kw_only=True)
class RelayConfig:
    listen_host: str = setting("127.0.0.1", string(non_empty=True))
    listen_port: int = setting(8787, integer(1, 65535))
    public_origin: str = setting("", http_url(origin_only=True))  # "" before finish()
    data_dir: Path = setting(None, path())
    session_ttl_sec: int = setting(43200, integer(300, 2592000))
    retention_days: int = setting(90, integer(1, 3650))  # ours: finished tasks and spent codes are kept this long
    max_login_attempts_per_minute: int = setting(10, integer(1, 100000))
    max_pair_attempts_per_minute: int = setting(20, integer(1, 100000))
    bootstrap_admin_token_hash: str = setting(
        parse=string(pattern=r"[0-9a-f]{64}", expected="64 lowercase hex characters (SHA-256)")
    )
    token_secret: str = setting(parse=string(min_len=32))
    # ours (issue 21): the Ed25519 key that signs audit exports, a relay secret like tokenSecret
    # (init-relay writes it; the same on every replica). Without it `audit export` refuses.
    audit_private_key: str = setting("", string(pattern=r"([A-Za-z0-9_-]{43})?", expected="43 base64url characters (a raw Ed25519 private key)"))
    auth: AuthConfig = setting(AuthConfig(), section(AuthConfig))
    features: FeatureFlags = setting(FeatureFlags(), features)
    web: WebConfig = setting(WebConfig(), section(WebConfig))
    storage: StorageConfig = setting(StorageConfig(), plugin_owned)  # checked with the backend's model
    volatile: VolatileConfig = setting(VolatileConfig(), section(VolatileConfig))
    plugins: PluginsConfig = setting(PluginsConfig(), section(PluginsConfig))
    server: ServerConfig = setting(None, section(ServerConfig))
    limits: LimitsConfig = setting(LimitsConfig(), section(LimitsConfig))
    notifications: NotificationsConfig = setting(NotificationsConfig(), section(NotificationsConfig))
    trusted_proxies: tuple = setting((), network_list)

    @staticmethod
    def finish(values, ctx, **_):
        port = values.get("listen_port", 8787)
        values.setdefault("public_origin", f"http://localhost:{port}")
        values.setdefault("data_dir", Path(platformdirs.user_data_dir(APP_DIR_NAME)) / "relay")
        if values.get("server") is None:
            values["server"] = ServerConfig(threads=64, connection_limit=164)
        return []

    @property
    def rp_id(self) -> str:
        """The WebAuthn relying-party id: configured, or publicOrigin's host."""
        return self.auth.passkeys.rp_id or (urlsplit(self.public_origin).hostname or "")

    @property
    def is_https(self) -> bool:
        return self.public_origin.startswith("https://")


# Keys only a relay config has (used to tell a relay config from an agent config).
RELAY_MARKER_KEYS = frozenset({"bootstrapAdminTokenHash", "tokenSecret", "listenPort", "publicOrigin", "dataDir"})
