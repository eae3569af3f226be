"""What a phone in the room needs from the store: a closed workshop refuses with a reason,
organisations are one however typed (stored rows from before the rule too), and a double tap
(the same submission sent twice at once) is stored once, both sends answered as stored."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from csp_dash.analysis.workshop import organisation_key
from csp_dash.db.schema_priorities import workshop_scores, workshop_submissions
from csp_dash.priorities.workshop.results import workshop_results
from csp_dash.priorities.workshop.sessions import set_status
from csp_dash.priorities.workshop.submissions import (
    Submission,
    SubmissionRefused,
    participant_key,
    participants,
    submissions,
    submit,
)
from tests.priorities.test_workshop_store import T0, open_one


def test_organisation_key_ignores_case_and_spacing():
    assert {organisation_key(o) for o in ("police", " Police ", "POLICE", "Po lice")} == {
        "police",
        "po lice",
    }
    assert organisation_key("  Fire   and Rescue ") == "fire and rescue"


def test_a_closed_workshop_refuses_with_a_reason_and_stores_nothing(engine):
    wid = open_one(engine)
    set_status(engine, wid, "closed")
    with pytest.raises(SubmissionRefused, match="closed"):
        submit(engine, Submission(wid, "Ann", "Police", "a", {"physical": 3}))
    assert submissions(engine, wid).empty
    set_status(engine, wid, "open")  # reopened: the same scores are stored
    assert submit(engine, Submission(wid, "Ann", "Police", "a", {"physical": 3}))


def test_organisations_typed_differently_are_one(engine):
    wid = open_one(engine)
    typed = ["police", " Police ", "POLICE", "essex  FIRE", "Essex Fire"]
    for i, org in enumerate(typed):
        submit(engine, Submission(wid, f"P{i}", org, "a", {"physical": i + 1},
                                  submitted_at=T0 + timedelta(minutes=i)))
    history = submissions(engine, wid)
    # The offered list's spelling for Police; the first spelling typed for the other.
    assert set(history["organisation"]) == {"Police", "essex FIRE"}
    with engine.connect() as conn:
        stored = set(conn.execute(select(workshop_submissions.c.organisation)).scalars())
    assert stored == {"Police", "essex FIRE"}  # normalised at storage, not only on reading
    res = workshop_results(engine, wid, unit="organisation")
    row = res.aggregate.set_index(["candidate", "dimension"]).loc[("a", "physical")]
    assert row["n"] == 2  # two organisations, not five
    # Police's median of 1, 2, 3 is 2; Essex Fire's of 4, 5 is 4.5: the median of those.
    assert row["median"] == pytest.approx((2 + 4.5) / 2)
    assert sorted(participants(engine, wid)["organisation"]) == [
        "Police", "Police", "Police", "essex FIRE", "essex FIRE"]


def test_rows_stored_before_the_rule_count_as_one_organisation(engine):
    wid = open_one(engine)
    rows = [("Ann", "police"), ("Bob", " POLICE"), ("Cat", "Council")]
    with engine.begin() as conn:
        for i, (name, org) in enumerate(rows):
            sid = uuid.uuid4().hex
            conn.execute(insert(workshop_submissions).values(
                submission_id=sid, workshop_id=wid, participant_key=participant_key(name, org),
                participant=name, organisation=org, candidate_id="a", comment=None,
                submitted_at=T0 + timedelta(minutes=i)))
            conn.execute(insert(workshop_scores).values(
                submission_id=sid, dimension="physical", score=float(i + 1)))
    history = submissions(engine, wid)
    assert sorted(history["organisation"]) == ["Council", "Police", "Police"]
    res = workshop_results(engine, wid, unit="organisation")
    assert res.aggregate.set_index("dimension").loc["physical", "n"] == 2


@pytest.mark.parametrize("senders", [2, 4])
def test_a_double_tap_is_stored_once_and_every_send_is_answered(engine, senders):
    wid = open_one(engine)
    one = Submission(wid, "Ann", "Police", "a", {"physical": 4, "capacity": 2},
                     submission_id=uuid.uuid4().hex, submitted_at=datetime(2026, 2, 12, 10))
    answers: list[bool | Exception] = []
    start = threading.Barrier(senders)

    def send() -> None:
        start.wait()
        try:
            answers.append(submit(engine, one))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            answers.append(exc)

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(isinstance(a, bool) for a in answers), answers  # no send ends in an error
    assert sorted(answers) == [False] * (senders - 1) + [True]  # stored by exactly one
    with engine.connect() as conn:
        n_subs = conn.execute(select(func.count()).select_from(workshop_submissions)).scalar()
        n_scores = conn.execute(select(func.count()).select_from(workshop_scores)).scalar()
    assert (n_subs, n_scores) == (1, 2)
