"""The TurnChannel: answers and steers delivered once each, next_input's timeout and cancel, malformed input."""

from __future__ import annotations

import threading
import time

from mobile_codex.agent_app.turn_channel import Answer, Steer, TurnChannel, answer_from, steer_from

DIGEST = "ab" * 32
OTHER_DIGEST = "cd" * 32


class Recorded:
    """A channel whose reports and waiting changes are recorded."""

    def __init__(self):
        self.reports: list[dict] = []
        self.waiting: list[bool] = []
        self.cancel = threading.Event()
        self.channel = TurnChannel(queue_fields=lambda **f: self.reports.append(f), on_waiting=self.waiting.append, cancel=self.cancel)


def test_an_answer_repeated_by_every_poll_reaches_the_handler_once():
    rec = Recorded()
    answer = Answer("req_1", "accept", DIGEST)
    assert [rec.channel.offer(answer) for _ in range(3)] == [True, False, False]
    assert rec.channel.next_input(5) == answer
    assert rec.channel.offer(answer) is False  # also after the handler took it
    assert rec.channel.next_input(0) is None


def test_a_different_answer_for_the_same_request_is_not_taken_for_a_repeat():
    """A wrong-digest answer (ignored by the handler) must not hide the right one that follows."""
    rec = Recorded()
    wrong, right = Answer("req_1", "accept", OTHER_DIGEST), Answer("req_1", "accept", DIGEST)
    assert rec.channel.offer(wrong) and rec.channel.offer(right)
    assert [rec.channel.next_input(5), rec.channel.next_input(5)] == [wrong, right]


def test_steers_are_told_apart_by_id_and_come_in_order_with_answers():
    rec = Recorded()
    first, answer, second = Steer("st_1", "also run the tests"), Answer("req_1", "decline", DIGEST), Steer("st_2", "stop")
    for item in (first, answer, Steer("st_1", "also run the tests"), second):
        rec.channel.offer(item)
    assert [rec.channel.next_input(5) for _ in range(4)] == [first, answer, second, None]


def test_next_input_gives_none_at_its_timeout():
    rec = Recorded()
    assert rec.channel.next_input(0.05) is None
    rec.channel.offer(Steer("st_1", "late"))
    assert rec.channel.next_input(0.05) == Steer("st_1", "late")


def test_cancel_ends_a_long_next_input_and_hides_what_is_queued():
    rec = Recorded()
    threading.Timer(0.2, rec.cancel.set).start()
    started = time.monotonic()
    assert rec.channel.next_input(60) is None
    assert time.monotonic() - started < 30  # the cancel, not the timeout, ended it
    rec.channel.offer(Steer("st_1", "after cancel"))
    assert rec.channel.next_input(5) is None


def test_a_waiting_input_wakes_next_input_from_another_thread():
    rec = Recorded()
    threading.Timer(0.1, rec.channel.offer, args=(Answer("req_1", "cancel", DIGEST),)).start()
    assert rec.channel.next_input(60) == Answer("req_1", "cancel", DIGEST)


def test_waiting_for_person_tells_the_runner_only_of_changes():
    rec = Recorded()
    for waiting in (True, True, False, False, True):
        rec.channel.waiting_for_person(waiting)
    assert rec.waiting == [True, False, True]


def test_report_passes_every_field_to_the_reporter():
    rec = Recorded()
    rec.channel.report(items=[{"itemId": "i1"}], requests_add=({"requestId": "r1"},), turn_id="turn-1", token_usage={"input": 3, "output": 4})
    assert rec.reports == [{
        "items": [{"itemId": "i1"}], "requests_add": [{"requestId": "r1"}], "requests_resolved": [], "steers_applied": [],
        "steers_rejected": [], "token_usage": {"input": 3, "output": 4}, "turn_id": "turn-1", "thread_id": None,
    }]  # fmt: skip


def test_close_returns_the_steers_never_taken_and_refuses_later_input():
    rec = Recorded()
    rec.channel.offer(Answer("req_1", "accept", DIGEST))
    rec.channel.offer(Steer("st_1", "one"))
    rec.channel.offer(Steer("st_2", "two"))
    assert rec.channel.next_input(5) == Answer("req_1", "accept", DIGEST)
    assert rec.channel.close() == [Steer("st_1", "one"), Steer("st_2", "two")]
    assert rec.channel.offer(Steer("st_3", "three")) is False
    assert rec.channel.next_input(0) is None


def test_malformed_poll_entries_are_not_inputs():
    good_answer = {"taskId": "t", "requestId": "req_1", "decision": "accept", "digest": DIGEST}
    assert answer_from(good_answer) == Answer("req_1", "accept", DIGEST)
    for broken in ({**good_answer, "decision": "acceptForSession"}, {**good_answer, "digest": "ABC"},
                   {**good_answer, "requestId": "no spaces"}, {**good_answer, "requestId": 7}, "req_1", None):  # fmt: skip
        assert answer_from(broken) is None, broken
    good_steer = {"taskId": "t", "steerId": "st_1", "text": "hello"}
    assert steer_from(good_steer) == Steer("st_1", "hello")
    for broken in ({**good_steer, "text": ""}, {**good_steer, "text": "x" * 12001}, {**good_steer, "steerId": ""},
                   {**good_steer, "text": None}, ["st_1"]):  # fmt: skip
        assert steer_from(broken) is None, broken
