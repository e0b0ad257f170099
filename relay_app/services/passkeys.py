"""Passkeys: the WebAuthn ceremonies (py_webauthn) and the rules around them.

- Registration options are bound to the asking session and user; the user handle is the user's
  random `user_handle`; excludeCredentials lists their passkeys; a resident key is required.
- Login options list no credentials (discoverable credentials): the anonymous endpoint must not
  tell anyone which credential ids exist.
- A login is accepted when the credential is known, the user handle is its owner's, the
  signature verifies against the stored key and the sign count rose (unless both are 0).
- Registering lifts the session's enrollment lock; revoking the last passkey needs a recovery
  session; revoking ends the sessions that passkey logged in.
Each step runs in one transaction of its own, so a refusal writes nothing; a login signs in through
the session service in that same transaction.
"""

from __future__ import annotations

from typing import Any

import attrs
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    options_to_json_dict,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.crypto import sha256_hex
from mobile_codex.core.records import Passkey
from mobile_codex.core.store import Store, Transaction
from mobile_codex.core.timeutil import Clock, iso
from mobile_codex.core.volatile_store import VolatileStore

from ..errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from .cose_keys import spki_to_cose
from .auth_state import AuthState, read_auth_state
from .callers import Caller
from .sessions import SessionService, SignedIn
from .webauthn_challenges import ChallengeStore

# API.md: ES256, EdDSA and RS256 (Windows Hello and some security keys make only RSA keys).
ALGORITHMS = [
    COSEAlgorithmIdentifier.ECDSA_SHA_256, COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
]
# What a malformed credential can raise on its way through the parser and verifier.
BAD_CREDENTIAL = (WebAuthnException, ValueError, TypeError, KeyError)
DEFAULT_LABEL = "Passkey"


def passkey_id_of(credential_id: str) -> str:
    """API.md: the SHA-256 hex of the base64url credential id (as the reference stores it)."""
    return sha256_hex(credential_id)


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    known = {t.value for t in AuthenticatorTransport}
    transports = [AuthenticatorTransport(t) for t in passkey.transports if t in known]
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey.credential_id), transports=transports or None)


def verifying_key(passkey: Passkey) -> bytes:
    """The COSE key to verify with; an imported passkey has only its SPKI until first use."""
    if passkey.public_key:
        return base64url_to_bytes(passkey.public_key)
    return spki_to_cose(passkey.public_key_spki)


@attrs.frozen(kw_only=True)
class Ceremony:
    """A pending WebAuthn ceremony: the id to finish it with, and the options for the browser."""

    ceremony_id: str
    options: dict[str, Any]  # the WebAuthn JSON form (base64url strings)


@attrs.frozen(kw_only=True)
class PasskeyRevoked:
    auth: AuthState  # signed out when the caller's own session ended with the passkey
    own_session_ended: bool


class PasskeyService:
    def __init__(self, store: Store, config: RelayConfig, clock: Clock, *, sessions: SessionService, shared: VolatileStore):
        self.store = store
        self.config = config
        self.clock = clock
        self.sessions = sessions
        settings = config.auth.passkeys
        self.registrations = ChallengeStore(shared, clock, settings.challenge_ttl_ms, purpose="registration")
        self.logins = ChallengeStore(shared, clock, settings.challenge_ttl_ms, purpose="login")

    @property
    def settings(self):
        return self.config.auth.passkeys

    def _expected(self) -> dict[str, Any]:
        """What every verification checks besides the challenge: RP ID, origin, user verification."""
        return {
            "expected_rp_id": self.config.rp_id,
            "expected_origin": self.config.public_origin,
            "require_user_verification": self.settings.user_verification == "required",
        }

    def _require_enabled(self) -> None:
        if not self.settings.enabled:
            raise Forbidden("passkeys-disabled")

    # --- registration ------------------------------------------------------------------------

    def registration_options(self, caller: Caller, label: str) -> Ceremony:
        """The registration id and creation options, bound to the caller's session."""
        self._require_enabled()
        with self.store.transaction(write=False) as tx:
            return self._registration_options(tx, caller, label)

    def _registration_options(self, tx: Transaction, caller: Caller, label: str) -> Ceremony:
        user = caller.user
        registration_id, entry = self.registrations.issue(
            session_id_hash=caller.session.session_id_hash, user_id=user.user_id, label=label or DEFAULT_LABEL
        )
        options = generate_registration_options(
            rp_id=self.config.rp_id,
            rp_name=self.settings.rp_name,
            user_id=base64url_to_bytes(user.user_handle),
            user_name=user.display_name,
            user_display_name=user.display_name,
            challenge=entry.challenge,
            timeout=self.settings.timeout_ms,
            attestation=AttestationConveyancePreference.NONE,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                require_resident_key=True,
                user_verification=UserVerificationRequirement(self.settings.user_verification),
            ),
            exclude_credentials=[
                _descriptor(p) for p in tx.passkeys.find(user_id=user.user_id, revoked_at=None, order_by="created_at")
            ],
            supported_pub_key_algs=ALGORITHMS,
        )
        return Ceremony(ceremony_id=registration_id, options=options_to_json_dict(options))

    def register(self, caller: Caller, registration_id: str, credential: dict) -> AuthState:
        """Verify the authenticator's answer, store the passkey, lift the session's enrollment lock."""
        with self.store.transaction() as tx:
            return read_auth_state(tx, self._register(tx, caller, registration_id, credential))

    def _register(self, tx: Transaction, caller: Caller, registration_id: str, credential: dict) -> Caller:
        entry = self.registrations.take(
            registration_id, session_id_hash=caller.session.session_id_hash, user_id=caller.user.user_id
        )
        if entry is None:
            raise BadRequest("registration-not-found")
        try:
            parsed = parse_registration_credential_json(credential)
            verified = verify_registration_response(
                credential=parsed, expected_challenge=entry.challenge, supported_pub_key_algs=ALGORITHMS, **self._expected()
            )
        except BAD_CREDENTIAL:
            raise BadRequest("passkey-registration-invalid") from None
        credential_id = bytes_to_base64url(verified.credential_id)
        passkey_id = passkey_id_of(credential_id)
        if tx.passkeys.get(passkey_id) is not None:
            raise Conflict("passkey-already-registered")
        tx.passkeys.put(
            Passkey(
                passkey_id=passkey_id, credential_id=credential_id, user_id=caller.user.user_id,
                sign_count=verified.sign_count, label=entry.label, created_at=iso(self.clock()),
                transports=[t.value for t in parsed.response.transports or []],
                public_key=bytes_to_base64url(verified.credential_public_key),
            )
        )  # fmt: skip
        session = tx.sessions.get(caller.session.session_id_hash) or caller.session
        session = attrs.evolve(session, needs_passkey_enrollment=False)
        tx.sessions.put(session)
        return attrs.evolve(caller, session=session)

    # --- login -------------------------------------------------------------------------------

    def login_options(self) -> Ceremony:
        """The login id and request options with an empty allowCredentials."""
        self._require_enabled()
        with self.store.transaction(write=False) as tx:
            if tx.passkeys.count(revoked_at=None) == 0:
                raise BadRequest("no-passkeys-registered")
        login_id, entry = self.logins.issue()
        options = generate_authentication_options(
            rp_id=self.config.rp_id,
            challenge=entry.challenge,
            timeout=self.settings.timeout_ms,
            allow_credentials=[],
            user_verification=UserVerificationRequirement(self.settings.user_verification),
        )
        return Ceremony(ceremony_id=login_id, options=options_to_json_dict(options))

    def sign_in(self, login_id: str, credential: dict) -> SignedIn:
        """A session for the passkey's user, recording which passkey opened it."""
        with self.store.transaction() as tx:
            passkey = self._verify_login(tx, login_id, credential)
            return self.sessions.open(tx, tx.users.get(passkey.user_id), passkey_id=passkey.passkey_id)

    def _verify_login(self, tx: Transaction, login_id: str, credential: dict) -> Passkey:
        """The passkey that signed this login (its sign count and lastUsedAt updated)."""
        entry = self.logins.take(login_id)
        if entry is None:
            raise BadRequest("login-not-found")
        try:
            parsed = parse_authentication_credential_json(credential)
        except BAD_CREDENTIAL:
            raise Unauthorized("passkey-login-invalid") from None
        passkey = tx.passkeys.get(passkey_id_of(bytes_to_base64url(parsed.raw_id)))
        if passkey is None or passkey.revoked_at is not None:
            raise Unauthorized("unknown-passkey")
        user = tx.users.get(passkey.user_id)
        if user is None or user.disabled_at is not None:
            raise Unauthorized("passkey-login-invalid")
        try:
            if parsed.response.user_handle != base64url_to_bytes(user.user_handle):
                raise Unauthorized("passkey-login-invalid")
            public_key = verifying_key(passkey)
            verified = verify_authentication_response(
                credential=parsed, expected_challenge=entry.challenge, credential_public_key=public_key,
                credential_current_sign_count=passkey.sign_count, **self._expected(),
            )
        except BAD_CREDENTIAL:
            raise Unauthorized("passkey-login-invalid") from None
        passkey = attrs.evolve(
            passkey, sign_count=verified.new_sign_count, last_used_at=iso(self.clock()),
            public_key=bytes_to_base64url(public_key),  # an imported SPKI key is converted once
        )  # fmt: skip
        tx.passkeys.put(passkey)
        return passkey

    # --- revocation --------------------------------------------------------------------------

    def revoke(self, caller: Caller, passkey_id: str) -> PasskeyRevoked:
        """Revoke one of the caller's own passkeys and end the sessions it logged in (the caller's own
        session too, when this passkey opened it). Its record stays as a tombstone (`revoked_at`) that
        signs nobody in and counts nowhere, so agents that trusted it learn of the revocation."""
        with self.store.transaction() as tx:
            self._revoke(tx, caller, passkey_id)
            ended = tx.sessions.get(caller.session.session_id_hash) is None
            return PasskeyRevoked(auth=read_auth_state(tx, None if ended else caller), own_session_ended=ended)

    def _revoke(self, tx: Transaction, caller: Caller, passkey_id: str) -> int:
        """How many sessions ended."""
        passkey = tx.passkeys.get(passkey_id)
        if passkey is None or passkey.revoked_at is not None or passkey.user_id != caller.user.user_id:
            raise NotFound("passkey-not-found")  # `passkeys.manage`: own live ones only
        if tx.passkeys.count(user_id=caller.user.user_id, revoked_at=None) <= 1 and not caller.session.recovery:
            raise Conflict("last-passkey-blocked")
        tx.passkeys.put(attrs.evolve(passkey, revoked_at=iso(self.clock())))
        sessions = tx.sessions.find(passkey_id=passkey_id)
        for session in sessions:
            tx.sessions.delete(session.session_id_hash)
        return len(sessions)
