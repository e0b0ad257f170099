"""Passkey endpoints over the API, on both backends, with a software authenticator.

Every passkey error code of API.md has a test here; tests/browser proves the same ceremonies
against Chromium's virtual authenticator.
"""

from __future__ import annotations

import hashlib

import attrs
import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from mobile_codex.core.records import Passkey
from mobile_codex.core.timeutil import FixedClock
from mobile_codex.relay_app.services.cose_keys import spki_to_cose
from mobile_codex.plugins.volatile.memory.store import MemoryVolatileStore
from mobile_codex.relay_app.services.webauthn_challenges import ChallengeStore

from .conftest import ORIGIN, START
from .passkey_helpers import LOGIN_OPTIONS, LOGIN_VERIFY, REGISTER_OPTIONS, REGISTER_VERIFY, add_locked_user, passkey_login, register
from .soft_authenticator import SoftAuthenticator, b64url, unb64url

COOKIE = "mobilecodex_session"
FIXTURE_SPKI = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtHYodxzTPuBfp2HTu8FPsMG29xdxIS9g4agke3UartKDaBc7X7u2Oz2sOt1DnDKaTlppMzbY0wG3sb7c21LKow"
)


def revoke_path(passkey_id: str) -> str:
    return f"/api/admin/passkeys/{passkey_id}/revoke"


def stored_passkeys(relay) -> list[Passkey]:
    with relay.store.transaction(write=False) as tx:
        return tx.passkeys.find(order_by="created_at")


def session_of(relay, browser):
    with relay.store.transaction(write=False) as tx:
        return tx.sessions.get(hashlib.sha256(browser.cookies[COOKIE].encode()).hexdigest())


@pytest.fixture
def enrolled(relay):
    """(owner browser on its bootstrap session, authenticator holding the owner's one passkey)."""
    owner = relay.owner()
    authenticator = SoftAuthenticator(ORIGIN)
    assert register(owner, authenticator).status_code == 200
    return owner, authenticator


# --- registration ----------------------------------------------------------------------------


def test_registration_options_follow_api_md(relay):
    owner = relay.owner()
    result = owner.post(REGISTER_OPTIONS, {"label": "Phone"})
    assert result.status_code == 200
    options = result.json["publicKey"]
    with relay.store.transaction(write=False) as tx:
        owner_user = tx.users.get(tx.get_meta().bootstrap_user_id)
    assert options["rp"] == {"name": "Mobile Codex", "id": "localhost"}
    assert options["user"]["id"] == owner_user.user_handle
    assert [p["alg"] for p in options["pubKeyCredParams"]] == [-7, -8, -257]  # ES256, EdDSA, RS256
    assert options["attestation"] == "none"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["timeout"] == 60000 and options["excludeCredentials"] == []
    assert len(options["challenge"]) >= 43 and result.json["registrationId"]


def test_register_stores_the_passkey_and_excludes_it_next_time(relay):
    owner = relay.owner()
    result = register(owner, SoftAuthenticator(ORIGIN), label="Owner phone")
    assert result.status_code == 200, result.text
    view = result.json["auth"]["passkeys"]
    assert [p["label"] for p in view] == ["Owner phone"] and view[0]["transports"] == ["internal"]
    (stored,) = stored_passkeys(relay)
    assert stored.passkey_id == hashlib.sha256(stored.credential_id.encode()).hexdigest() == view[0]["passkeyId"]
    assert cbor2.loads(unb64url(stored.public_key))[3] == -7
    assert stored.public_key_spki == "" and stored.last_used_at is None
    excluded = owner.post(REGISTER_OPTIONS, {}).json["publicKey"]["excludeCredentials"]
    assert [c["id"] for c in excluded] == [stored.credential_id]


@pytest.mark.parametrize(("alg", "cose_alg"), [("EdDSA", -8), ("RS256", -257)])
def test_eddsa_and_rs256_passkeys_register_and_log_in(relay, alg, cose_alg):
    owner = relay.owner()
    authenticator = SoftAuthenticator(ORIGIN, alg=alg)
    assert register(owner, authenticator).status_code == 200
    (stored,) = stored_passkeys(relay)
    assert cbor2.loads(unb64url(stored.public_key))[3] == cose_alg
    result = passkey_login(relay.browser(), authenticator)
    assert result.status_code == 200, result.text


@pytest.mark.parametrize("path", [REGISTER_OPTIONS, LOGIN_OPTIONS])
def test_passkeys_disabled(make_relay, path):
    relay = make_relay(auth={"passkeys": {"enabled": False}})
    owner = relay.owner()
    assert owner.post(path).json == {"error": "passkeys-disabled"}
    assert owner.post(path).status_code == 403


def test_registration_not_found(relay):
    owner = relay.owner()
    authenticator = SoftAuthenticator(ORIGIN)
    options = owner.post(REGISTER_OPTIONS).json
    credential = authenticator.create(options["publicKey"])

    def verify(browser, registration_id):
        return browser.post(REGISTER_VERIFY, {"registrationId": registration_id, "credential": credential})

    assert verify(owner, "no-such-registration").json == {"error": "registration-not-found"}
    # bound to the session that asked: another session of the same user cannot use it, nor burn it
    other_session = relay.owner()
    result = verify(other_session, options["registrationId"])
    assert (result.status_code, result.json) == (400, {"error": "registration-not-found"})
    assert verify(owner, options["registrationId"]).status_code == 200
    # single use
    assert verify(owner, options["registrationId"]).json == {"error": "registration-not-found"}


def test_registration_challenge_expires(relay):
    owner = relay.owner()
    options = owner.post(REGISTER_OPTIONS).json
    relay.clock.advance(300.001)  # challengeTtlMs 300000
    credential = SoftAuthenticator(ORIGIN).create(options["publicKey"])
    result = owner.post(REGISTER_VERIFY, {"registrationId": options["registrationId"], "credential": credential})
    assert result.json == {"error": "registration-not-found"}


@pytest.mark.parametrize("spoil", ["origin", "challenge", "garbage", "rp"])
def test_passkey_registration_invalid(relay, spoil):
    owner = relay.owner()
    options = owner.post(REGISTER_OPTIONS).json
    public_key = dict(options["publicKey"])
    authenticator = SoftAuthenticator(ORIGIN)
    if spoil == "origin":
        credential = authenticator.create(public_key, origin="http://evil.example")
    elif spoil == "challenge":
        credential = authenticator.create(public_key | {"challenge": b64url(b"x" * 32)})
    elif spoil == "rp":
        credential = authenticator.create(public_key | {"rp": {"id": "evil.example", "name": "x"}})
    else:
        credential = {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {"clientDataJSON": "!!"}}
    result = owner.post(REGISTER_VERIFY, {"registrationId": options["registrationId"], "credential": credential})
    assert (result.status_code, result.json) == (400, {"error": "passkey-registration-invalid"})
    assert stored_passkeys(relay) == []


def test_passkey_already_registered(enrolled, relay):
    owner, authenticator = enrolled
    result = register(owner, authenticator, reuse=authenticator.credentials[0])
    assert (result.status_code, result.json) == (409, {"error": "passkey-already-registered"})
    assert len(stored_passkeys(relay)) == 1


def test_verify_fields_and_body_cap(relay):
    owner = relay.owner()
    registration_id = owner.post(REGISTER_OPTIONS).json["registrationId"]
    missing = owner.post(REGISTER_VERIFY, {"registrationId": registration_id})
    assert missing.json == {"error": "invalid-field", "detail": "credential"}
    assert owner.post(LOGIN_VERIFY, {"credential": {}}).json == {"error": "invalid-field", "detail": "loginId"}
    # verify bodies may be up to 64 KiB (auth bodies elsewhere stop at 4 KiB)
    padded = {"registrationId": "x", "credential": {"pad": "p" * 20000}}
    assert owner.post(REGISTER_VERIFY, padded).json == {"error": "registration-not-found"}
    huge = {"registrationId": "x", "credential": {"pad": "p" * 70000}}
    assert owner.post(REGISTER_VERIFY, huge).status_code == 413


# --- login -----------------------------------------------------------------------------------


def test_login_options_are_discoverable_and_need_passkeys(relay):
    anonymous = relay.browser()
    assert anonymous.post(LOGIN_OPTIONS).json == {"error": "no-passkeys-registered"}
    register(relay.owner(), SoftAuthenticator(ORIGIN))
    result = anonymous.post(LOGIN_OPTIONS)
    assert result.status_code == 200 and result.json["loginId"]
    assert result.json["publicKey"]["allowCredentials"] == []
    assert result.json["publicKey"]["rpId"] == "localhost"


def test_login_gives_a_session_marked_with_the_passkey(enrolled, relay):
    _, authenticator = enrolled
    phone = relay.browser()
    relay.clock.advance(60)
    result = passkey_login(phone, authenticator)
    assert result.status_code == 200, result.text
    auth = result.json["auth"]
    assert auth["currentUser"]["displayName"] == "Owner" and auth["currentRole"] == "owner"
    assert auth["needsPasskeyEnrollment"] is False
    (stored,) = stored_passkeys(relay)
    session = session_of(relay, phone)
    assert session.passkey_id == stored.passkey_id and session.recovery is False
    assert stored.sign_count == 1 and stored.last_used_at == "2026-11-26T12:01:00.000Z"
    assert phone.get("/api/auth/status").json["authenticated"] is True


def test_login_not_found(enrolled, relay):
    _, authenticator = enrolled
    phone = relay.browser()
    options = phone.post(LOGIN_OPTIONS).json
    credential = authenticator.get(options["publicKey"])
    assert phone.post(LOGIN_VERIFY, {"loginId": "nope", "credential": credential}).json == {"error": "login-not-found"}
    assert phone.post(LOGIN_VERIFY, {"loginId": options["loginId"], "credential": credential}).status_code == 200
    replay = phone.post(LOGIN_VERIFY, {"loginId": options["loginId"], "credential": credential})
    assert (replay.status_code, replay.json) == (400, {"error": "login-not-found"})
    late = phone.post(LOGIN_OPTIONS).json
    relay.clock.advance(301)
    result = phone.post(LOGIN_VERIFY, {"loginId": late["loginId"], "credential": authenticator.get(late["publicKey"])})
    assert result.json == {"error": "login-not-found"}


def test_unknown_passkey(enrolled, relay):
    stranger = SoftAuthenticator(ORIGIN)
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": b64url(b"someone")}, "challenge": "x"})
    result = passkey_login(relay.browser(), stranger)
    assert (result.status_code, result.json) == (401, {"error": "unknown-passkey"})


@pytest.mark.parametrize("spoil", ["origin", "user-handle", "sign-count", "signature", "garbage", "disabled-user"])
def test_passkey_login_invalid(enrolled, relay, spoil):
    _, authenticator = enrolled
    credential = authenticator.credentials[0]
    phone = relay.browser()
    assert passkey_login(phone, authenticator).status_code == 200  # counter now 1 on both sides
    options = phone.post(LOGIN_OPTIONS).json
    kwargs = {"origin": "http://evil.example"} if spoil == "origin" else {}
    if spoil == "user-handle":
        credential.user_handle = b"another-user"
    if spoil == "sign-count":
        credential.sign_count = 0  # the next assertion says 1 again: a cloned authenticator
    answer = authenticator.get(options["publicKey"], **kwargs)
    if spoil == "signature":
        answer["response"]["signature"] = b64url(b"\x30\x06\x02\x01\x01\x02\x01\x01")
    if spoil == "garbage":
        answer = {"id": answer["id"], "type": "public-key"}
    if spoil == "disabled-user":
        with relay.store.transaction() as tx:
            user = tx.users.get(tx.get_meta().bootstrap_user_id)
            tx.users.put(attrs.evolve(user, disabled_at="2026-11-26T12:00:00.000Z"))
    result = phone.post(LOGIN_VERIFY, {"loginId": options["loginId"], "credential": answer})
    assert (result.status_code, result.json) == (401, {"error": "passkey-login-invalid"})
    assert stored_passkeys(relay)[0].sign_count == 1


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_imported_spki_passkey_logs_in_and_gets_a_cose_key(relay, alg):
    owner = relay.owner()
    authenticator = SoftAuthenticator(ORIGIN, alg=alg)
    register(owner, authenticator)
    (stored,) = stored_passkeys(relay)
    with relay.store.transaction() as tx:  # what the reference importer leaves: SPKI only
        tx.passkeys.put(attrs.evolve(stored, public_key="", public_key_spki=authenticator.credentials[0].spki()))
    assert passkey_login(relay.browser(), authenticator).status_code == 200
    (converted,) = stored_passkeys(relay)
    assert converted.public_key
    assert cbor2.loads(unb64url(converted.public_key)) == cbor2.loads(spki_to_cose(converted.public_key_spki))


def test_spki_to_cose_keys():
    fixture = cbor2.loads(spki_to_cose(FIXTURE_SPKI))
    assert fixture[1] == 2 and fixture[3] == -7 and fixture[-1] == 1 and len(fixture[-2]) == len(fixture[-3]) == 32
    ed_key = ed25519.Ed25519PrivateKey.generate().public_key()
    ed_spki = b64url(ed_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))
    assert cbor2.loads(spki_to_cose(ed_spki)) == {1: 1, 3: -8, -1: 6, -2: ed_key.public_bytes(Encoding.Raw, PublicFormat.Raw)}
    rsa_key = rsa.generate_private_key(65537, 2048).public_key()
    rsa_cose = cbor2.loads(spki_to_cose(b64url(rsa_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))))
    assert (rsa_cose[1], rsa_cose[3], rsa_cose[-2]) == (3, -257, b"\x01\x00\x01")
    assert int.from_bytes(rsa_cose[-1], "big") == rsa_key.public_numbers().n and len(rsa_cose[-1]) == 256
    for unusable in (ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP521R1())):
        der = unusable.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        with pytest.raises(ValueError):
            spki_to_cose(b64url(der))
    with pytest.raises(ValueError):
        spki_to_cose("not-der")


# --- enrollment lock -------------------------------------------------------------------------


def test_registering_lifts_the_enrollment_lock(relay):
    invited = relay.browser()
    invited.cookies[COOKIE] = add_locked_user(relay.app, "Lin")
    locked = invited.post("/api/admin/pairings", {})
    assert (locked.status_code, locked.json["error"]) == (403, "passkey-enrollment-required")
    assert locked.json["auth"]["needsPasskeyEnrollment"] is True
    authenticator = SoftAuthenticator(ORIGIN)
    result = register(invited, authenticator)
    assert result.status_code == 200 and result.json["auth"]["needsPasskeyEnrollment"] is False
    assert invited.post("/api/admin/pairings", {}).json == {"error": "insufficient-role"}  # a viewer, no longer locked
    again = passkey_login(relay.browser(), authenticator)
    assert again.json["auth"]["currentUser"]["displayName"] == "Lin"


# --- revocation ------------------------------------------------------------------------------


def test_revoke_passkey_not_found(enrolled, relay):
    owner, _ = enrolled
    assert owner.post(revoke_path("0" * 64)).json == {"error": "passkey-not-found"}
    (owners_passkey,) = [p.passkey_id for p in stored_passkeys(relay)]
    invited = relay.browser()
    invited.cookies[COOKIE] = add_locked_user(relay.app)
    register(invited, SoftAuthenticator(ORIGIN))
    result = invited.post(revoke_path(owners_passkey))  # someone else's: as if it did not exist
    assert (result.status_code, result.json) == (404, {"error": "passkey-not-found"})


def test_last_passkey_needs_a_recovery_session(enrolled, relay):
    owner, authenticator = enrolled
    phone = relay.browser()
    passkey_login(phone, authenticator)
    (passkey,) = stored_passkeys(relay)
    result = phone.post(revoke_path(passkey.passkey_id))
    assert (result.status_code, result.json) == (409, {"error": "last-passkey-blocked"})
    result = owner.post(revoke_path(passkey.passkey_id))  # the bootstrap session is a recovery session
    assert result.status_code == 200 and result.json["auth"]["passkeys"] == []


def test_revoking_ends_the_sessions_it_logged_in(enrolled, relay):
    owner, authenticator = enrolled
    relay.clock.advance(1)  # passkeys list oldest first
    register(owner, authenticator, label="Second")
    first, second = stored_passkeys(relay)
    phone, laptop = relay.browser(), relay.browser()
    passkey_login(phone, authenticator, credential=authenticator.credentials[0])
    passkey_login(laptop, authenticator, credential=authenticator.credentials[1])
    result = laptop.post(revoke_path(first.passkey_id))  # not the last one: any session may
    assert result.status_code == 200 and [p["label"] for p in result.json["auth"]["passkeys"]] == ["Second"]
    assert phone.get("/api/auth/status").json["authenticated"] is False
    assert laptop.get("/api/auth/status").json["authenticated"] is True
    again = passkey_login(relay.browser(), authenticator, credential=authenticator.credentials[0])
    assert again.json == {"error": "unknown-passkey"}
    # revoking the passkey this very session logged in with ends it, and says so
    register(owner, authenticator, label="Third")
    result = laptop.post(revoke_path(second.passkey_id))
    assert result.status_code == 200 and result.json["auth"]["currentUser"] is None
    assert COOKIE not in laptop.cookies


# --- the challenge store ---------------------------------------------------------------------


def test_challenge_store_is_bounded_and_single_use():
    clock = FixedClock(START)
    shared = MemoryVolatileStore(max_per_kind=3)
    store = ChallengeStore(shared, clock, 30000, purpose="login")
    ids = [store.issue()[0] for _ in range(5)]
    assert shared.count("challenge") == 3 and store.take(ids[0]) is None and store.take(ids[4]) is not None
    assert store.take(ids[4]) is None
    clock.advance(31)
    assert store.take(ids[3]) is None  # expired by the relay's clock


@pytest.mark.parametrize("path", [LOGIN_OPTIONS, LOGIN_VERIFY])
def test_passkey_login_is_rate_limited(make_relay, path):
    anonymous = make_relay(maxLoginAttemptsPerMinute=2).browser()
    answers = [anonymous.post(path).status_code for _ in range(3)]
    assert 429 not in answers[:2] and answers[2] == 429
