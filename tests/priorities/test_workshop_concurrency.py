"""30 partners submit at once: every submission stored exactly once, the aggregate by hand.

DuckDB allows one writing process, so its participants are threads sharing one engine (as
the Streamlit server's sessions do). PostgreSQL serves several app processes, so there each
participant is its own process with its own engine.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import uuid
from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import func, select

from csp_dash.analysis.scoring import ScoringModel
from csp_dash.db.engine import make_engine
from csp_dash.db.schema_priorities import workshop_scores, workshop_submissions
from csp_dash.priorities.workshop.results import workshop_results
from csp_dash.priorities.workshop.sessions import open_workshop
from csp_dash.priorities.workshop.submissions import Submission, submit

N = 30
ORGS = ["Police", "Council", "Fire", "Probation", "Health"]


def open_one(engine) -> str:
    cands = pd.DataFrame(
        {
            "candidate_id": ["a", "b"],
            "name": ["Violence", "Drugs"],
            "link": ["theme: Violence", "theme: Drugs"],
        }
    )
    empty = pd.DataFrame(index=pd.Index([], name="candidate_id"))
    return open_workshop(
        engine, 2026, "Concurrency", cands, empty, empty, ScoringModel(), ("physical", "capacity")
    )


def participant_submissions(wid: str, i: int) -> list[Submission]:
    """Participant i scores physical (i mod 5) + 1 on both candidates, capacity 3 on "a".

    The first submission is sent twice with the same id, as a client does when a reply is lost.
    """
    first = Submission(
        wid,
        f"Partner {i:02d}",
        ORGS[i % 5],
        "a",
        {"physical": i % 5 + 1, "capacity": 3},
        submission_id=uuid.uuid4().hex,
    )
    second = Submission(wid, f"Partner {i:02d}", ORGS[i % 5], "b", {"physical": i % 5 + 1})
    return [first, first, second]


def run_participant(engine, wid: str, i: int, barrier, results: list) -> None:
    barrier.wait()
    results.append([submit(engine, s) for s in participant_submissions(wid, i)])


def _process(url: str, wid: str, i: int, barrier, queue) -> None:
    engine = make_engine(url)  # each process its own engine and connection pool
    try:
        barrier.wait(timeout=60)
        queue.put((i, [submit(engine, s) for s in participant_submissions(wid, i)]))
    except Exception as exc:  # report, never hang the parent
        queue.put((i, repr(exc)))
    finally:
        engine.dispose()


def check_stored_once_and_aggregate(engine, wid: str) -> None:
    with engine.connect() as conn:
        heads = conn.execute(select(func.count()).select_from(workshop_submissions)).scalar()
        rows = conn.execute(select(func.count()).select_from(workshop_scores)).scalar()
    assert heads == 2 * N  # two submissions each; the retries added nothing
    assert rows == 3 * N  # physical + capacity on "a", physical on "b"
    agg = workshop_results(engine, wid).aggregate.set_index(["candidate", "dimension"])
    # physical scores: 1, 2, 3, 4, 5 six times each (30 partners). Sorted, numpy's linear
    # quartiles sit at positions 0.25 x 29 = 7.25 (values 2 and 2) and 21.75 (4 and 4):
    # q1 = 2, median (positions 14, 15: 3 and 3) = 3, q3 = 4, IQR 2, range 1 to 5.
    for cand in ("a", "b"):
        row = agg.loc[(cand, "physical")]
        assert (row["n"], row["median"], row["q1"], row["q3"], row["iqr"]) == (N, 3, 2, 4, 2)
        assert (row["min"], row["max"]) == (1, 5)
    assert agg.loc[("a", "capacity"), "n"] == N and agg.loc[("a", "capacity"), "iqr"] == 0


def test_thirty_threads_on_duckdb(duck_engine):
    wid = open_one(duck_engine)
    barrier, results = threading.Barrier(N), []
    threads = [
        threading.Thread(target=run_participant, args=(duck_engine, wid, i, barrier, results))
        for i in range(N)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == N
    assert all(r == [True, False, True] for r in results)  # stored, already stored, stored
    check_stored_once_and_aggregate(duck_engine, wid)


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_thirty_processes_on_postgresql(engine):
    wid = open_one(engine)
    url = engine.url.render_as_string(hide_password=False)
    ctx = mp.get_context("fork")  # children inherit the imports: 30 processes start quickly
    barrier, queue = ctx.Barrier(N), ctx.Queue()
    procs = [ctx.Process(target=_process, args=(url, wid, i, barrier, queue)) for i in range(N)]
    for p in procs:
        p.start()
    outcomes = dict(queue.get(timeout=120) for _ in range(N))
    for p in procs:
        p.join(timeout=60)
    assert sorted(outcomes) == list(range(N))
    assert all(r == [True, False, True] for r in outcomes.values()), outcomes
    check_stored_once_and_aggregate(engine, wid)


def test_each_submission_is_stamped_when_stored(duck_engine):
    wid = open_one(duck_engine)
    before = datetime.now(UTC).replace(tzinfo=None)  # stored as UTC without a zone
    submit(duck_engine, participant_submissions(wid, 0)[0])
    after = datetime.now(UTC).replace(tzinfo=None)
    stored = workshop_results(duck_engine, wid).history["submitted_at"].iloc[0].to_pydatetime()
    assert before <= stored <= after
