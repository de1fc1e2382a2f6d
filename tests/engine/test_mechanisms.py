"""Each link of the chain alone: it moves the right way, by a sensible amount."""

import numpy as np
import pytest

from model.engine import mechanisms as m


def test_unhappy_leaders_show_less_of_their_behaviour():
    behaviour = np.full((2, 4), 60.0)
    shown = m.shown_behaviour(behaviour, np.array([20.0, 80.0]))
    assert shown[0, 0] < shown[1, 0]
    assert shown[1, 0] / shown[0, 0] == pytest.approx(1.12 / 0.88)


def test_the_top_pulls_hardest_and_layers_weaken_it():
    coached = np.array([40.0])
    involved = m.behaviour_pull(90, 2, coached, extra_layers=0)
    absent = m.behaviour_pull(0, 2, coached, extra_layers=0)
    layered = m.behaviour_pull(90, 2, coached, extra_layers=4)
    assert involved - absent == pytest.approx(m.PULL_SENIOR * 0.9)
    assert absent < layered < involved
    assert (layered - absent) / (involved - absent) == pytest.approx(m.LAYER_ATTENUATION**4)


def test_behaviour_drifts_back_to_habit_without_a_pull():
    habit = np.full((1, 4), 40.0)
    behaviour = np.full((1, 4), 70.0)
    for _ in range(52):
        behaviour = m.leader_behaviour(behaviour, habit, np.full(4, 70.0), np.zeros(1))
    gap_left = (behaviour[0, 0] - 40.0) / 30.0
    assert gap_left == pytest.approx((1 - m.HABIT_DRIFT) ** 52)
    assert 0.03 < gap_left < 0.3  # most of the way back within a year


def test_a_sustained_pull_holds_behaviour_near_the_standard():
    habit = np.full((1, 4), 40.0)
    behaviour = habit.copy()
    for _ in range(104):
        behaviour = m.leader_behaviour(behaviour, habit, np.full(4, 80.0), np.full(1, 0.1))
    assert 65.0 < behaviour[0, 0] < 80.0


def test_habits_learn_over_years_not_weeks():
    habit = np.full((1, 4), 40.0)
    for _ in range(52):
        habit = m.habit_learning(habit, np.full((1, 4), 80.0))
    assert 42.0 < habit[0, 0] < 46.0


def test_leader_satisfaction_follows_the_service_of_their_own_leader():
    after = m.leader_satisfaction(np.array([50.0, 50.0]), np.array([80.0, 20.0]), np.full(2, 50.0))
    assert after[0] > 50.0 > after[1]
    assert after[0] - 50.0 == pytest.approx(m.LEADER_INERTIA * 0.6 * 30.0)


def test_programmes_have_diminishing_returns():
    one, four = m.programme_boost(700), m.programme_boost(2800)
    assert 6.0 < one < 9.0
    assert one < four < 4 * one
    assert m.programme_boost(0) == 0.0


def test_support_chain_is_only_as_strong_as_its_weakest_link():
    chain = m.support_chain_quality(np.array([80.0, 80.0, 30.0]), cooperation=100)
    assert chain < 45.0  # the mean is 63
    assert chain > 30.0
    siloed = m.support_chain_quality(np.array([80.0, 80.0, 80.0]), cooperation=0)
    assert siloed == pytest.approx(80.0 * 0.6)


def test_internal_service_quality_terms():
    def isq(manager=50.0, support=50.0, friction=40.0, layers=0, programme=0.0, fatigue=0.0):
        return m.internal_service_quality(
            np.array([manager]), support, friction, layers, programme, np.array([fatigue])
        )[0]

    base = isq()
    assert isq(manager=60.0) - base == pytest.approx(6.0)
    assert isq(support=60.0) - base == pytest.approx(3.0)
    assert base - isq(friction=50.0) == pytest.approx(2.0)
    assert base - isq(layers=2) == pytest.approx(6.0)
    assert base - isq(fatigue=0.1) == pytest.approx(4.0)
    assert isq(programme=5.0) - base == pytest.approx(5.0)


def _satisfaction_step(isq=50.0, customers=70.0, peer=60.0):
    return m.employee_satisfaction(
        np.array([60.0]),
        np.array([isq]),
        np.array([customers]),
        50.0,
        np.zeros(1),
        np.array([peer]),
        np.zeros(1),
    )[0]


def test_employee_satisfaction_moves_with_inertia_toward_internal_service():
    up = _satisfaction_step(isq=60.0) - _satisfaction_step(isq=50.0)
    assert up == pytest.approx(m.SATISFACTION_INERTIA * m.TARGET_ISQ * 10.0)
    assert 0.2 < up < 1.0  # a week moves a small part of the way


def test_outside_in_path_exists_and_is_weaker_than_inside_out():
    outside_in = _satisfaction_step(customers=80.0) - _satisfaction_step(customers=70.0)
    inside_out = _satisfaction_step(isq=60.0) - _satisfaction_step(isq=50.0)
    assert outside_in > 0.0
    assert inside_out > 3 * outside_in


def test_mood_spreads_in_a_team_and_champions_weigh_more():
    values = np.array([80.0, 40.0, 40.0, 40.0])
    team = np.zeros(4, int)
    plain = m.team_mean(values, team, np.ones(4), 1)[0]
    champion = m.team_mean(values, team, np.array([m.CHAMPION_WEIGHT, 1, 1, 1]), 1)[0]
    assert plain == pytest.approx(50.0)
    assert champion > plain + 10.0
    assert _satisfaction_step(peer=80.0) > _satisfaction_step(peer=60.0)


def _annual_quit(satisfaction=60.0, tenure=100.0, wage=1.0, market=50.0):
    weekly = m.quit_probability(np.array([satisfaction]), np.array([tenure]), wage, market, 40, 40)
    return 1.0 - (1.0 - weekly[0]) ** 52


def test_quits_fall_with_satisfaction_and_pay_and_rise_in_tight_markets():
    assert 0.2 < _annual_quit() < 0.6
    assert _annual_quit(satisfaction=40.0) > 2 * _annual_quit(satisfaction=60.0)
    assert _annual_quit(wage=1.2) < 0.9 * _annual_quit()
    assert _annual_quit(market=90.0) > 1.3 * _annual_quit()


def test_quits_are_highest_in_the_first_weeks():
    first = m.quit_probability(np.array([60.0]), np.array([1.0]), 1.0, 50, 40, 40)[0]
    later = m.quit_probability(np.array([60.0]), np.array([52.0]), 1.0, 50, 40, 40)[0]
    assert first > 5 * later
    onboarded = m.quit_probability(np.array([60.0]), np.array([1.0]), 1.0, 50, 40, 100)[0]
    assert onboarded < 0.8 * first


def test_choosy_hiring_and_tight_markets_lengthen_vacancies():
    normal = m.hire_probability(40, 50, 1.0)
    assert 0.2 < normal < 0.5  # a vacancy lasts a few weeks
    assert m.hire_probability(100, 50, 1.0) < normal
    assert m.hire_probability(40, 100, 1.0) < normal
    assert m.hire_probability(40, 50, 1.3) > normal


def test_skill_ramps_over_months_faster_with_onboarding_and_training():
    def weeks_to(level, onboarding=40, training=20):
        skill, week = np.array([m.new_hire_skill(onboarding)]), 0
        while skill[0] < level:
            skill = m.skill_growth(skill, np.array([week]), onboarding, training, np.array([40.0]))
            week += 1
        return week

    assert 8 <= weeks_to(70) <= 40
    assert weeks_to(70, onboarding=100) < weeks_to(70, onboarding=0)
    assert weeks_to(70, training=120) < weeks_to(70, training=0)


def test_service_needs_skill_and_engagement_not_training_alone():
    trained_unhappy = m.service_potential(np.array([95.0]), np.array([30.0]), np.zeros(1))[0]
    balanced = m.service_potential(np.array([65.0]), np.array([65.0]), np.zeros(1))[0]
    assert trained_unhappy < balanced
    busy = m.service_potential(np.array([65.0]), np.array([65.0]), np.array([0.2]))[0]
    assert busy < 0.97 * balanced  # busyness suppresses displayed engagement


def test_overload_cuts_time_and_standards_erode_but_recover_only_when_anchored():
    standard = np.array([1.0])
    achieved = m.achieved_time_share(np.array([1.25]), standard)
    assert achieved[0] == pytest.approx(1.05 / 1.25)
    eroded = standard
    for _ in range(10):
        eroded = m.service_standard(
            eroded, m.achieved_time_share(np.array([1.25]), eroded), np.ones(1)
        )
    assert eroded[0] < 0.9
    unanchored, anchored = eroded, eroded
    for _ in range(26):
        calm = np.array([0.9])
        unanchored = m.service_standard(
            unanchored, m.achieved_time_share(calm, unanchored), np.array([0.1])
        )
        anchored = m.service_standard(
            anchored, m.achieved_time_share(calm, anchored), np.array([1.0])
        )
    assert unanchored[0] < eroded[0] + 0.01
    assert anchored[0] > eroded[0] + 0.03


def test_visit_quality_falls_with_waits_and_customer_friction():
    def quality(pressure=0.0, friction=40.0):
        return m.service_quality(np.array([65.0]), np.array([1.0]), np.array([pressure]), friction)[
            0
        ]

    assert 60.0 < quality() < 90.0
    assert quality() - quality(pressure=0.1) == pytest.approx(2.0)
    assert quality() - quality(friction=80.0) == pytest.approx(8.0)


def test_customer_satisfaction_moves_with_experience_against_expectation():
    surprised = m.customer_satisfaction(*np.array([[60.0], [80.0], [60.0], [0.0]]))[0]
    expected = m.customer_satisfaction(*np.array([[60.0], [80.0], [80.0], [0.0]]))[0]
    assert surprised > expected > 60.0
    easily_pleased = m.customer_satisfaction(*np.array([[60.0], [80.0], [80.0], [10.0]]))[0]
    assert easily_pleased - expected == pytest.approx(m.CUSTOMER_INERTIA * 10.0)
    assert m.adapted_expectation(np.array([60.0]), np.array([80.0]), 60.0)[0] == pytest.approx(60.8)
    assert m.adapted_expectation(np.array([60.0]), np.array([60.0]), 80.0)[0] == pytest.approx(60.4)


def test_loyalty_is_convex_at_the_top_in_retention_and_modest_in_visits():
    satisfied = np.linspace(60, 79.9, 200)
    very = np.linspace(80, 100, 200)
    # Xerox's "repurchase" is buying again within a year or two: the convexity is in retention
    stay_satisfied = (1 - m.defection_probability(satisfied)) ** 78
    stay_very = (1 - m.defection_probability(very)) ** 78
    assert stay_very.mean() / stay_satisfied.mean() >= 1.5
    weekly = m.defection_probability(satisfied).mean()
    assert 0.15 <= 1 - (1 - weekly) ** 52 <= 0.40
    assert 1 - (1 - m.defection_probability(np.array([95.0]))[0]) ** 52 < 0.10
    # how often a customer comes moves only modestly
    visits = m.visit_probability(very, np.ones(200)).mean()
    assert 1.0 < visits / m.visit_probability(satisfied, np.ones(200)).mean() < 1.5


def test_loyal_long_standing_customers_spend_more():
    new = m.spend(100.0, np.array([60.0]), np.array([0]))[0]
    loyal = m.spend(100.0, np.array([90.0]), np.array([156]))[0]
    assert 1.3 < loyal / new < 1.8


def test_long_standing_customers_cost_less_to_serve_and_refer_more():
    """Reichheld and Sasser (1990): a customer's value grows with tenure, not only in spend."""
    weeks = np.array([0, 52, 156, 520])
    time = m.time_to_serve(weeks)
    assert time[0] == 1.0 and np.all(np.diff(time) <= 0)
    assert 0.75 < time[-1] < 0.95  # a regular saves staff time, but still needs serving
    assert time[2] == time[3]  # fully seasoned after three years
    referral = m.referral_probability(weeks)
    assert np.all(np.diff(referral) >= 0)
    assert 1.5 < referral[-1] / referral[0] < 3.0


def _won(prospects, referrals=0.0, warnings=0.0, pool=1000.0):
    return m.new_customers_expected(
        np.array([prospects]), np.array([pool]), 1.0, np.array([referrals]), np.array([warnings])
    )[0]


def test_new_customers_come_out_of_a_finite_pool():
    assert _won(500.0) == pytest.approx(500 * m.ACQUISITION_RATE)
    assert _won(250.0) == pytest.approx(_won(500.0) / 2)  # an emptier pool wins fewer
    assert _won(0.0, referrals=50.0) == 0.0  # nobody left to win
    # a referral reaches a prospect only as often as the people told are not customers already
    assert _won(500.0, referrals=10.0) - _won(500.0) == pytest.approx(10 * 0.5)
    assert _won(500.0, warnings=99.0) == 0.0
    assert _won(3.0, referrals=1000.0) == 3.0  # never more than the prospects


def test_fatigue_builds_over_weeks_and_drains_slowly():
    tired, weeks = np.zeros(1), []
    for _ in range(20):
        tired = m.fatigue(tired, np.array([0.5]))
        weeks.append(tired[0])
    assert weeks[0] == pytest.approx(0.5 / m.FATIGUE_WEEKS)  # not at once
    assert 0.3 < weeks[int(m.FATIGUE_WEEKS) - 1] / 0.5 < 0.8  # most of it within weeks
    rested = m.fatigue(tired, np.zeros(1))[0]
    assert rested > 0.8 * tired[0]  # and it lingers after the overload ends
    one = np.array([60.0]), np.array([52.0]), 1.0, 50, 40, 40
    assert m.quit_probability(*one, 0.5)[0] == pytest.approx(
        (1 + 0.5 * m.FATIGUE_QUIT) * m.quit_probability(*one, 0.0)[0]
    )


def test_management_plans_staff_from_perceived_demand_and_pace():
    plan = np.array([20.0])
    assert m.staff_needed(plan, np.ones(1), np.ones(1))[0] == pytest.approx(20.0)
    assert m.staff_needed(plan, np.array([1.2]), np.ones(1))[0] == pytest.approx(24.0)
    # corners cut under pressure read as productivity: the plan falls with them
    assert m.staff_needed(plan, np.ones(1), np.array([0.9]))[0] == pytest.approx(18.0)
    belief = m.perceived(np.array([1.0]), np.array([0.8]), 26.0)[0]
    assert belief == pytest.approx(1.0 - 0.2 / 26)


def test_leaders_time_is_finite():
    lean = m.admin_share(0, 0.0, np.zeros(1))[0]
    assert lean == pytest.approx(m.ADMIN_BASE)
    heavy = m.admin_share(3, 80.0, np.array([0.5]))[0]
    assert heavy - lean == pytest.approx(
        3 * m.ADMIN_PER_LAYER + 80 * m.ADMIN_PER_FRICTION + 0.5 * m.ADMIN_PER_SPAN
    )
    asked = np.full((1, 4), 50.0)
    assert m.behaviour_within_time(asked, np.array([lean]))[0] == pytest.approx(asked[0])
    high = np.full((1, 4), 95.0)
    reached = m.behaviour_within_time(high, np.array([heavy]))[0]
    assert reached == pytest.approx(np.full(4, 100 * (1 - heavy) / m.PEOPLE_TIME_AT_FULL))
    assert reached.mean() < 95.0  # more is not free


def test_time_with_people_is_time_off_the_floor():
    admin = np.array([0.5, 0.5])
    shown = np.array([[40.0] * 4, [70.0] * 4])
    floor = m.floor_time(shown, admin)
    assert floor[0] == pytest.approx(0.5 - 0.4 * m.PEOPLE_TIME_AT_FULL)
    # 30 points more on every count cost 18% of a week: about a fifth of an employee
    assert floor[0] - floor[1] == pytest.approx(0.3 * m.PEOPLE_TIME_AT_FULL)
    full = m.behaviour_within_time(np.full((1, 4), 100.0), admin[:1])
    assert m.floor_time(full, admin[:1])[0] == pytest.approx(0.0)


def test_self_service_is_plainer_for_customers_who_come_for_the_people():
    quality = m.self_service_quality(np.array([False, True]), 40.0)
    assert quality[0] == pytest.approx(m.SELF_SERVICE_QUALITY - 4.0)
    assert quality[0] - quality[1] == pytest.approx(m.PEOPLE_VALUING_PENALTY)


def test_each_leaver_costs_a_share_of_annual_pay_and_selective_hiring_costs_more():
    cost = m.turnover_cost(np.array([2]), 500.0, 0.19, selectivity=50.0)[0]
    assert cost == pytest.approx(2 * 0.19 * 500 * 52)
    choosy = m.turnover_cost(np.array([2]), 500.0, 0.19, selectivity=100.0)[0]
    assert choosy / cost == pytest.approx(1.2)


def test_standards_are_anchored_half_by_the_manager_half_by_training():
    assert m.standard_anchor(np.array([0.0]), np.array([0.0]), 0.0)[0] == 0.0
    assert m.standard_anchor(np.array([100.0]), np.array([100.0]), 200.0)[0] == 1.5
    by_training = m.standard_anchor(np.array([0.0]), np.array([0.0]), m.ANCHOR_TRAINING_HOURS)
    assert by_training[0] == pytest.approx(0.5)  # full training anchors as much as ...
    assert m.standard_anchor(np.array([50.0]), np.array([50.0]), 0.0)[0] == pytest.approx(0.5)


def test_net_promoter_bands():
    scores = m.promoter_score(np.array([95.0, 80.0, 79.9, 60.0, 59.9, 10.0]))
    assert list(scores) == [1, 1, 0, 0, -1, -1]


def test_a_growing_organisation_spreads_the_top_team_thin():
    coached = np.array([40.0])
    small = m.behaviour_pull(80, 2, coached, 0, top_reach=1.0)
    grown = m.behaviour_pull(80, 2, coached, 0, top_reach=0.5)
    assert small - grown == pytest.approx(m.PULL_SENIOR * 0.8 * 0.5)
