"""Packaging: one import package, `mobile_codex`, built from the top-level folders.

The customer's layout keeps `core/`, `plugins/`, `relay_app/`, ... at the repository root;
`package_dir` maps each onto a subpackage so nothing generic lands at the top of site-packages.
"""

from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).parent

# folder -> subpackage of mobile_codex (each folder is a package; nested packages are found below)
FOLDERS = {
    "core": "core",
    "plugins": "plugins",
    "relay_app": "relay_app",
    "agent_app": "agent_app",
    "cli": "cli",
    "web": "web",
}


def _packages():
    # `mobile_codex` itself is a namespace package: it has no folder of its own.
    package_dir = {}
    packages = []
    for folder, sub in FOLDERS.items():
        for init in sorted((ROOT / folder).rglob("__init__.py")):
            rel = init.parent.relative_to(ROOT)
            if "__pycache__" in rel.parts:
                continue
            name = "mobile_codex." + ".".join((sub, *rel.parts[1:]))
            packages.append(name)
            package_dir[name] = rel.as_posix()
    return packages, package_dir


def _web_assets():
    web = ROOT / "web"
    return sorted(
        p.relative_to(web).as_posix()
        for p in web.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    )


packages, package_dir = _packages()

setup(
    name="mobile-codex",
    version="0.1.0",
    description="Self-hosted, mobile-first remote control for the Codex CLI",
    long_description=(ROOT / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=packages,
    package_dir=package_dir,
    package_data={"mobile_codex.web": _web_assets()},
    include_package_data=False,
    install_requires=[
        "attrs>=23.1",
        "pluggy>=1.5,<2",
        "platformdirs>=4",
        "falcon>=4,<5",
        "waitress>=3,<4",
        "webauthn>=3,<4",
        # RFC 8785 (JCS) canonical JSON: the digest of an approval request (API.md "Interactive Codex")
        "rfc8785>=0.1.4,<0.2",
        # Web Push (RFC 8030/8291/8292): VAPID signing and aes128gcm payload encryption, not hand-made crypto
        "pywebpush>=2,<3",
        "py-vapid>=1.9,<2",
        "http-ece>=1.2,<2",
        # core/web_push.py checks device keys and derives the VAPID public key (already needed by webauthn)
        "cryptography>=41",
        # plugins/volatile/redis: the shared volatile store and wake-up bus of several relay replicas (issue 19)
        "redis>=5,<7",
        # the `postgres` storage backend (issue 19): several relays on one database operators already run
        "psycopg[binary]>=3.1,<4",
        "psycopg-pool>=3.2,<4",
        # plugins/filters/secrets: the agent's built-in redactor (issue 21) finds secrets with Yelp's
        # maintained detectors (private keys, cloud/API tokens, JWTs, basic-auth URLs, keywords), not our regexes
        "detect-secrets>=1.5,<2",
    ],
    extras_require={
        "test": [
            "pytest>=8",
            # tests pip-install the example plugin without build isolation
            "setuptools>=61",
            "wheel",
            "playwright>=1.40",
            # tests/relay/test_openapi.py: docs/openapi.json is valid OpenAPI 3.1, answers fit it (`validate` since 0.7.1)
            "openapi-spec-validator>=0.7.1,<0.10",
            # tests/agent/test_app_server_schema.py: every message the agent sends fits Codex's own schema
            "jsonschema>=4.18,<5",
            # tests/relay/test_fuzz_api.py: property-based fuzzing of every operation in docs/openapi.json
            # (the 4.x Python API: openapi.from_dict, GenerationMode, Config.from_dict checks)
            "schemathesis>=4.1,<5",
            # tests/relay/test_apprise_notifier.py: the optional Apprise notifier, tested for real
            "apprise>=1.6,<3",
        ],
        # plugins/notifiers/apprise_notifier.py: notifications to ntfy, Gotify, Slack, email, ... (Apprise URLs)
        "apprise": ["apprise>=1.6,<3"],
    },
    entry_points={
        "console_scripts": ["mobile-codex = mobile_codex.cli.main:main"],
        # Optional built-in plugins: loaded only when `plugins.allow` names them (`mobile-codex:apprise`)
        "mobile_codex": ["apprise = mobile_codex.plugins.notifiers.apprise_notifier"],
    },
)
