"""`audit export`, `audit verify` and `audit new-key`: the relay's tamper-evident audit trail (issue 21).

`export` reads the trail from the relay's store (the relay may be running: sqlite and postgres
allow a second reader) and writes it signed by `auditPrivateKey`; `verify` needs no config, only
the file, and exits 1 naming the first entry that does not fit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mobile_codex.core import audit
from mobile_codex.core.audit_export import (
    VerifyFailed, export_document, new_audit_private_key, public_key_of, verify_document,
)  # fmt: skip
from mobile_codex.core.timeutil import iso, parse_iso, system_clock

from . import paths
from .exit_codes import RUNTIME_FAILURE, USAGE_OR_CONFIG, CommandFailed
from .files import write_private_json
from .loading import load_with_plugins
from .relay_runtime import command_store


def _since(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return iso(parse_iso(text))
    except ValueError:
        raise CommandFailed(f"--since: expected an ISO-8601 time such as 2026-12-01T00:00:00Z, got {text!r}", USAGE_OR_CONFIG) from None


def run_export(args) -> int:
    config_path = Path(args.config) if args.config else paths.default_relay_config()
    loaded = load_with_plugins(config_path, "relay")
    key = loaded.config.audit_private_key
    if not key:
        raise CommandFailed(
            f"{config_path}: auditPrivateKey is not set, so the export cannot be signed; add one "
            "(`mobile-codex audit new-key` prints one) to the config of every replica",
            USAGE_OR_CONFIG,
        )
    since = _since(args.since)
    with command_store(loaded.config, loaded.plugins, "read the audit trail") as store:
        with store.transaction(write=False) as tx:
            events = audit.find_events(tx, since=since, newest_first=False)
            last = audit.head(tx)
    document = export_document(
        events, private_key=key, relay=loaded.config.public_origin, exported_at=iso(system_clock()), since=since,
        head_hash=None if last is None else last.hash,
    )  # fmt: skip
    if args.out:
        write_private_json(Path(args.out), document, force=True)
        print(f"wrote {len(events)} audit entr{'y' if len(events) == 1 else 'ies'} to {args.out}", file=sys.stderr)
    else:
        json.dump(document, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    print(f"signed by the relay audit key {document['publicKey']}", file=sys.stderr)
    return 0


def run_verify(args) -> int:
    try:
        document = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandFailed(f"cannot read {args.file}: {exc}", USAGE_OR_CONFIG) from None
    try:
        count = verify_document(document, public_key=args.public_key)
    except VerifyFailed as failed:
        raise CommandFailed(f"{args.file} does not verify: {failed}", RUNTIME_FAILURE) from None
    start = "the relay's first entry" if document["startPrevHash"] == audit.GENESIS else (
        f"seq {document['firstSeq']} (older entries pruned or not exported)"
    )
    print(f"ok: {count} entr{'y' if count == 1 else 'ies'}, chain from {start}, signed by {document['publicKey']}")
    return 0


def run_new_key(args) -> int:
    key = new_audit_private_key()
    print(key)
    public = public_key_of(key)
    print(f"public key: {public} (verify exports with --public-key={public})", file=sys.stderr)
    return 0


def register(commands) -> None:
    p = commands.add_parser("audit", help="export or verify the relay's signed audit trail")
    sub = p.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    sub.required = True
    e = sub.add_parser("export", help="write the audit trail, signed by the relay audit key")
    e.add_argument("--config", help="relay config (default: the user config dir's relay.json)")
    e.add_argument("--since", help="only entries at or after this ISO-8601 time")
    e.add_argument("--out", help="write to this file (mode 0600) instead of standard output")
    e.set_defaults(run=run_export)
    v = sub.add_parser("verify", help="check an export's hash chain and signature; name the first entry that does not fit")
    v.add_argument("file")
    v.add_argument("--public-key", help="the relay's audit public key the export must be signed with; write "
                   "--public-key=KEY (base64url: a key may begin with '-', which a separate argument would take for an option)")
    v.set_defaults(run=run_verify)
    k = sub.add_parser("new-key", help="print a new auditPrivateKey (its public key on stderr)")
    k.set_defaults(run=run_new_key)
