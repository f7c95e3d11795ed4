"""The timeliness report against the rules, with real dates: 2026 (Giỗ Tổ observed Monday 27/4,
30/4-3/5 off) and Tết 2024 (8/2-14/2 off). Every count is compared with the oracle, which
classifies each dossier's clock photographed at the period end with ``classify``; every
number's drill-down lists exactly the oracle's dossiers."""

import datetime
import random

import pytest

from cchc.errors import Forbidden, InvalidInput
from cchc.reports.selectors import (
    Filters,
    Period,
    build_filters,
    timeliness_dossiers,
    timeliness_report,
)
from cchc.reports.selectors.timeliness import MEASURES
from tests.reports.oracle import (
    MEASURE_NAMES,
    History,
    expected,
    period_ends,
    play,
    random_history,
)

pytestmark = pytest.mark.django_db

D = datetime.date
PERIODS = [
    (D(2026, 4, 1), D(2026, 4, 30)),
    (D(2026, 5, 1), D(2026, 5, 31)),
    (D(2026, 4, 27), D(2026, 5, 8)),
    (D(2026, 4, 29), D(2026, 4, 29)),
    (D(2026, 5, 6), D(2026, 5, 6)),
    (D(2026, 1, 1), D(2026, 12, 31)),
    (D(2024, 2, 1), D(2024, 2, 29)),
    (D(2024, 1, 1), D(2024, 2, 10)),
    (D(2024, 2, 15), D(2024, 3, 31)),
]


def scenarios(rw):
    w = rw.w
    five, same, cert = w.five_days, w.same_day, rw.certify
    desk, other = w.desk, w.other_desk
    walk = [("transfer", None), ("transfer", None)]

    def h(label, steps, *, agency=desk, procedure=five, channel=1):
        return History(agency, procedure, [(t, a, p) for t, a, p in steps], channel=channel, label=label)

    def ap(when):
        return [(when, "transfer", None), (when, "transfer", None), (when, "approve", None)]

    # Received Fri 24/4/2026 09:00, five working days: due Wed 6/5 09:00.
    r = ("2026-04-24 09:00", "receive", None)
    return [
        h("early, returned later", [r, *ap("2026-04-29 09:00"), ("2026-05-04 08:00", "return", None)]),
        h("on the due minute", [r, *ap("2026-05-06 09:00")]),
        h("one minute late", [r, *ap("2026-05-06 09:01")]),
        h("pause moves the due", [r, ("2026-04-24 09:30", "transfer", None),
                                 ("2026-04-28 09:00", "supplement", {"documents": ["Giấy tờ tùy thân"]}),
                                 ("2026-05-05 09:00", "resume", None),
                                 ("2026-05-08 09:00", "transfer", None),
                                 ("2026-05-11 09:00", "approve", None)]),
        h("second supplement is late", [r, ("2026-04-28 09:00", "supplement", None),
                                        ("2026-04-28 10:00", "resume", None),
                                        ("2026-04-29 09:00", "supplement", None),
                                        ("2026-04-29 10:00", "resume", None),
                                        *ap("2026-04-29 14:00")]),
        h("withdrawn in time", [r, ("2026-04-28 09:00", "withdraw", None)]),
        h("withdrawn after the due", [r, ("2026-05-07 09:00", "withdraw", None)]),
        h("stopped waiting for documents", [r, ("2026-04-24 09:30", "transfer", None),
                                            ("2026-04-28 09:00", "supplement", None),
                                            ("2026-06-01 09:00", "stop", None)]),
        h("stopped waiting, asked after due", [r, ("2026-05-07 09:00", "supplement", None),
                                               ("2026-05-20 09:00", "stop", None)]),
        h("apology, still late", [r, ("2026-05-04 09:00", "apologize", {"days": 6}),
                                  *ap("2026-05-12 15:00")]),
        h("open, received 28/4", [("2026-04-28 10:00", "receive", None), *[("2026-04-28 11:00", a, p) for a, p in walk]]),
        h("open forever", [r]),
        h("open, waiting, asked before due", [r, ("2026-05-05 16:00", "supplement", None)]),
        h("open, waiting, asked after due", [r, ("2026-05-06 10:00", "supplement", None)]),
        h("open, resumed, extended due after the cut",
          [r, ("2026-04-28 09:00", "supplement", None), ("2026-05-05 09:00", "resume", None)]),
        h("open, supplement only after the cut",
          [r, ("2026-05-12 09:00", "supplement", None), ("2026-05-13 09:00", "resume", None)]),
        h("open after a second supplement", [r, ("2026-04-28 09:00", "supplement", None),
                                             ("2026-04-28 10:00", "resume", None),
                                             ("2026-04-29 08:00", "supplement", None),
                                             ("2026-04-29 09:00", "resume", None)]),
        h("stopped after a second supplement", [r, ("2026-04-28 09:00", "supplement", None),
                                                ("2026-04-28 10:00", "resume", None),
                                                ("2026-04-29 08:00", "supplement", None),
                                                ("2026-04-29 09:00", "stop", None)]),
        h("financial does not pause", [r, ("2026-04-24 10:00", "transfer", None),
                                       ("2026-04-28 09:00", "financial", None),
                                       ("2026-05-05 09:00", "paid", None),
                                       ("2026-05-06 10:00", "transfer", None),
                                       ("2026-05-06 11:00", "approve", None)]),
        h("online, filed on Saturday night", [("2026-04-25 21:00", "submit", None),
                                              ("2026-04-28 08:00", "accept", None),
                                              *ap("2026-05-06 16:00")], channel=2),
        h("online, refused", [("2026-04-25 21:00", "submit", None),
                              ("2026-04-28 08:10", "refuse", None)], channel=2),
        h("online, never accepted", [("2026-04-26 10:00", "submit", None)], channel=2),
        h("online, withdrawn before acceptance", [("2026-04-26 10:00", "submit", None),
                                                  ("2026-04-27 10:00", "withdraw", None)], channel=2),
        h("postal", [("2026-04-29 10:00", "receive", None), *ap("2026-05-08 10:00")], channel=3,
          procedure=cert),
        h("same day after 15h", [("2026-04-29 15:30", "receive", None), *ap("2026-05-04 16:59")],
          procedure=same),
        h("same day after 15h, late", [("2026-04-29 15:30", "receive", None), *ap("2026-05-04 17:01")],
          procedure=same),
        h("carried over from March", [("2026-03-30 09:00", "receive", None), *ap("2026-04-02 09:00")]),
        h("finished before April", [("2026-03-02 09:00", "receive", None), *ap("2026-03-05 09:00")]),
        h("received after the periods", [("2027-01-04 09:00", "receive", None)]),
        h("other commune, pause over the holidays", [("2026-04-29 09:00", "receive", None),
                                                      ("2026-04-29 10:00", "supplement", None),
                                                      ("2026-05-04 09:00", "resume", None),
                                                      *ap("2026-05-08 09:00")], agency=other),
        # Tết 2024: 8/2-14/2 off.
        h("Tết: pause over the holiday", [("2024-02-06 09:00", "receive", None),
                                          ("2024-02-07 09:00", "supplement", None),
                                          ("2024-02-15 09:00", "resume", None),
                                          *ap("2024-02-20 16:00")]),
        h("Tết: open over the holiday", [("2024-02-06 09:00", "receive", None)]),
        h("Tết: done on the first day back", [("2024-02-07 14:00", "receive", None),
                                              *ap("2024-02-15 09:00")], procedure=cert),
        h("Tết: waiting for documents across the month end",
          [("2024-02-05 08:00", "receive", None), ("2024-02-07 16:00", "supplement", None),
           ("2024-03-04 09:00", "resume", None), *ap("2024-03-06 09:00")]),
    ]


def random_histories(rw, n, seed=766):
    rng = random.Random(seed)
    result = []
    for _ in range(n):
        day = rng.choice([D(2026, 4, 20), D(2026, 4, 27), D(2026, 5, 4), D(2024, 2, 1), D(2024, 2, 12)])
        start = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC) + datetime.timedelta(
            minutes=rng.randint(0, 14 * 24 * 60))
        agency = rng.choice([rw.w.desk, rw.w.desk, rw.w.other_desk])
        procedure = rng.choice([rw.w.five_days, rw.w.same_day, rw.certify])
        result.append(random_history(rng, agency, procedure, start))
    return result


def compare(histories, period, **filter_args):
    filters = Filters(period=Period(*period), **filter_args)
    report = timeliness_report(filters)
    oracle = expected(histories, *period)
    got = {row.key: row.counts for row in report.rows}
    assert set(got) == {k for k, v in oracle.items() if v["received"]}, period
    for key, counts in got.items():
        assert not counts.invariant_errors(), (period, key)
        for measure in MEASURE_NAMES:
            assert getattr(counts, measure) == len(oracle[key][measure]), (period, key, measure,
                                                                           oracle[key][measure])
    assert not report.totals.invariant_errors()
    return report, oracle


def test_the_report_agrees_with_classify_on_real_dates(rw):
    histories = scenarios(rw)
    play(histories, period_ends(PERIODS))
    for period in PERIODS:
        compare(histories, period)


def test_every_number_drills_down_to_its_dossiers(rw):
    histories = scenarios(rw)
    play(histories, period_ends(PERIODS))
    for period in PERIODS[:3] + PERIODS[6:7]:
        report, oracle = compare(histories, period)
        filters = Filters(period=Period(*period))
        for row in report.rows:
            for measure in MEASURES:
                codes = set(timeliness_dossiers(filters, measure, row.key).values_list("code", flat=True))
                assert codes == oracle[row.key][measure], (period, row.key, measure)
        for measure in MEASURES:
            total = timeliness_dossiers(filters, measure).count()
            assert total == getattr(report.totals, measure)


def test_random_histories_agree_with_classify(rw):
    histories = random_histories(rw, 120)
    play(histories, period_ends(PERIODS))
    for period in PERIODS:
        compare(histories, period)


def test_the_april_numbers_by_hand(rw):
    """A few numbers worked out by hand, so that the oracle itself is checked."""
    histories = scenarios(rw)
    play(histories, period_ends(PERIODS))
    by_label = {h.label: h.dossier.code for h in histories}
    filters = Filters(period=Period(D(2026, 4, 1), D(2026, 4, 30)))

    def codes(measure):
        return set(timeliness_dossiers(filters, measure).values_list("code", flat=True))

    assert by_label["carried over from March"] in codes("carried_over")
    assert by_label["finished before April"] not in codes("received")
    assert by_label["online, filed on Saturday night"] in codes("online")
    assert not {by_label["online, refused"], by_label["online, never accepted"],
                by_label["online, withdrawn before acceptance"]} & codes("received")
    assert by_label["withdrawn in time"] in codes("on_time")
    assert by_label["second supplement is late"] in codes("late")
    # Open at the end of April: due 6/5, so within; the one asked for documents on 28/4 too.
    assert by_label["open forever"] in codes("within")
    may = Filters(period=Period(D(2026, 5, 1), D(2026, 5, 31)))
    may_codes = {m: set(timeliness_dossiers(may, m).values_list("code", flat=True)) for m in MEASURES}
    assert by_label["open forever"] in may_codes["overdue"]
    assert by_label["open, waiting, asked before due"] in may_codes["within"]
    assert by_label["open, waiting, asked after due"] in may_codes["overdue"]
    assert by_label["open after a second supplement"] in may_codes["overdue"]
    # Stopped on 1/6 long after its due, but waiting for documents asked before it: still
    # pending and within at the end of May; on time once stopped (the end is the request).
    assert by_label["stopped waiting for documents"] in may_codes["within"]
    june = Filters(period=Period(D(2026, 6, 1), D(2026, 6, 30)))
    assert by_label["stopped waiting for documents"] in set(
        timeliness_dossiers(june, "on_time").values_list("code", flat=True))
    assert by_label["pause moves the due"] in may_codes["on_time"]
    assert by_label["one minute late"] in may_codes["late"]
    assert by_label["on the due minute"] in may_codes["on_time"]
    assert by_label["apology, still late"] in may_codes["late"]
    assert by_label["withdrawn after the due"] in may_codes["late"]
    # 27/4-8/5 ends Friday 8/5: the due moved by the pause (Mon 11/5) is still ahead; the
    # supplement asked on 12/5 has not happened yet, so that one is overdue (due 6/5).
    short = Filters(period=Period(D(2026, 4, 27), D(2026, 5, 8)))
    assert by_label["open, resumed, extended due after the cut"] in set(
        timeliness_dossiers(short, "within").values_list("code", flat=True))
    assert by_label["open, supplement only after the cut"] in set(
        timeliness_dossiers(short, "overdue").values_list("code", flat=True))


def test_json_shape(rw):
    histories = scenarios(rw)[:5]
    play(histories, period_ends(PERIODS[:1]))
    data = timeliness_report(Filters(period=Period(*PERIODS[0]))).as_json()
    assert set(data) >= {"from", "to", "rows", "totals"}
    assert data["from"] == "2026-04-01" and data["to"] == "2026-04-30"
    row = data["rows"][0]
    assert row["unit"] == "2025:30280" and row["unit_name"] == "Phường Hồng Ngự"
    assert set(row["received"]) == {"total", "online", "carried_over", "new_direct_postal"}
    assert set(row["resolved"]) == {"total", "on_time", "late"}
    assert set(row["pending"]) == {"total", "within", "overdue"}
    assert data["totals"]["received"]["total"] == 5


def test_groups_by_field_and_procedure(rw):
    histories = scenarios(rw)
    play(histories, period_ends(PERIODS))
    period = PERIODS[5]
    for group, key in (("field", lambda h: h.procedure.versions.get().field.code),
                       ("procedure", lambda h: h.procedure.code)):
        filters = Filters(period=Period(*period), group=group)
        report = timeliness_report(filters)
        oracle = expected(histories, *period, key=key)
        assert {r.key for r in report.rows} == {k for k, v in oracle.items() if v["received"]}
        for row in report.rows:
            for measure in MEASURE_NAMES:
                assert getattr(row.counts, measure) == len(oracle[row.key][measure]), (group, row.key)
            assert timeliness_dossiers(filters, "overdue", row.key).count() == row.counts.overdue


def test_scope_and_unit_filter(rw):
    histories = scenarios(rw)
    play(histories, period_ends(PERIODS))
    period = Period(*PERIODS[5])
    everything = timeliness_report(Filters(period=period))
    assert {r.key for r in everything.rows} == {"2025:30280", "2025:30316"}
    # A commune leader sees only the commune's rows, whatever is asked.
    mine = timeliness_report(Filters(period=period, user=rw.other_leader))
    assert [r.key for r in mine.rows] == ["2025:30316"]
    assert mine.totals.received == everything.rows[1].counts.received
    province = timeliness_report(Filters(period=period, user=rw.home_affairs))
    assert province.totals == everything.totals
    only = timeliness_report(build_filters(start="2026-01-01", end="2026-12-31", unit="30316"))
    assert [r.key for r in only.rows] == ["2025:30316"]
    # Rolled up to the province.
    rolled = timeliness_report(Filters(period=period, level="province"))
    assert [r.key for r in rolled.rows] == ["2025:82"]
    assert rolled.totals == everything.totals
    # Desk officers do not read reports.
    with pytest.raises(Forbidden):
        timeliness_report(Filters(period=period, user=rw.w.desk_officer))
    leader_sees = timeliness_dossiers(Filters(period=period, user=rw.other_leader), "received")
    assert {d.unit_id for d in leader_sees} == {rw.w.other_commune.pk}


def test_across_the_reorganisation(rw):
    """June-July 2025: the old district desk and the old commune until 30/6, the new communes
    after. ``as_was`` keeps the old units; ``successors`` folds them into the new ones."""
    w = rw.w
    five = w.five_days
    histories = [
        History(rw.district_desk, five, [("2025-06-10 09:00", "receive", None)], label="district, open"),
        History(rw.district_desk, five, [("2025-06-20 09:00", "receive", None),
                                         *[("2025-07-02 09:00", a, None) for a in ("transfer", "transfer", "approve")]],
                label="district, late"),
        History(rw.old_commune_desk, five, [("2025-06-25 09:00", "receive", None),
                                            *[("2025-06-27 09:00", a, None) for a in ("transfer", "transfer", "approve")]],
                label="old commune, early"),
        History(w.desk, five, [("2025-07-01 09:00", "receive", None)], label="new commune"),
        History(w.other_desk, five, [("2025-07-03 09:00", "receive", None), ("2025-07-04 09:00", "withdraw", None)],
                label="other commune"),
    ]
    period = (D(2025, 6, 1), D(2025, 7, 31))
    play(histories, period_ends([period]))
    as_was = timeliness_report(Filters(period=Period(*period), mode="as_was"))
    assert [r.key for r in as_was.rows] == ["2025:30280", "2025:30316", "pre2025:868", "pre2025:30281"]
    compare(histories, period, mode="as_was")
    folded = timeliness_report(Filters(period=Period(*period), mode="successors"))
    # The district has no successor link of its own: its two communes go one to 30280 and one
    # split half-half between 30280 and 30316, so 30280 has the larger share.
    assert [r.key for r in folded.rows] == ["2025:30280", "2025:30316"]
    assert folded.rows[0].counts.received == 4 and folded.rows[1].counts.received == 1
    assert folded.totals == as_was.totals
    by_district = timeliness_report(Filters(period=Period(*period), mode="as_was", level="district"))
    assert [r.key for r in by_district.rows] == ["2025:30280", "2025:30316", "pre2025:868"]
    assert by_district.rows[2].counts.received == 3
    drill = timeliness_dossiers(Filters(period=Period(*period), mode="successors"), "received", "2025:30280")
    assert drill.count() == 4
    # A new-era province user sees the old province's dossiers (visible_units).
    assert timeliness_report(Filters(period=Period(*period), user=rw.home_affairs)).totals == as_was.totals
    with pytest.raises(InvalidInput):
        Filters(period=Period(*period), mode="successors", level="district")


@pytest.mark.parametrize("args, field", [
    ({"start": "2026-13-01", "end": "2026-12-31"}, "from"),
    ({"start": "", "end": "2026-12-31"}, "from"),
    ({"start": "2026-02-01", "end": "2026-01-01"}, "to"),
    ({"start": "2020-01-01", "end": "2026-01-01"}, "to"),
    ({"start": "2026-01-01", "end": "2026-01-31", "mode": "later"}, "mode"),
    ({"start": "2026-01-01", "end": "2026-01-31", "group": "agency"}, "group"),
    ({"start": "2026-01-01", "end": "2026-01-31", "level": "hamlet"}, "level"),
    ({"start": "2026-01-01", "end": "2026-01-31", "unit": "99999"}, "unit"),
    ({"start": "2026-01-01", "end": "2026-01-31", "unit": "x:1"}, "unit"),
])
def test_bad_parameters_name_the_field(rw, args, field):
    with pytest.raises(InvalidInput) as excinfo:
        build_filters(**args)
    assert field in excinfo.value.fields


def test_unknown_measure(rw):
    with pytest.raises(InvalidInput) as excinfo:
        timeliness_dossiers(Filters(period=Period(*PERIODS[0])), "everything")
    assert "measure" in excinfo.value.fields


def test_hypothesis_random_histories_and_periods(rw):
    """Random histories (hypothesis-controlled) and a random period: the report equals the
    oracle in every row and every measure, and its invariants hold."""
    from django.db import transaction
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    agencies = [rw.w.desk, rw.w.other_desk]
    procedures = [rw.w.five_days, rw.w.same_day, rw.certify]
    origin = datetime.datetime(2026, 4, 15, tzinfo=datetime.UTC)

    @settings(max_examples=30, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(rng=st.randoms(use_true_random=False), n=st.integers(1, 6),
           first=st.integers(0, 40), length=st.integers(0, 30))
    def check(rng, n, first, length):
        with transaction.atomic():
            histories = [
                random_history(rng, rng.choice(agencies), rng.choice(procedures),
                               origin + datetime.timedelta(minutes=rng.randint(0, 30 * 24 * 60)),
                               max_gap_hours=rng.choice([2, 30, 200]))
                for _ in range(n)
            ]
            start = D(2026, 4, 15) + datetime.timedelta(days=first)
            period = (start, start + datetime.timedelta(days=length))
            play(histories, period_ends([period]))
            compare(histories, period)
            transaction.set_rollback(True)

    check()
