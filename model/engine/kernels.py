"""Compiled weekly steps of the hot links: one loop where numpy makes many passes.

The pure numpy functions of `mechanisms` stay the readable reference; these
kernels restate them loop by loop, and `tests/engine/test_compiled.py` checks
that both give the same numbers on the same draws. Nothing here draws: random
numbers are drawn in bulk from the model's generator, in the reference's order,
and passed in. Coefficients are read from `mechanisms` at every call (never
frozen at compile time), so a coefficient changed at run time reaches the
compiled path too.

To agree with the reference to the bit, the arithmetic follows numpy's types
step by step: customers' values are float32, so where numpy rounds a step to
float32 (`f32`), so do these loops; sums run in the same order as `np.bincount`;
and exponentials come in computed by numpy (its vectorised `exp` rounds
differently from the C library's).

Loops over every customer avoid branching on what is a coin toss (whether a
customer visits, leaves, is a promoter): a mispredicted branch costs more than
the arithmetic, so such flags are combined with `&` (which compiles to no
branch) rather than `and` (which does), measured four times faster on
`choose_visitors`.

Compiled code is cached on disk (numba's cache, beside this file or, where
that is read-only, in the user's cache directory; `NUMBA_CACHE_DIR` moves it),
so compiling is paid once per installation.
"""

from __future__ import annotations

from operator import itemgetter
from typing import NamedTuple

import numpy as np
from numba import njit

from model.engine import mechanisms as mech

f32 = np.float32


class CustomerCoefficients(NamedTuple):
    """The coefficients of `mechanisms` the customer kernels use, by the same names."""

    LOYALTY_MIDPOINT: float
    LOYALTY_SCALE: float
    DEFECTION_BACKGROUND: float
    DEFECTION_AT_70: float
    DEFECTION_SCALE: float
    VISITS_MAX: float
    VISITS_FLOOR: float
    ON_SHIFT: float
    BOND_PROBABILITY: float
    VISIT_QUALITY_BASE: float
    WAIT_PENALTY: float
    SERVICE_FRICTION: float
    RELATIONSHIP_BONUS: float
    NO_SERVICE_QUALITY: float
    SELF_SERVICE_QUALITY: float
    PEOPLE_VALUING_PENALTY: float
    EXPERIENCE_NOISE: float
    LOYAL_SPEND_PREMIUM: float
    SEASONED_WEEKS: float
    TENURE_SPEND_PREMIUM: float
    TENURE_TIME_SAVING: float
    TENURE_REFERRAL_PREMIUM: float
    DELIGHT_AT: float
    PROMOTER_AT: float
    DETRACTOR_BELOW: float
    LET_DOWN_AT: float
    REFERRAL_PROBABILITY: float
    WARNING_PROBABILITY: float
    DISCONFIRMATION: float
    CUSTOMER_INERTIA: float
    LOST_SERVER_DIP: float
    EXPECTATION_ADAPTATION: float
    EXPECTATION_ANCHOR: float
    SELF_SERVICE_FRICTION: float
    TIME_QUALITY_SHARE: float


class StaffCoefficients(NamedTuple):
    """The coefficients of `mechanisms` the staff kernels use, by the same names."""

    CHAMPION_WEIGHT: float
    JOB_BASE: float
    TARGET_ISQ: float
    TARGET_CUSTOMERS: float
    TARGET_PAY: float
    SATISFACTION_INERTIA: float
    PEER_SPREAD: float
    SKILL_LEARNING: float
    ONBOARDING_LEARNING: float
    ONBOARDING_WEEKS: float
    COACHING_LEARNING: float
    TRAINING_LEARNING: float


class LeaderCoefficients(NamedTuple):
    """The coefficients of `mechanisms` the leaders' kernel uses, by the same names."""

    ADMIN_BASE: float
    ADMIN_PER_LAYER: float
    ADMIN_PER_FRICTION: float
    ADMIN_PER_SPAN: float
    PEOPLE_TIME_AT_FULL: float
    BOARD_SERVICE: float
    PULL_COACHED: float
    LEADER_INERTIA: float
    HABIT_DRIFT: float
    HABIT_LEARNING: float
    ADMIN_MAX: float
    MOOD_SHOWN_FLOOR: float
    MOOD_SHOWN_GAIN: float
    SERVED_WEIGHT: float
    REPORTS_WEIGHT: float


class ServiceCoefficients(NamedTuple):
    """The coefficients of `mechanisms` for internal service quality, by the same names."""

    ISQ_BASE: float
    ISQ_MANAGER: float
    ISQ_SUPPORT: float
    ISQ_FRICTION: float
    ISQ_PER_LAYER: float
    ISQ_OVERLOAD: float


class PlanningCoefficients(NamedTuple):
    """The coefficients of `mechanisms` for teams' workload and units' plans, by the same names."""

    TARGET_UTILISATION: float
    MAX_LOAD: float
    MAX_OVERTIME: float
    STANDARD_EROSION: float
    STANDARD_RECOVERY: float
    DEMAND_PERCEPTION_WEEKS: float
    PRODUCTIVITY_PERCEPTION_WEEKS: float
    ACQUISITION_RATE: float
    NOVICE_PRODUCTIVITY: float


_LAYOUTS: dict[type, tuple[np.dtype, itemgetter]] = {}


def coefficients(kind: type[NamedTuple]) -> np.ndarray:
    """The coefficients of `kind` as `mechanisms` holds them now, as a record of one row.

    A kernel reads them by name from the row (`k = coefs[0]`). An array
    reaches a kernel in under a microsecond, where numba takes several to
    type a named tuple at every call.
    """
    if kind not in _LAYOUTS:
        fields = kind._fields
        _LAYOUTS[kind] = np.dtype([(name, np.float64) for name in fields]), itemgetter(*fields)
    dtype, values = _LAYOUTS[kind]
    return np.array(values(vars(mech)), np.float64).view(dtype)


@njit(cache=True)
def satisfaction_exponents(satisfaction, coefs):
    """The exponents of `loyalty` and `defection_probability` for each customer, in float32.

    numpy takes their exponentials (see the module's docstring); `choose_visitors`
    turns those into the probabilities.
    """
    k = coefs[0]
    loyal = np.empty(len(satisfaction), np.float32)
    leave = np.empty(len(satisfaction), np.float32)
    for i in range(len(satisfaction)):
        loyal[i] = -(satisfaction[i] - f32(k.LOYALTY_MIDPOINT)) / f32(k.LOYALTY_SCALE)
        leave[i] = -(satisfaction[i] - f32(70.0)) / f32(k.DEFECTION_SCALE)
    return loyal, leave


@njit(cache=True)
def choose_visitors(draw, loyal, leave_p, demand, coefs):
    """Who visits this week and who leaves for good (`visit_probability`, `defection_probability`).

    `loyal` and `leave_p` come in as the exponentials of `satisfaction_exponents`
    and leave as `loyalty` and `defection_probability` (in place). Returns the
    visitors' rows and a leave flag per row.
    """
    k = coefs[0]
    n = len(draw)
    visitors = np.empty(n, np.int64)
    leave = np.zeros(n, np.bool_)
    rest = 1.0 - k.VISITS_FLOOR
    count = 0
    for i in range(n):  # without branches: whether a customer visits is a coin toss
        loyal[i] = f32(1.0) / (f32(1.0) + loyal[i])
        driven = f32(k.DEFECTION_AT_70) * leave_p[i]
        leave_p[i] = min(max(f32(k.DEFECTION_BACKGROUND) + driven, f32(0.0)), f32(1.0))
        rate = f32(k.VISITS_MAX) * (f32(k.VISITS_FLOOR) + f32(rest) * loyal[i])
        visit = draw[i] < min(max(rate * f32(demand), f32(0.0)), f32(1.0))
        visitors[count] = i
        count += visit
        leave[i] = (draw[i] > f32(1.0) - leave_p[i]) & (not visit)
    return visitors[:count], leave


@njit(cache=True)
def serve_visitors(
    visitors,
    self_draw,
    shift_draw,
    pick_draw,
    noise_draw,
    bond_draw,
    word_draw,
    loyal,
    unit,
    satisfaction,
    expectation,
    temperament,
    tenure,
    values_people,
    relational,
    server,
    server_holder,
    filled,
    hires,
    potential,
    team_first,
    time_share,
    unit_pressure,
    n_departments,
    automation,
    customer_friction,
    spend_per_visit,
    market_expectation,
    coefs,
):
    """Each visit served (`_relationships`, `_servers`, `service_quality`, `_bond`) and judged.

    Updates the visitors' satisfaction, expectation and usual server in place
    (`customer_satisfaction`, `adapted_expectation`). Returns per-unit visits,
    staff time (`time_to_serve`), quality sum, revenue, referrals, warnings and lost servers.
    """
    k = coefs[0]
    n_units = len(time_share)
    n_teams = len(team_first)
    in_post = np.flatnonzero(filled)
    count = np.zeros(n_teams, np.int64)
    before_team = np.zeros(n_teams, np.int64)
    for t in range(n_teams):
        last = team_first[t + 1] if t + 1 < n_teams else len(filled)
        for post in range(team_first[t], last):
            count[t] += filled[post]
        if t + 1 < n_teams:
            before_team[t + 1] = before_team[t] + count[t]
    visits = np.zeros(n_units, np.int64)
    staff_time = np.zeros(n_units)
    lost_servers = np.zeros(n_units, np.int64)
    referrals = np.zeros(n_units, np.int64)
    warnings = np.zeros(n_units, np.int64)
    quality_sum = np.zeros(n_units)
    revenue = np.zeros(n_units)
    plain = k.SELF_SERVICE_QUALITY - k.SELF_SERVICE_FRICTION * customer_friction
    friction = k.SERVICE_FRICTION * customer_friction
    staffed = 0
    for v in range(len(visitors)):
        i = visitors[v]
        u = unit[i]
        lost = False
        if self_draw[v] < f32(automation):
            quality = plain - k.PEOPLE_VALUING_PENALTY * (1.0 if values_people[i] else 0.0)
        else:
            post = server[i]
            still_there = post >= 0 and filled[post] and hires[post] == server_holder[i]
            lost = post >= 0 and not still_there
            if lost:
                server[i] = -1
            on_shift = shift_draw[staffed] < f32(k.ON_SHIFT)
            regular = post if still_there and on_shift else -1
            team = u + n_departments
            pick = int(np.float64(pick_draw[staffed]) * np.float64(count[team]))
            rank = min(before_team[team] + pick, max(len(in_post) - 1, 0))
            anyone = in_post[rank] if len(in_post) else 0
            chosen = regular if regular >= 0 else anyone
            if count[team] > 0:
                timed = 1.0 - k.TIME_QUALITY_SHARE + k.TIME_QUALITY_SHARE * time_share[u]
                served = potential[chosen] * timed + k.VISIT_QUALITY_BASE
                served = served - k.WAIT_PENALTY * unit_pressure[u] - friction
                served = min(max(served, 0.0), 100.0)
                served = served + k.RELATIONSHIP_BONUS * (1.0 if regular >= 0 else 0.0)
                quality = min(served, 100.0)
                bond = (
                    regular < 0
                    and relational[i]
                    and server[i] < 0
                    and bond_draw[staffed] < f32(k.BOND_PROBABILITY)
                )
                if bond:
                    server[i] = chosen
                    server_holder[i] = hires[chosen]
            else:
                quality = k.NO_SERVICE_QUALITY
            staff_time[u] += 1.0 - k.TENURE_TIME_SAVING * min(tenure[i] / k.SEASONED_WEEKS, 1.0)
            lost_servers[u] += lost
            staffed += 1
        experience = quality + np.float64(noise_draw[v] * f32(k.EXPERIENCE_NOISE))
        experience = min(max(experience, 0.0), 100.0)

        old = satisfaction[i]
        loyal_spend = f32(1.0) + f32(k.LOYAL_SPEND_PREMIUM) * (loyal[i] - f32(0.5))
        seasoning = min(tenure[i] / k.SEASONED_WEEKS, 1.0)
        seasoned = 1.0 + k.TENURE_SPEND_PREMIUM * seasoning
        revenue[u] += np.float64(f32(spend_per_visit) * loyal_spend) * seasoned
        visits[u] += 1
        quality_sum[u] += quality
        referral = k.REFERRAL_PROBABILITY * (1.0 + k.TENURE_REFERRAL_PREMIUM * seasoning)
        if np.float64(word_draw[v]) < referral:
            referrals[u] += experience >= k.DELIGHT_AT and old >= f32(k.PROMOTER_AT)
        if word_draw[v] < f32(k.WARNING_PROBABILITY):
            warnings[u] += experience < k.LET_DOWN_AT

        expected = expectation[i]
        target = experience + k.DISCONFIRMATION * (experience - expected) + temperament[i]
        judged = old + k.CUSTOMER_INERTIA * (target - old)
        judged = min(max(judged, 0.0), 100.0)
        if lost:
            judged -= k.LOST_SERVER_DIP
        satisfaction[i] = min(max(judged, 0.0), 100.0)
        anchor = f32(k.EXPECTATION_ANCHOR) * (f32(market_expectation) - expected)
        expectation[i] = expected + k.EXPECTATION_ADAPTATION * (experience - expected) + anchor
    return visits, staff_time, quality_sum, revenue, referrals, warnings, lost_servers


@njit(cache=True)
def turn_over(team, filled, tenure, quit_p, draw, hired, onboarding_weeks):
    """Who quits (`quit_probability` against `draw`), and which free posts the hires fill.

    Each team's hires take its first free posts (free at the start of the week).
    Updates `filled` for the quits; returns per-team quits, early quits and
    hires, and the posts filled.
    """
    n_teams = len(hired)
    quits = np.zeros(n_teams, np.int64)
    early = np.zeros(n_teams, np.int64)
    hires = np.zeros(n_teams, np.int64)
    posts = np.empty(len(team), np.int64)
    n = 0
    for i in range(len(team)):
        t = team[i]
        if filled[i]:
            if draw[i] < quit_p[i]:
                filled[i] = False
                quits[t] += 1
                early[t] += tenure[i] < onboarding_weeks
        elif hires[t] < hired[t]:
            hires[t] += 1
            posts[n] = i
            n += 1
    return quits, early, hires, posts[:n]


@njit(cache=True)
def count_by_unit(unit, flag, n_units):
    """Per unit: all rows, and the rows where `flag` holds (`np.bincount` twice)."""
    rows = np.zeros(n_units, np.int64)
    flagged = np.zeros(n_units, np.int64)
    for i in range(len(unit)):
        rows[unit[i]] += 1
        flagged[unit[i]] += flag[i]
    return rows, flagged


@njit(cache=True)
def renewed(column, gone, more):
    """`column` without the rows `gone` (ascending), then `more`, copied once block by block.

    The same as `np.concatenate([np.delete(column, gone), more])`.
    """
    kept = len(column) - len(gone)
    out = np.empty(kept + len(more), column.dtype)
    start = 0
    filled = 0
    for row in gone:
        out[filled : filled + row - start] = column[start:row]
        filled += row - start
        start = row + 1
    out[filled:kept] = column[start:]
    out[kept:] = more
    return out


@njit(cache=True)
def customer_view(unit, satisfaction, n_units, promoter_at, detractor_below):
    """Per unit: customers, their satisfaction summed, and promoters less detractors."""
    customers = np.zeros(n_units, np.int64)
    satisfaction_sum = np.zeros(n_units)
    net_promoters = np.zeros(n_units)
    for i in range(len(unit)):
        u = unit[i]
        customers[u] += 1
        satisfaction_sum[u] += np.float64(satisfaction[i])
        promoter = satisfaction[i] >= f32(promoter_at)
        detractor = satisfaction[i] < f32(detractor_below)
        net_promoters[u] += np.float64(promoter) - np.float64(detractor)
    return customers, satisfaction_sum, net_promoters


@njit(cache=True)
def internal_service_quality(
    team, manager_service, support, friction, extra_layers, programme, fatigue, isq, coefs
):
    """Each post's `internal_service_quality`, written into `isq`."""
    k = coefs[0]
    from_support = k.ISQ_SUPPORT * support
    from_friction = k.ISQ_FRICTION * friction
    from_layers = k.ISQ_PER_LAYER * extra_layers
    for i in range(len(team)):
        t = team[i]
        quality = k.ISQ_BASE + k.ISQ_MANAGER * manager_service[t] + from_support + programme
        quality = quality - from_friction - from_layers - k.ISQ_OVERLOAD * fatigue[t]
        isq[i] = min(max(quality, 0.0), 100.0)


@njit(cache=True)
def update_employees(
    team,
    filled,
    satisfaction,
    skill,
    tenure,
    isq,
    disposition,
    champion_trait,
    champion_at,
    champion,
    noise,
    customer_satisfaction,
    shown,
    team_manager,
    n_departments,
    pay,
    champion_lift,
    onboarding_quality,
    training_hours,
    coefs,
):
    """Employees' week in place, for the posts in post: `employee_satisfaction` and `skill_growth`.

    Who is a champion (`champion_trait` below `champion_at`); the customers a
    team sees (its unit's, or the units' mean for support departments); its
    manager's coaching; the team's mood, `team_mean` of last week's
    satisfaction, champions weighing more.
    """
    k = coefs[0]
    n_teams = len(team_manager)
    n_units = len(customer_satisfaction)
    for i in range(len(team)):
        champion[i] = champion_trait[i] < champion_at
    everyone = pairwise_sum(customer_satisfaction, 0, n_units) / n_units if n_units else 50.0
    team_customers = np.full(n_teams, everyone)
    team_customers[n_departments:] = customer_satisfaction
    coaching = np.empty(n_teams)
    for t in range(n_teams):
        coaching[t] = shown[team_manager[t], 3]
    total = np.zeros(n_teams)
    weights = np.zeros(n_teams)
    for i in range(len(team)):
        if filled[i]:
            weight = 1.0 + (k.CHAMPION_WEIGHT - 1.0) * (1.0 if champion[i] else 0.0)
            total[team[i]] += weight * satisfaction[i]
            weights[team[i]] += weight
    onboarding = k.ONBOARDING_LEARNING * onboarding_quality / 100.0
    for i in range(len(team)):
        if not filled[i]:
            continue
        t = team[i]
        peer = total[t] / weights[t]
        old = satisfaction[i]
        mood = disposition[i] + champion_lift * (1.0 if champion[i] else 0.0)
        target = k.JOB_BASE + k.TARGET_ISQ * isq[i] + k.TARGET_CUSTOMERS * team_customers[t]
        target = target + k.TARGET_PAY * pay + mood
        moved = old + k.SATISFACTION_INERTIA * (target - old)
        moved = moved + k.PEER_SPREAD * (peer - old) + noise[i]
        satisfaction[i] = min(max(moved, 0.0), 100.0)
        rate = k.SKILL_LEARNING * (1.0 + k.COACHING_LEARNING * coaching[t] / 100.0)
        rate = rate + onboarding * (1.0 if tenure[i] < k.ONBOARDING_WEEKS else 0.0)
        rate = rate + k.TRAINING_LEARNING * training_hours
        skill[i] = min(max(skill[i] + rate * (100.0 - skill[i]), 0.0), 100.0)
        tenure[i] += 1


@njit(cache=True)
def week_sums(team, filled, satisfaction, isq, skill, engaged_at, authorised, shown, managers):
    """The week's sums for the records (`observe._sums`).

    Per team, over posts in post: headcount, and sums of satisfaction, engaged,
    ISQ and skill; per team, its vacancies (`Organisation.vacancies`); per
    unit, the mean behaviour its manager shows.
    """
    n_teams = len(authorised)
    sums = np.zeros((5, n_teams))
    for i in range(len(team)):
        if filled[i]:
            t = team[i]
            sums[0, t] += 1.0
            sums[1, t] += satisfaction[i]
            sums[2, t] += 1.0 if satisfaction[i] >= engaged_at else 0.0
            sums[3, t] += isq[i]
            sums[4, t] += skill[i]
    vacancies = np.empty(n_teams, np.int64)
    for t in range(n_teams):
        vacancies[t] = max(authorised[t] - int(sums[0, t]), 0)
    behaviour = np.empty(len(managers))
    for u in range(len(managers)):
        m = managers[u]
        behaviour[u] = (shown[m, 0] + shown[m, 1] + shown[m, 2] + shown[m, 3]) / 4.0
    return sums, vacancies, behaviour


@njit(cache=True)
def lead(
    behaviour,
    habit,
    satisfaction,
    parent,
    team,
    nominal_reports,
    staff_team,
    filled,
    staff_satisfaction,
    standard,
    extra_layers,
    internal_friction,
    senior_involvement,
    pull_base,
    n_teams,
    coefs,
):
    """Leaders' week in place; returns the behaviour they show and their `floor_time`.

    As `ServiceProfitChain.lead`: time left by administration (`admin_share`,
    `behaviour_within_time`), mood (`shown_behaviour`), the service and
    coaching each gets from their own leader, `leader_satisfaction`,
    `leader_behaviour` and `habit_learning`.
    `pull_base` is `behaviour_pull` for a leader nobody coaches.
    """
    k = coefs[0]
    n = len(parent)
    reports = np.zeros(n, np.int64)
    below = np.zeros(n)
    for i in range(n):
        if parent[i] >= 0:
            reports[parent[i]] += 1
            below[parent[i]] += satisfaction[i]
    team_total = np.zeros(n_teams)
    team_count = np.zeros(n_teams)
    for j in range(len(staff_team)):
        if filled[j]:
            team_total[staff_team[j]] += staff_satisfaction[j]
            team_count[staff_team[j]] += 1.0
    fixed_admin = k.ADMIN_BASE + k.ADMIN_PER_LAYER * extra_layers
    fixed_admin = fixed_admin + k.ADMIN_PER_FRICTION * internal_friction
    shown = np.empty((n, 4))
    floor_time = np.empty(n)
    for i in range(n):
        reports[i] = max(reports[i], 1)
        span = reports[i] / nominal_reports[i] - 1.0
        admin = min(max(fixed_admin + k.ADMIN_PER_SPAN * max(span, 0.0), 0.0), k.ADMIN_MAX)
        ceiling = 100.0 * (1.0 - admin) / k.PEOPLE_TIME_AT_FULL
        asked = (behaviour[i, 0] + behaviour[i, 1] + behaviour[i, 2] + behaviour[i, 3]) / 4.0
        scale = min(1.0, ceiling / max(asked, 1e-9))
        mood = k.MOOD_SHOWN_FLOOR + k.MOOD_SHOWN_GAIN * satisfaction[i] / 100.0
        for b in range(4):
            shown[i, b] = min(max(behaviour[i, b] * scale * mood, 0.0), 100.0)
        people = k.PEOPLE_TIME_AT_FULL * (shown[i, 0] + shown[i, 1] + shown[i, 2] + shown[i, 3])
        floor_time[i] = max(1.0 - admin - people / 400.0, 0.0)
    for i in range(n):
        q = parent[i]
        if q >= 0:
            reach = np.sqrt(min(1.0, nominal_reports[q] / reports[q]))
            served = (shown[q, 0] + shown[q, 1] + shown[q, 2] + shown[q, 3]) / 4.0 * reach
            coached = shown[q, 3]
        else:
            served, coached = k.BOARD_SERVICE, senior_involvement
        t = team[i]
        if t < 0:
            people = below[i] / reports[i]
        else:
            people = team_total[t] / team_count[t] if team_count[t] > 0 else 50.0
        pull = pull_base + k.PULL_COACHED * coached / 100.0
        target = k.SERVED_WEIGHT * served + k.REPORTS_WEIGHT * people
        moved = satisfaction[i] + k.LEADER_INERTIA * (target - satisfaction[i])
        satisfaction[i] = min(max(moved, 0.0), 100.0)
        for b in range(4):
            old = behaviour[i, b]
            moved = old + pull * (standard[b] - old)
            behaviour[i, b] = min(max(moved + k.HABIT_DRIFT * (habit[i, b] - old), 0.0), 100.0)
            habit[i, b] = habit[i, b] + k.HABIT_LEARNING * (old - habit[i, b])
    return shown, floor_time


@njit(cache=True)
def _block_sum(values, first, n):
    """The sum of at most 128 values as numpy adds them: eight running sums, then the rest."""
    if n < 8:
        total = 0.0
        for i in range(first, first + n):
            total += values[i]
        return total
    r = values[first : first + 8].copy()
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] += values[first + i + j]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for j in range(i, n):
        total += values[first + j]
    return total


@njit(cache=True)
def _halves(n):
    """Where numpy splits `n` values: near the middle, on a multiple of eight."""
    half = n // 2
    return half - half % 8


@njit(cache=True)
def pairwise_sum(values, first, n):
    """`values[first:first + n].sum()` as numpy adds it up, so that it rounds the same.

    numpy halves the values until at most 128 remain (`_block_sum`) and adds
    the halves' sums; the halving runs here on a stack of its own, since
    numba's cache does not keep recursive functions.
    """
    if n <= 128:
        return _block_sum(values, first, n)
    firsts = np.empty(64, np.int64)
    sizes = np.empty(64, np.int64)
    lefts = np.empty(64)
    stage = np.zeros(64, np.int64)  # 0: not begun, 1: left half pending, 2: right half pending
    depth = 0
    firsts[0], sizes[0] = first, n
    while True:
        if sizes[depth] > 128:
            stage[depth] = 1
            firsts[depth + 1], sizes[depth + 1] = firsts[depth], _halves(sizes[depth])
            stage[depth + 1] = 0
            depth += 1
            continue
        total = _block_sum(values, firsts[depth], sizes[depth])
        depth -= 1
        while depth >= 0 and stage[depth] == 2:
            total = lefts[depth] + total
            depth -= 1
        if depth < 0:
            return total
        lefts[depth] = total
        stage[depth] = 2
        half = _halves(sizes[depth])
        firsts[depth + 1], sizes[depth + 1] = firsts[depth] + half, sizes[depth] - half
        stage[depth + 1] = 0
        depth += 1


@njit(cache=True)
def keep_books(
    team,
    filled,
    leader_level,
    leader_team,
    pay_by_level,
    load,
    turnover,
    hires,
    revenue,
    arrivals,
    n_departments,
    wage,
    training_hours,
    training_hour_cost,
    programme_per_head,
    onboarding_cost,
    onboarding_quality,
    central_training,
    central_programme,
    unit_costs,
    goods_share,
    cost_per_new_customer,
    cumulative_profit,
    overtime_premium,
    max_overtime,
):
    """The per-unit lines of `ServiceProfitChain.keep_books` (its numpy half restated).

    Each team's payroll, training, programmes and other costs; support
    departments' and central costs shared equally between units; cost of
    goods, acquisition, costs and profit. `turnover` is `turnover_cost` per
    team. Adds the profit to `cumulative_profit`; returns the lines as rows
    in the order of `BOOK_LINES`.
    """
    n_teams = len(turnover)
    d = n_departments
    n_units = len(load)
    headcount = np.zeros(n_teams)
    for i in range(len(team)):
        headcount[team[i]] += 1.0 if filled[i] else 0.0
    leader_pay = wage * pay_by_level[leader_level]
    by_team = np.zeros((5, n_teams))  # payroll, training, programmes, turnover, other
    central = np.zeros(len(leader_level))
    n_central = 0
    for i in range(len(leader_level)):
        if leader_team[i] >= 0:
            by_team[4, leader_team[i]] += leader_pay[i]
        else:
            central[n_central] = leader_pay[i]
            n_central += 1
    for t in range(n_teams):
        overtime = min(max(load[t - d] - 1.0, 0.0), max_overtime) if t >= d else 0.0
        by_team[0, t] = headcount[t] * wage * (1.0 + overtime_premium * overtime)
        by_team[1, t] = headcount[t] * training_hours / 52.0 * training_hour_cost
        by_team[2, t] = headcount[t] * programme_per_head / 52.0
        by_team[3, t] = turnover[t]
        onboarding = hires[t] * onboarding_cost * onboarding_quality / 100.0
        by_team[4, t] = onboarding + by_team[4, t]
    shared_central = np.array(
        [0.0, central_training, central_programme, 0.0, pairwise_sum(central, 0, n_central)]
    )
    shared = np.empty(5)
    for line in range(5):
        shared[line] = (pairwise_sum(by_team[line], 0, d) + shared_central[line]) / max(n_units, 1)
    lines = np.empty((9, n_units))
    for u in range(n_units):
        costs = 0.0
        for line in range(5):
            lines[line, u] = by_team[line, d + u] + shared[line]
        lines[4, u] += unit_costs
        lines[5, u] = revenue[u] * goods_share
        lines[6, u] = arrivals[u] * cost_per_new_customer
        for line in range(7):
            costs += lines[line, u]
        lines[7, u] = costs
        lines[8, u] = revenue[u] - costs
        cumulative_profit[u] += lines[8, u]
    return lines


@njit(cache=True)
def new_customers_expected(pool, kept, referrals, warnings, demand, coefs):
    """`new_customers_expected` per unit, its prospects the market less the customers kept."""
    k = coefs[0]
    expected = np.empty(len(pool))
    for u in range(len(pool)):
        prospects = max(pool[u] - kept[u], 0.0)
        free = min(max(prospects / max(pool[u], 1.0), 0.0), 1.0)
        wanted = k.ACQUISITION_RATE * demand * prospects + free * (referrals[u] - warnings[u])
        expected[u] = min(max(wanted, 0.0), prospects)
    return expected


@njit(cache=True)
def plan_units(
    staff_time,
    capacity,
    visits_per_capacity,
    planned_visits,
    shown,
    manager,
    training_anchor,
    standard,
    load,
    staff_plan,
    perceived_demand,
    perceived_time_share,
    coefs,
):
    """Each unit reads its week into its plans, in place (`ServiceProfitChain.plan_capacity`).

    The week's load, the time share achieved (`achieved_time_share`), the
    service standard (`standard_anchor` with the training's half given,
    `service_standard`) and management's perceptions of demand and pace
    (`perceived`). `planned_visits` is per planned employee.
    """
    k = coefs[0]
    for u in range(len(standard)):
        week_load = min(staff_time[u] / max(capacity[u] * visits_per_capacity, 1e-9), k.MAX_LOAD)
        old = standard[u]
        achieved = min(old, (1.0 + k.MAX_OVERTIME) / max(week_load, 1e-9))
        anchor = 0.5 * (shown[manager[u], 0] + shown[manager[u], 3]) / 100 + training_anchor
        eroded = old + k.STANDARD_EROSION * min(achieved - old, 0.0)
        held = 1.0 if achieved >= old else 0.0
        recovered = eroded + k.STANDARD_RECOVERY * anchor * held * (1.0 - eroded)
        standard[u] = min(max(recovered, 0.0), 1.0)
        load[u] = week_load
        seen = staff_time[u] / (planned_visits * staff_plan[u])
        belief = perceived_demand[u]
        perceived_demand[u] = belief + (seen - belief) / k.DEMAND_PERCEPTION_WEEKS
        belief = perceived_time_share[u]
        perceived_time_share[u] = belief + (achieved - belief) / k.PRODUCTIVITY_PERCEPTION_WEEKS


@njit(cache=True)
def plan_staff(
    staff_plan,
    perceived_demand,
    perceived_time_share,
    staffing,
    manager_floor_time,
    slots,
    authorised,
    team,
    filled,
):
    """Posts authorised per unit (`staff_needed`, in place), and every team's vacancies.

    The manager's floor time covers part of the plan. The vacancies are
    `Organisation.vacancies`: authorised posts without a holder.
    """
    first_unit = len(authorised) - len(staff_plan)
    for u in range(len(staff_plan)):
        needed = staff_plan[u] * perceived_demand[u] * perceived_time_share[u]
        posts = np.rint(needed * staffing - manager_floor_time[u])
        authorised[first_unit + u] = max(min(posts, slots[u]), 1)
    headcount = np.zeros(len(authorised), np.int64)
    for i in range(len(team)):
        headcount[team[i]] += filled[i]
    return np.maximum(authorised - headcount, 0)


@njit(cache=True)
def workload(
    team,
    filled,
    skill,
    team_first,
    front_line_planned,
    authorised,
    unit_load,
    manager_floor_time,
    n_departments,
    planned_productivity,
    coefs,
):
    """Each team's capacity and overload (`ServiceProfitChain._workload`).

    Capacity is `Organisation._capacity` (`productivity` summed over the posts
    in post) and the manager's `floor_time`; overload is `pressure` of the
    load: units' from last week, support departments' from the front line
    they serve against their staff.
    """
    k = coefs[0]
    n_teams = len(team_first)
    d = n_departments
    capacity = manager_floor_time.copy()
    for i in range(len(team)):
        if filled[i]:
            novice = k.NOVICE_PRODUCTIVITY  # `productivity`
            capacity[team[i]] += novice + (1.0 - novice) * skill[i] / 100.0
    front_line = 0
    for i in range(team_first[d], len(filled)):
        front_line += filled[i]
    demand = k.TARGET_UTILISATION * front_line / front_line_planned
    pressure = np.empty(n_teams)
    for t in range(n_teams):
        if t < d:
            load = demand * (authorised[t] * planned_productivity) / max(capacity[t], 1e-9)
        else:
            load = unit_load[t - d]
        pressure[t] = max(min(load, k.MAX_LOAD) - 1.0, 0.0)
    return capacity, pressure


@njit(cache=True)
def teams_served(
    shown, team_manager, team, filled, potential, n_departments, fatigue, pressure, fatigue_weeks
):
    """What each team gets from its manager and each support department gives, and `fatigue`.

    Per team, the mean behaviour its manager shows; per support department,
    `team_mean` of its staff's potential (50 when empty). Updates the teams'
    fatigue in place.
    """
    n_teams = len(team_manager)
    manager_service = np.empty(n_teams)
    for t in range(n_teams):
        m = team_manager[t]
        manager_service[t] = (shown[m, 0] + shown[m, 1] + shown[m, 2] + shown[m, 3]) / 4.0
    total = np.zeros(n_departments)
    count = np.zeros(n_departments)
    for i in range(len(team)):
        if filled[i] and team[i] < n_departments:
            total[team[i]] += potential[i]
            count[team[i]] += 1.0
    department_service = np.full(n_departments, 50.0)
    for t in range(n_departments):
        if count[t] > 0:
            department_service[t] = total[t] / count[t]
    for t in range(n_teams):
        fatigue[t] = fatigue[t] + (pressure[t] - fatigue[t]) / fatigue_weeks
    return manager_service, department_service
