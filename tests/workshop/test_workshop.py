"""Workshop mode: rules, prices, the SQLite store under restarts and concurrent teams, debrief."""

import multiprocessing
import sqlite3

import pandas as pd
import pytest

from model import InputError, simulate
from model.workshop import rounds
from model.workshop.rounds import (
    open_workshop,
    play,
    play_round,
    prices,
    research_data,
    team_scenario,
)
from model.workshop.rules import (
    LEVERS,
    SHOCKS,
    SPENDING,
    Settings,
    debrief_row,
    round_outcomes,
    time_to_impact,
)
from model.workshop.store import BASELINE, CODE_LENGTH, CODE_LETTERS, PIN_DIGITS, WorkshopStore

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run

SMALL = Settings(title="Test workshop", rounds=3, weeks_per_round=4, reps=2, research_export=True)
GUESS = {"profit": 1e6, "turnover_rate": 0.5, "customer_satisfaction": 60.0}


@pytest.fixture
def store(tmp_path):
    return WorkshopStore(tmp_path / "deep" / "workshops.sqlite3")


@pytest.fixture
def workshop(store):
    code, key = open_workshop(store, SMALL)
    return code, key


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scenario": "nowhere"}, "scenario: 'nowhere' is unknown"),
        ({"rounds": 41}, "rounds: 41 is not usable; allowed: 1 to 40"),
        ({"rounds": 30, "weeks_per_round": 52}, "rounds: 30 rounds of 52 weeks is not usable"),
        ({"shocks": {9: "budget_cut"}}, "shocks: round 9 is not a round; allowed: 1 to 3"),
        ({"shocks": {1: "meteor"}}, "shocks: 'meteor' is unknown"),
        ({"title": "  "}, "title: empty"),
        ({"reps": 0}, "reps: 0 is not usable"),
    ],
)
def test_bad_settings_are_refused_with_one_clear_line(store, changes, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        open_workshop(store, Settings(**(SMALL.__dict__ | changes)))


def test_a_shock_names_its_unit_as_the_pages_number_units_from_1():
    shock = SHOCKS["new_manager"]
    assert shock.label.startswith(f"A new manager in unit {shock.new_manager[0] + 1}:")


def test_prices_come_from_the_books_and_only_spending_costs():
    price = prices(SMALL)
    assert set(price) == set(LEVERS)
    assert all(price[n] > 0 for n in SPENDING)
    assert all(price[n] == 0 for n in LEVERS if n not in SPENDING)
    # an engagement programme of 1 a year per employee, for 4 of 52 weeks, for everyone in post
    people = simulate(SMALL.start(), steps=1, seed=SMALL.seed, reps=1).headcount.iloc[0]
    assert price["engagement_program"] == pytest.approx(people * 4 / 52, rel=0.1)
    # 10% more pay costs about a tenth of a round's payroll (overtime included)
    payroll_4_weeks = people * 560 * 4
    assert 0.1 * price["wage_level"] == pytest.approx(0.1 * payroll_4_weeks, rel=0.35)


def test_teams_join_by_code_and_name_and_a_bad_code_is_named(store, workshop):
    code, _ = workshop
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_LETTERS)
    alpha, pin = store.join(code, "Alpha")
    assert len(pin) == PIN_DIGITS and pin.isdigit()
    assert store.rejoin(code.lower(), "  alpha ", pin) == alpha  # the same team, another device
    assert store.join(code, "Beta")[0] != alpha
    with pytest.raises(InputError, match="join code: 'NOPE4242' is not a workshop here"):
        store.join("nope-4242", "Gamma")
    with pytest.raises(InputError, match="team name: empty"):
        store.join(code, "   ")
    for markup in ("![x](http://example.org/x.png)", "[Prize](http://example.org)", "<b>B</b>"):
        with pytest.raises(InputError, match="has characters that are not allowed"):
            store.join(code, markup)  # names show on every screen: no links, no images
    assert store.join(code, "Team Zoë & Co.")[0]


def test_a_name_alone_never_gives_a_teams_seat(store, workshop):
    code, _ = workshop
    alpha, pin = store.join(code, "Alpha")
    store.submit(code, alpha, {"engagement_program": 500}, GUESS)
    with pytest.raises(InputError, match="team name: 'alpha' has joined already; allowed: its"):
        store.join(code, "alpha")  # the same name typed on a stranger's device
    wrong = "0" * PIN_DIGITS if pin != "0" * PIN_DIGITS else "1" * PIN_DIGITS
    for guess in (wrong, "", "abc"):
        with pytest.raises(InputError, match="team PIN: not Alpha's; allowed: the PIN Alpha"):
            store.rejoin(code, "Alpha", guess)
    decided = store.decisions(store.workshop(code))
    assert decided.choices.tolist() == [{"engagement_program": 500}]  # unchanged
    assert store.teams(store.workshop(code)) == {alpha: "Alpha"}  # nobody else took a seat


def test_the_facilitator_resets_a_pin_and_the_old_one_stops_working(store, workshop):
    code, key = workshop
    alpha, old = store.join(code, "Alpha")
    with pytest.raises(InputError, match="facilitator key: not this workshop's"):
        store.reset_pin(code, "guess", alpha)
    new = store.reset_pin(code, key, alpha)
    assert store.rejoin(code, "Alpha", new) == alpha
    if new != old:
        with pytest.raises(InputError, match="team PIN: not Alpha's"):
            store.rejoin(code, "Alpha", old)


def test_only_hashes_of_secrets_are_kept(store, workshop):
    code, key = workshop
    _, pin = store.join(code, "Alpha")
    raw = store.path.read_bytes() + b"".join(
        p.read_bytes() for p in store.path.parent.glob("*-wal")
    )
    assert key.encode() not in raw
    with sqlite3.connect(store.path) as db:
        kept = db.execute("SELECT key_hash FROM workshops").fetchone()[0]
        pin_kept = db.execute("SELECT pin_hash FROM teams").fetchone()[0]
    assert key not in kept and pin not in pin_kept.split("$")[1]
    assert store.facilitate(code, key).code == code


def test_a_file_from_before_hashing_is_upgraded_and_keeps_its_workshops(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE workshops (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, "
            "facilitator_key TEXT NOT NULL, settings TEXT NOT NULL, prices TEXT NOT NULL, "
            "locked_round INTEGER NOT NULL DEFAULT 0, played_round INTEGER NOT NULL DEFAULT 0, "
            "created TEXT NOT NULL);"
            "CREATE TABLE teams (id INTEGER PRIMARY KEY, workshop_id INTEGER NOT NULL, "
            "name TEXT NOT NULL COLLATE NOCASE, joined TEXT NOT NULL, UNIQUE (workshop_id, name));"
        )
        db.execute(
            "INSERT INTO workshops (code, facilitator_key, settings, prices, created) "
            "VALUES ('ABC234', 'old-key', ?, '{}', 'then')",
            ('{"title": "Old", "shocks": {}}',),
        )
        db.execute("INSERT INTO teams (workshop_id, name, joined) VALUES (1, 'Alpha', 'then')")
    store = WorkshopStore(path)
    assert store.facilitate("ABC234", "old-key").settings.title == "Old"
    with pytest.raises(InputError, match="team PIN: not Alpha's"):
        store.rejoin("ABC234", "Alpha", "")  # an old team rejoins once the facilitator resets
    assert store.rejoin("ABC234", "Alpha", store.reset_pin("ABC234", "old-key", 1)) == 1


def test_settings_over_budget_are_refused_and_nothing_is_stored(store, workshop):
    code, _ = workshop
    team, _ = store.join(code, "Alpha")
    with pytest.raises(InputError, match="these settings cost .* a round; allowed: at most"):
        store.submit(code, team, {"wage_level": 1.5}, GUESS)
    with pytest.raises(InputError, match=r"prediction: Profit in the round \(currency\) is empty"):
        store.submit(code, team, {}, GUESS | {"profit": None})
    with pytest.raises(InputError, match="prediction: Turnover.*'a lot' is not a number"):
        store.submit(code, team, {}, GUESS | {"turnover_rate": "a lot"})
    assert store.decisions(store.workshop(code)).empty


def test_a_resubmission_replaces_the_teams_own_decision_only(store, workshop):
    code, _ = workshop
    (alpha, _), (beta, _) = store.join(code, "Alpha"), store.join(code, "Beta")
    store.submit(code, alpha, {"engagement_program": 500}, GUESS)
    store.submit(code, beta, {"leader_care": 90}, GUESS)
    store.submit(code, alpha, {"engagement_program": 1000}, GUESS)
    decided = store.decisions(store.workshop(code)).set_index("team")
    assert decided.loc["Alpha", "choices"] == {"engagement_program": 1000}
    assert decided.loc["Beta", "choices"] == {"leader_care": 90}


def test_decisions_lock_when_the_round_is_played(store, workshop, monkeypatch):
    code, key = workshop
    team, _ = store.join(code, "Alpha")
    refused = []

    def play_and_try_to_sneak_in(settings, decisions, executor=None):
        with pytest.raises(InputError, match="round: decisions are locked") as error:
            store.submit(code, team, {"leader_care": 99}, GUESS)
        refused.append(error)
        return play(settings, decisions, executor)

    monkeypatch.setattr(rounds, "play", play_and_try_to_sneak_in)
    assert play_round(store, code, key) == 1
    assert refused  # tried while the round ran, and refused
    assert store.workshop(code).open_round == 2
    with pytest.raises(InputError, match="facilitator key: not this workshop's"):
        play_round(store, code, "guess")


def test_a_team_that_decides_nothing_is_the_baseline_on_the_same_seeds(store, workshop):
    code, key = workshop
    (idle, _), (active, _) = store.join(code, "Idle"), store.join(code, "Active")
    store.submit(code, active, {"engagement_program": 1500}, GUESS)
    play_round(store, code, key)
    play_round(store, code, key)
    w = store.workshop(code)
    baseline = store.results(w, BASELINE)
    pd.testing.assert_frame_equal(store.results(w, idle), baseline)
    mine = store.results(w, active)
    assert mine.step.max() == 8  # two rounds of four weeks
    last = mine.step == 8
    assert mine[last].employee_satisfaction.mean() > baseline[last].employee_satisfaction.mean() + 1


def test_a_restart_loses_nothing_and_an_interrupted_round_is_finished_not_skipped(
    tmp_path, monkeypatch
):
    path = tmp_path / "workshops.sqlite3"
    first = WorkshopStore(path)
    code, key = open_workshop(first, SMALL)
    team, _ = first.join(code, "Alpha")
    first.submit(code, team, {"engagement_program": 800}, GUESS)

    def server_dies(*args, **kwargs):
        raise KeyboardInterrupt  # the process stops while the round runs

    monkeypatch.setattr(rounds, "play", server_dies)
    with pytest.raises(KeyboardInterrupt):
        play_round(first, code, key)
    monkeypatch.undo()

    again = WorkshopStore(path)  # a new server on the same file
    w = again.workshop(code)
    assert (w.locked_round, w.played_round, w.open_round) == (1, 0, None)
    assert again.teams(w) == {team: "Alpha"}
    assert again.decisions(w).choices.iloc[0] == {"engagement_program": 800}
    assert play_round(again, code, key) == 1  # finishes round 1, does not lock round 2
    assert again.workshop(code).open_round == 2
    assert again.results(again.workshop(code), team).step.max() == 4


def _submit_many(path, code, name, n):
    store = WorkshopStore(path)
    team, _ = store.join(code, name)
    for i in range(n):
        store.submit(code, team, {"engagement_program": 10 * i}, GUESS)
    return team


def test_teams_submitting_at_the_same_moment_never_overwrite_each_other(tmp_path):
    path = tmp_path / "workshops.sqlite3"
    code, _ = open_workshop(WorkshopStore(path), SMALL)
    names = ["Alpha", "Beta", "Gamma", "Delta"]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        teams = pool.starmap(_submit_many, [(path, code, name, 25) for name in names])
    store = WorkshopStore(path)
    decided = store.decisions(store.workshop(code))
    assert sorted(decided.team) == sorted(names) and len(set(teams)) == 4
    assert all(c == {"engagement_program": 240} for c in decided.choices)  # each its own last


def test_research_export_is_opt_in(store, workshop):
    code, key = workshop
    team, _ = store.join(code, "Alpha")
    store.submit(code, team, {"engagement_program": 800}, GUESS)
    play_round(store, code, key)
    data = research_data(store, store.workshop(code))
    row = data[(data.team == "Alpha") & (data["round"] == 1)].iloc[0]
    assert row.predicted_profit == 1e6 and row.profit > 0
    assert set(data.team) == {"Alpha", "(baseline)"}
    private, key2 = open_workshop(store, Settings(**(SMALL.__dict__ | {"research_export": False})))
    with pytest.raises(InputError, match="did not opt in to research export"):
        research_data(store, store.workshop(private))


def test_shocks_hit_every_company_and_a_budget_cut_tightens_the_budget():
    settings = Settings(
        title="Shocks",
        rounds=4,
        weeks_per_round=4,
        shocks={2: "tight_labour_market", 3: "budget_cut", 4: "new_manager"},
    )
    timeline = team_scenario(settings, [{}] * 4).timeline
    assert [(step.week, step.changes, step.new_manager) for step in timeline] == [
        (5, {"labour_market_tightness": 85}, ()),
        (13, {}, (0,)),
    ]
    assert [settings.budget_in(r) for r in (1, 2, 3, 4)] == [200_000, 200_000, 100_000, 100_000]


def test_the_chain_responds_inside_out_to_a_culture_investment():
    settings = Settings(title="Impact", rounds=6, weeks_per_round=13, reps=2)
    baseline = play(settings, [{}] * 6)
    invest = {"engagement_program": 1500, "senior_involvement": 80, "leader_care": 80}
    team = play(settings, [invest] * 6)
    impact = time_to_impact(team, baseline, 1).set_index("stage")
    weeks = impact.responded_week
    assert weeks["Internal service"] <= weeks["Employees"] < weeks["Customers"]
    assert weeks["Employees"] < weeks["Loyalty"]
    assert impact.loc["Profit", "direction"] == "down"  # it costs before it pays
    assert (impact.direction[["Employees", "Customers", "Loyalty"]] == "up").all()


def test_the_debrief_measures_how_far_predictions_missed():
    settings = Settings(title="Debrief", rounds=2, weeks_per_round=4, reps=2)
    baseline = play(settings, [{}, {}])
    team = play(settings, [{"engagement_program": 2000}] * 2)
    actual = round_outcomes(team, settings)
    guesses = actual.assign(profit=actual.profit + 1000.0, turnover_rate=actual.turnover_rate)
    row = debrief_row("Alpha", team, baseline, guesses, settings)
    assert row["profit_miss"] == pytest.approx(1000.0)
    assert row["turnover_miss"] == 0 and row["customer_satisfaction_miss"] == 0
    assert row["extra_operating_cost"] > 0  # the programme is paid for
