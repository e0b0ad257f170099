"""The app never busy-loops on its state wait: answered early with the same cursor (the relay may not
hold more requests now), it waits pollIntervalMs before asking again."""

from __future__ import annotations

from .conftest import BOOTSTRAP_TOKEN


def test_a_wait_answered_early_is_followed_by_a_pause_not_a_storm(relay, phone):
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    relay.app.relay.holds.capacity = 0  # the relay is full: every state wait is answered at once
    waits: list[str] = []
    phone.page.on("request", lambda request: "/api/admin/state?" in request.url and waits.append(request.url))
    with relay.app.relay.store.transaction(write=False) as tx:
        workspace_id = tx.users.get(tx.get_meta().bootstrap_user_id).last_workspace_id
    relay.app.relay.feed.bump(workspace_id)  # a change ends the wait the app holds; its next ones are answered at once
    phone.page.wait_for_timeout(5000)  # the window in which a hot loop would show: thousands of requests
    relay.app.relay.holds.capacity = 100
    # pollIntervalMs is 2500: the wait after the change plus one per interval.
    assert 2 <= len(waits) <= 5, f"{len(waits)} state waits in 5 s"
