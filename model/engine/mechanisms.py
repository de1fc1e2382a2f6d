"""The links of the service-profit chain, each a pure function on arrays.

Every function reads last week's values and returns this week's; none draws
random numbers itself (noise is passed in, drawn from the model's generator),
so each can be tested alone. Satisfaction-type values are on 0-100 and money
is in currency per week. The coefficients below are the model's assumptions;
`docs` turns these docstrings into the Submodels section of the documentation.
"""

from __future__ import annotations

import numpy as np

BEHAVIOURS = ("recognition", "care", "presence", "coaching")
"""Leader behaviours, in the column order of every behaviour array."""

# Leaders
HABIT_DRIFT = 0.05  # weekly pull of behaviour back to habit
HABIT_LEARNING = 0.002  # weekly pull of habit toward practised behaviour
PULL_BASE = 0.01  # weekly pull toward the standard that any leader feels
PULL_SENIOR = 0.08  # added at full senior involvement: start at the top
PULL_TRAINING = 0.04  # added at plenty of leadership training
PULL_COACHED = 0.03  # added when one's own leader coaches fully
LAYER_ATTENUATION = 0.85  # what the top sends down keeps this share per extra layer
LEADER_INERTIA = 0.05  # weekly: leaders' satisfaction moves over months
BOARD_SERVICE = 60.0  # internal service the top team receives
MOOD_SHOWN_FLOOR = 0.8  # share of intended behaviour a leader at satisfaction 0 shows
MOOD_SHOWN_GAIN = 0.4  # and how much more at 100 (1.2 times what they intend)
TRAINING_DAYS_SCALE = 4.0  # days of leadership training a year for 63% of its pull
SERVED_WEIGHT = 0.6  # a leader's satisfaction follows their own leader's service this much,
REPORTS_WEIGHT = 0.4  # and their own people's satisfaction this much
ADMIN_MAX = 0.95  # administration never takes the whole week

# Internal service quality
ISQ_BASE = 25.0  # points of internal service any post gets (tools, a place to work)
ISQ_MANAGER = 0.6  # per point of the manager's shown behaviour: the largest term
ISQ_SUPPORT = 0.3  # per point of the support departments' service
ISQ_FRICTION = 0.2  # lost per point of internal policy friction
ISQ_PER_LAYER = 3.0  # lost per layer beyond a lean chain's
ISQ_OVERLOAD = 40.0  # lost per unit of team fatigue (a team 10% overloaded for weeks: 4 points)
PROGRAMME_MAX_BOOST = 12.0  # points of internal service the richest programme adds
PROGRAMME_SCALE = 700.0  # currency/employee/year for 63% of the maximum boost
WEAKEST_LINK_POWER = -4.0  # power mean: strongly weighted to the weakest department
SILO_FLOOR = 0.6  # share of a department's service that reaches the front line with no cooperation
COOPERATION_GAIN = 0.4  # and the rest, which full cooperation delivers
NO_SUPPORT_SERVICE = 50.0  # support service scored where there are no support departments

# Employees
SATISFACTION_INERTIA = 0.08  # weekly: satisfaction follows the job over about three months
PEER_SPREAD = 0.08  # weekly pull toward the team's mood
CHAMPION_WEIGHT = 4.0  # a champion's mood counts this many times a colleague's in the team's
TARGET_ISQ = 0.6  # satisfaction's target per point of internal service: inside-out
TARGET_CUSTOMERS = 0.12  # the outside-in path, weaker than the inside-out one
TARGET_PAY = 0.18  # per point of how pay feels
JOB_BASE = 7.0  # points the job itself gives
ENGAGED_AT = 67.0  # satisfaction from which an employee counts as engaged
SATISFACTION_NOISE = 2.0  # weekly sd of an employee's mood: the days that go well or badly
DISPOSITION_BASE = -3.0  # a new hire's mean disposition (points) at hiring selectivity 0
DISPOSITION_PER_SELECTIVITY = 0.08  # selective hiring finds people better suited to the job
DISPOSITION_SPREAD = 7.0  # sd (points) of new hires' disposition: people differ
NEW_HIRE_SATISFACTION = 62.0  # before disposition: the honeymoon of a new job

# Turnover and skill
QUIT_BASE = 0.0215  # weekly quit probability at satisfaction 50, after the first months
QUIT_SATISFACTION_SCALE = 14.0  # points of satisfaction that change quits e-fold
EARLY_QUIT_EXTRA = 11.0  # extra quit multiplier at tenure 0, fading over EARLY_WEEKS
EARLY_WEEKS = 8.0  # weeks over which the early-quit extra fades e-fold
EARLY_QUIT_WORST = 1.4  # early quits' multiplier with no onboarding and no selection,
EARLY_QUIT_ONBOARDING = 0.8  # less this much at full onboarding
EARLY_QUIT_SELECTIVITY = 0.3  # and this much at the most selective hiring
QUIT_TIGHTNESS = 0.5  # quits rise e^0.5 = 1.65 times from a normal to the tightest labour market
QUIT_PAY = 1.0  # and fall e^-0.1 = 0.9 times for pay 10% above the market
HIRE_LAG_UNSELECTIVE = 0.6  # the hiring lag taking anyone, as a share of HIRING_LAG_WEEKS,
HIRE_LAG_SELECTIVITY = 0.8  # plus this much at the most selective
HIRE_LAG_TIGHTNESS = 0.8  # vacancies last e^0.8 = 2.2 times longer in the tightest market
HIRE_LAG_PAY = 1.5  # and e^-0.15 = 0.86 times as long for pay 10% above the market
ONBOARDING_SKILL = 0.1  # first-day skill per point of onboarding quality
COACHING_LEARNING = 0.8  # learning is this much faster under a manager who coaches fully
TRAINING_LEARNING = 0.0004  # weekly learning rate per hour of training a year
NOVICE_PRODUCTIVITY = 0.4  # share of a fully skilled colleague's work a novice gets through
HIRING_LAG_WEEKS = 3.0  # a vacancy's mean weeks to fill, in a normal market at market pay
SKILL_START = 18.0  # a new hire's skill (0-100) with no onboarding
SKILL_LEARNING = 0.035  # weekly share of the gap to mastery learnt on the job
SELECTIVE_HIRING_COST = 0.4  # replacing a leaver costs 0.8x to 1.2x as selectivity rises
ONBOARDING_WEEKS = 13  # the first quarter: onboarding's span, and exits counted as early
ONBOARDING_LEARNING = 0.07  # extra weekly learning rate in the first quarter at full onboarding

# Fatigue (a stock: filled by overload and overtime, drained in normal weeks)
FATIGUE_WEEKS = 6.0  # time constant: overload bites weeks after it starts and lingers after
FATIGUE_QUIT = 1.0  # quits multiply by 1 + FATIGUE_QUIT * fatigue

# Management's capacity rule (Oliva and Sterman 2001)
DEMAND_PERCEPTION_WEEKS = 13.0  # visits are noticed as a quarter's smoothed count
PRODUCTIVITY_PERCEPTION_WEEKS = 26.0  # time per visit is believed as it is seen, slowly

# Leaders' weeks
ADMIN_BASE = 0.45  # share of a manager's week that administration takes in a lean chain
ADMIN_PER_LAYER = 0.04  # each layer beyond three adds reporting and sign-offs
ADMIN_PER_FRICTION = 0.001  # per point of internal policy friction
ADMIN_PER_SPAN = 0.25  # per 100% of reports beyond the span the post was designed for
PEOPLE_TIME_AT_FULL = 0.6  # share of the week that behaviours at 100 on every count take
LEAN_LAYERS = 3  # layers of a lean chain: top team, regions, units

# Service
# With overtime a surge of up to 18.6% fits in the slack. At 0.85 a 20% surge fitted whole and
# left no lasting loss; at 0.92 the baseline's own week-to-week swings ratcheted standards
# down (customers -3.6% in ten years).
TARGET_UTILISATION = 0.885  # planned demand's share of staff time: lean, planned near forecast
MAX_OVERTIME = 0.05  # overtime staff give before they cut corners
TIME_QUALITY_SHARE = 0.5  # share of a visit's quality that depends on the time given
SELF_SERVICE_FRICTION = 0.1  # self-service suffers customer-facing policy friction less than staff
BUSY_SUPPRESSION = 0.4  # share of the warmth shown lost per unit of overload
WAIT_PENALTY = 20.0  # points of visit quality lost per unit of overload: the queue
VISIT_QUALITY_BASE = 4.0  # points any staffed visit gives (the goods, the place)
SERVICE_FRICTION = 0.2  # points of visit quality lost per point of customer-facing friction
SELF_SERVICE_QUALITY = 68.0  # points a self-served visit gives: plain, but it works
PEOPLE_VALUING_SHARE = 0.4  # customers who come for the people, not only the goods
PEOPLE_VALUING_PENALTY = 18.0  # how much plainer self-service is for them (points)
NO_SERVICE_QUALITY = 10.0  # a unit with nobody in post
EXPERIENCE_NOISE = 8.0  # sd (points) of one visit's experience: the day, the queue, the shelf
STANDARD_EROSION = 0.15  # weekly share of the gap to what is achieved that standards lose
STANDARD_RECOVERY = 0.02  # weekly share of the gap to the full standard regained, anchored
ANCHOR_TRAINING_HOURS = 80.0  # a year's training that anchors standards as fully as leaders can

# Relationships (Heskett et al. 1994: the customers of a server who leaves)
RELATIONAL_SHARE = 0.35  # customers who come to have a usual server
BOND_PROBABILITY = 0.15  # per visit served by staff: the server becomes theirs
ON_SHIFT = 0.6  # share of visits on which the usual server is there to serve
RELATIONSHIP_BONUS = 6.0  # points of visit quality from someone who knows you
LOST_SERVER_DIP = 5.0  # satisfaction points lost when a customer finds their server gone

# Customers
DISCONFIRMATION = 0.8  # weight of the experience against expectation (Oliver's disconfirmation)
CUSTOMER_INERTIA = 0.1  # weight of a visit in cumulative satisfaction: about four months of memory
EXPECTATION_ADAPTATION = 0.04  # weekly: expectations follow what customers get
EXPECTATION_ANCHOR = 0.02  # weekly: and what the market expects
TEMPERAMENT_SPREAD = 20.0  # points (sd): how differently customers judge the same service
LOYALTY_MIDPOINT = 84.0  # loyalty is earned near the top of the scale
LOYALTY_SCALE = 4.0  # points of satisfaction over which loyalty rises e-fold
VISITS_MAX = 0.65  # weekly visits of the most loyal: room for a surge to add more
VISITS_FLOOR = 0.7  # share of the most loyal customers' visits that anyone makes: modest
DEFECTION_BACKGROUND = 0.001  # weekly (5% a year): moving away, whatever the service
DEFECTION_AT_70 = 0.007  # weekly, on top of the background, at satisfaction 70
DEFECTION_SCALE = 9.0  # steep: the very satisfied stay years (Heskett 1994)
DELIGHT_AT = 85.0  # a visit this good can bring a referral
PROMOTER_AT = 80.0  # promoters, who alone refer others
DETRACTOR_BELOW = 60.0  # net promoter score: detractors
LET_DOWN_AT = 40.0  # a visit this bad can bring a warning to others
REFERRAL_PROBABILITY = 0.0028  # per delighted visit of a newcomer; seasoned customers refer more
WARNING_PROBABILITY = 0.15  # per let-down visit: the customer warns a prospect off
ACQUISITION_RATE = 0.0042  # weekly share of a unit's prospects that try it (20% a year)
LOYAL_SPEND_PREMIUM = 0.3  # the most loyal's basket is this much larger than the least loyal's
# A customer's value grows with tenure (Reichheld and Sasser 1990): spend, cost to serve, referrals
SEASONED_WEEKS = 156.0  # years of custom after which a customer's value has grown fully
TENURE_SPEND_PREMIUM = 0.3  # a seasoned customer's basket is this much larger
TENURE_TIME_SAVING = 0.15  # and takes this much less staff time: they know the place
TENURE_REFERRAL_PREMIUM = 1.0  # and refers others this much more often than a newcomer


def power_mean(values: np.ndarray, power: float, axis: int = -1) -> np.ndarray:
    """Generalised mean; negative powers lean toward the smallest value."""
    values = np.maximum(values, 1e-6)
    return np.mean(values**power, axis=axis) ** (1.0 / power)


# ---------------------------------------------------------------- leaders


def shown_behaviour(behaviour: np.ndarray, satisfaction: np.ndarray) -> np.ndarray:
    """What leaders actually give: unhappy leaders give less of what they intend.

    Service begins at home at every level: a leader poorly served by their own
    leader shows less recognition, care, presence and coaching.
    """
    mood = MOOD_SHOWN_FLOOR + MOOD_SHOWN_GAIN * satisfaction[:, None] / 100.0
    return np.clip(behaviour * mood, 0.0, 100.0)


def behaviour_pull(
    senior_involvement: float,
    leadership_training_days: float,
    coaching_received: np.ndarray,
    extra_layers: int,
    top_reach: float = 1.0,
) -> np.ndarray:
    """Weekly strength with which each leader is pulled toward the standard.

    Start at the top: senior involvement is the largest term; it reaches the
    front line weakened by every layer beyond three, and spread thinner as the
    organisation outgrows the top team (`top_reach`, 0-1). Training and being
    coached by one's own leader add to it.
    """
    top = PULL_SENIOR * senior_involvement / 100.0 * LAYER_ATTENUATION**extra_layers * top_reach
    trained = PULL_TRAINING * (1.0 - np.exp(-leadership_training_days / TRAINING_DAYS_SCALE))
    return PULL_BASE + top + trained + PULL_COACHED * coaching_received / 100.0


def leader_behaviour(
    behaviour: np.ndarray, habit: np.ndarray, standard: np.ndarray, pull: np.ndarray
) -> np.ndarray:
    """Behaviour moves toward the organisation's standard and drifts back to habit.

    Never arrive: once the pull stops, behaviour returns to habit at
    `HABIT_DRIFT` a week; habit itself learns only slowly from practice.
    """
    moved = behaviour + pull[:, None] * (standard - behaviour)
    return np.clip(moved + HABIT_DRIFT * (habit - behaviour), 0.0, 100.0)


def habit_learning(habit: np.ndarray, behaviour: np.ndarray) -> np.ndarray:
    """Habits follow sustained practice, over years rather than weeks."""
    return habit + HABIT_LEARNING * (behaviour - habit)


def leader_satisfaction(
    satisfaction: np.ndarray, service_from_leader: np.ndarray, reports_satisfaction: np.ndarray
) -> np.ndarray:
    """A leader's satisfaction follows the service their own leader gives.

    It also follows, more weakly, how their own people are doing.
    """
    target = SERVED_WEIGHT * service_from_leader + REPORTS_WEIGHT * reports_satisfaction
    return np.clip(satisfaction + LEADER_INERTIA * (target - satisfaction), 0.0, 100.0)


# ----------------------------------------------------- internal service


def programme_boost(spend_per_employee_year: float) -> float:
    """Recognition and engagement programmes help, with diminishing returns."""
    return PROGRAMME_MAX_BOOST * (1.0 - np.exp(-spend_per_employee_year / PROGRAMME_SCALE))


def support_chain_quality(department_service: np.ndarray, cooperation: float) -> float:
    """Service the front line gets from support departments: a weakest-link chain.

    Each department's service is discounted by silos; the chain's quality is a
    power mean that sits close to its weakest department.
    """
    if department_service.size == 0:
        return NO_SUPPORT_SERVICE
    delivered = department_service * (SILO_FLOOR + COOPERATION_GAIN * cooperation / 100.0)
    return float(power_mean(delivered, WEAKEST_LINK_POWER))


def internal_service_quality(
    manager_service: np.ndarray,
    support_service: float,
    internal_friction: float,
    extra_layers: int,
    programme: float,
    team_fatigue: np.ndarray,
) -> np.ndarray:
    """Internal service quality each employee receives.

    Their manager's shown behaviours and the support departments' service,
    plus recognition programmes, minus internal policy friction, extra layers
    and the fatigue of an under-staffed or over-busy team (weeks of overload).
    """
    quality = (
        ISQ_BASE
        + ISQ_MANAGER * manager_service
        + ISQ_SUPPORT * support_service
        + programme
        - ISQ_FRICTION * internal_friction
        - ISQ_PER_LAYER * extra_layers
        - ISQ_OVERLOAD * team_fatigue
    )
    return np.clip(quality, 0.0, 100.0)


def fatigue(fatigue_now: np.ndarray, pressure_now: np.ndarray) -> np.ndarray:
    """A team's fatigue: a stock filled by overload and overtime, drained in normal weeks.

    It follows the overload with a delay of `FATIGUE_WEEKS`, so a surge bites
    weeks after it starts and lingers weeks after it ends (Oliva and Sterman
    2001); satisfaction and quits follow fatigue, not the week's rush.
    """
    return fatigue_now + (pressure_now - fatigue_now) / FATIGUE_WEEKS


def perceived(belief: np.ndarray, seen: np.ndarray, weeks: float) -> np.ndarray:
    """A belief that follows what is seen, exponentially smoothed over `weeks`."""
    return belief + (seen - belief) / weeks


def staff_needed(
    staff_plan: np.ndarray, perceived_demand: np.ndarray, perceived_time_share: np.ndarray
) -> np.ndarray:
    """Staff management plans for: perceived demand times perceived time per visit.

    `perceived_demand` is staffed visits against those the unit was planned
    for (1 = as planned, at the target utilisation with seasoned staff).
    Time per visit cut under pressure reads as higher productivity, so the
    plan falls with it and an eroded standard becomes the new normal (Oliva
    and Sterman 2001) unless leaders hold the standard.
    """
    return staff_plan * perceived_demand * perceived_time_share


def admin_share(extra_layers: int, internal_friction: float, span_overload: np.ndarray):
    """Share of a leader's week taken by administration.

    Layers add reporting and sign-offs, internal friction adds workarounds,
    and more reports than the post was designed for add coordination.
    """
    share = (
        ADMIN_BASE
        + ADMIN_PER_LAYER * extra_layers
        + ADMIN_PER_FRICTION * internal_friction
        + ADMIN_PER_SPAN * np.maximum(span_overload, 0.0)
    )
    return np.clip(share, 0.0, ADMIN_MAX)


def behaviour_within_time(behaviour: np.ndarray, admin: np.ndarray) -> np.ndarray:
    """Behaviour a leader's week allows: what is asked, scaled down to the hours left.

    Recognition, presence and coaching compete with administration for the
    week: behaviour at 100 on every count takes `PEOPLE_TIME_AT_FULL` of it.
    A target beyond the hours left is not reached, so more is not free.
    """
    ceiling = 100.0 * (1.0 - admin) / PEOPLE_TIME_AT_FULL
    asked = behaviour.mean(axis=1)
    scale = np.minimum(1.0, ceiling / np.maximum(asked, 1e-9))
    return behaviour * scale[:, None]


def floor_time(shown: np.ndarray, admin: np.ndarray) -> np.ndarray:
    """Share of a manager's week left to work beside the team, in full-time employees.

    Recognition, presence and coaching are paid for in floor time: a manager
    who gives people more of the week serves fewer customers, so their team
    carries more of the load or management staffs up.
    """
    return np.maximum(1.0 - admin - PEOPLE_TIME_AT_FULL * shown.mean(axis=1) / 100.0, 0.0)


# ------------------------------------------------------------ employees


def pay_score(wage_level: float) -> float:
    """How pay feels: 50 at the market rate, 10 points per 10% above or below."""
    return min(max(50.0 + 100.0 * (wage_level - 1.0), 0.0), 100.0)


def team_mean(values: np.ndarray, team: np.ndarray, weight: np.ndarray, n_teams: int) -> np.ndarray:
    """Weighted mean of `values` per team (empty teams get 50)."""
    total = np.bincount(team, weights=weight * values, minlength=n_teams)
    count = np.bincount(team, weights=weight, minlength=n_teams)
    return np.divide(total, count, out=np.full(n_teams, 50.0), where=count > 0)


def employee_satisfaction(
    satisfaction: np.ndarray,
    isq: np.ndarray,
    unit_customer_satisfaction: np.ndarray,
    pay: float,
    disposition: np.ndarray,
    peer_mean: np.ndarray,
    noise: np.ndarray,
) -> np.ndarray:
    """Satisfaction moves toward what the job gives, with inertia.

    It also moves toward the team's mood (`peer_mean` weighs champions more).
    The target is mostly internal service quality (inside-out); customers'
    satisfaction with the unit feeds back more weakly (outside-in).
    """
    target = (
        JOB_BASE
        + TARGET_ISQ * isq
        + TARGET_CUSTOMERS * unit_customer_satisfaction
        + TARGET_PAY * pay
        + disposition
    )
    moved = satisfaction + SATISFACTION_INERTIA * (target - satisfaction)
    return np.clip(moved + PEER_SPREAD * (peer_mean - satisfaction) + noise, 0.0, 100.0)


def quit_probability(
    satisfaction: np.ndarray,
    tenure_weeks: np.ndarray,
    wage_level: float,
    labour_market_tightness: float,
    hiring_selectivity: float,
    onboarding_quality: float,
    team_fatigue: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Weekly probability that an employee quits.

    Falls with satisfaction and pay; rises in a tight labour market and with
    the team's fatigue (weeks of overload and overtime); is highest in the
    first weeks, less so with good onboarding and selective hiring.
    """
    early = EARLY_QUIT_EXTRA * np.exp(-tenure_weeks / EARLY_WEEKS)
    early *= (
        EARLY_QUIT_WORST
        - EARLY_QUIT_ONBOARDING * onboarding_quality / 100.0
        - EARLY_QUIT_SELECTIVITY * hiring_selectivity / 100.0
    )
    market = np.exp(QUIT_TIGHTNESS * (labour_market_tightness - 50.0) / 50.0)
    pay = np.exp(-QUIT_PAY * (wage_level - 1.0))
    hazard = QUIT_BASE * np.exp(-(satisfaction - 50.0) / QUIT_SATISFACTION_SCALE)
    tired = 1.0 + FATIGUE_QUIT * team_fatigue
    return np.clip(hazard * (1.0 + early) * market * pay * tired, 0.0, 1.0)


def hire_probability(
    hiring_selectivity: float, labour_market_tightness: float, wage_level: float
) -> float:
    """Weekly probability that a vacancy is filled.

    Choosier hiring and tighter markets mean longer vacancies; better pay shortens them.
    """
    lag = HIRING_LAG_WEEKS * (
        HIRE_LAG_UNSELECTIVE + HIRE_LAG_SELECTIVITY * hiring_selectivity / 100.0
    )
    lag *= np.exp(
        HIRE_LAG_TIGHTNESS * (labour_market_tightness - 50.0) / 50.0
        - HIRE_LAG_PAY * (wage_level - 1.0)
    )
    return float(min(max(1.0 / max(lag, 1.0), 0.0), 1.0))


def new_hire_skill(onboarding_quality: float) -> float:
    """Skill on the first day: low, a little higher with good onboarding."""
    return SKILL_START + ONBOARDING_SKILL * onboarding_quality


def skill_growth(
    skill: np.ndarray,
    tenure_weeks: np.ndarray,
    onboarding_quality: float,
    training_hours_year: float,
    coaching: np.ndarray,
) -> np.ndarray:
    """Skill climbs toward mastery.

    With experience, onboarding (first quarter), training and the manager's coaching.
    """
    rate = SKILL_LEARNING * (1.0 + COACHING_LEARNING * coaching / 100.0)
    rate = rate + ONBOARDING_LEARNING * onboarding_quality / 100.0 * (
        tenure_weeks < ONBOARDING_WEEKS
    )
    rate = rate + TRAINING_LEARNING * training_hours_year
    return np.clip(skill + rate * (100.0 - skill), 0.0, 100.0)


def productivity(skill: np.ndarray) -> np.ndarray:
    """Share of a fully skilled colleague's work an employee gets through."""
    return NOVICE_PRODUCTIVITY + (1.0 - NOVICE_PRODUCTIVITY) * skill / 100.0


# -------------------------------------------------------------- service


MAX_LOAD = 3.0  # beyond this a unit is simply swamped (or has nobody in post)


def pressure(load: np.ndarray) -> np.ndarray:
    """Overload of a team: how far demand exceeds what it can serve."""
    return np.maximum(load - 1.0, 0.0)


def service_potential(
    skill: np.ndarray, satisfaction: np.ndarray, team_pressure: np.ndarray
) -> np.ndarray:
    """What an employee can give: skill AND engagement (a geometric mean).

    Training alone raises knowledge, not intent; and busyness suppresses the
    warmth employees show (Rafaeli and Sutton 1990).
    """
    displayed = satisfaction * np.clip(1.0 - BUSY_SUPPRESSION * team_pressure, 0.0, 1.0)
    return np.sqrt(skill * displayed)


def achieved_time_share(load: np.ndarray, standard: np.ndarray) -> np.ndarray:
    """Share of the ideal time per customer that staff actually give.

    They give the unit's standard if capacity (with a little overtime) allows,
    and cut corners otherwise (Oliva and Sterman 2001).
    """
    return np.minimum(standard, (1.0 + MAX_OVERTIME) / np.maximum(load, 1e-9))


def service_standard(standard: np.ndarray, achieved: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    """Service standards erode toward what is achieved and recover only when anchored.

    Erosion is fast when corners are cut; recovery toward the full standard is
    slow and scales with `anchor` (coaching, training, recognition: 0-1).
    """
    eroded = standard + STANDARD_EROSION * np.minimum(achieved - standard, 0.0)
    recovered = eroded + STANDARD_RECOVERY * anchor * (achieved >= standard) * (1.0 - eroded)
    return np.clip(recovered, 0.0, 1.0)


def standard_anchor(
    recognition: np.ndarray, coaching: np.ndarray, training_hours: float
) -> np.ndarray:
    """What holds a unit to its service standard (0-1): half its manager, half its training.

    Recognition of good service and coaching, and the training that shows what
    good service is, anchor the standard against erosion (Oliva and Sterman 2001).
    """
    training = min(training_hours / ANCHOR_TRAINING_HOURS, 1.0)
    return 0.5 * (recognition + coaching) / 100 + 0.5 * training


def service_quality(
    potential: np.ndarray,
    time_share: np.ndarray,
    team_pressure: np.ndarray,
    customer_friction: float,
) -> np.ndarray:
    """Quality of one visit.

    The server's potential, the time they can give, waits when the team is
    overloaded, and customer-facing policy friction.
    """
    quality = potential * (1.0 - TIME_QUALITY_SHARE + TIME_QUALITY_SHARE * time_share)
    quality = quality + VISIT_QUALITY_BASE
    quality = quality - WAIT_PENALTY * team_pressure - SERVICE_FRICTION * customer_friction
    return np.clip(quality, 0.0, 100.0)


# ------------------------------------------------------------ customers


def self_service_quality(values_people: np.ndarray, customer_friction: float) -> np.ndarray:
    """Quality of a self-served visit: plain, and plainer for those who come for the people.

    Self-service saves labour, but customers who value people are served
    worse by it ("service gets squeezed out for expedient proficiencies like
    self-check-out counters").
    """
    plain = SELF_SERVICE_QUALITY - SELF_SERVICE_FRICTION * customer_friction
    return plain - PEOPLE_VALUING_PENALTY * values_people


def customer_satisfaction(
    satisfaction: np.ndarray,
    experience: np.ndarray,
    expectation: np.ndarray,
    temperament: np.ndarray,
) -> np.ndarray:
    """Satisfaction moves toward the experience, judged against expectation.

    Customers differ in how easily they are pleased (`temperament`, points):
    the same service leaves some delighted and others merely satisfied.
    """
    target = experience + DISCONFIRMATION * (experience - expectation) + temperament
    return np.clip(satisfaction + CUSTOMER_INERTIA * (target - satisfaction), 0.0, 100.0)


def adapted_expectation(
    expectation: np.ndarray, experience: np.ndarray, market_expectation: float
) -> np.ndarray:
    """Expectations adapt to what customers get, anchored by what the market expects.

    Good service raises the bar; a market that expects more keeps it high.
    """
    adapted = expectation + EXPECTATION_ADAPTATION * (experience - expectation)
    return adapted + EXPECTATION_ANCHOR * (market_expectation - expectation)


def loyalty(satisfaction: np.ndarray) -> np.ndarray:
    """Loyalty (0-1), convex at the top: only the very satisfied are truly loyal."""
    return 1.0 / (1.0 + np.exp(-(satisfaction - LOYALTY_MIDPOINT) / LOYALTY_SCALE))


def visit_probability(satisfaction: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Weekly probability of a visit (a repurchase), rising with loyalty."""
    rate = VISITS_MAX * (VISITS_FLOOR + (1.0 - VISITS_FLOOR) * loyalty(satisfaction))
    return np.clip(rate * demand, 0.0, 1.0)


def defection_probability(satisfaction: np.ndarray) -> np.ndarray:
    """Weekly probability that a customer leaves for good.

    Some leave whatever happens; the rest leave more the less satisfied they are.
    """
    driven = DEFECTION_AT_70 * np.exp(-(satisfaction - 70.0) / DEFECTION_SCALE)
    return np.clip(DEFECTION_BACKGROUND + driven, 0.0, 1.0)


def seasoning(tenure_weeks: np.ndarray) -> np.ndarray:
    """How far a customer's value has grown with tenure: 0 when new, 1 once seasoned."""
    return np.minimum(tenure_weeks / SEASONED_WEEKS, 1.0)


def spend(base_spend: float, satisfaction: np.ndarray, tenure_weeks: np.ndarray) -> np.ndarray:
    """Basket per visit: loyal and long-standing customers buy more."""
    loyal = 1.0 + LOYAL_SPEND_PREMIUM * (loyalty(satisfaction) - 0.5)
    seasoned = 1.0 + TENURE_SPEND_PREMIUM * seasoning(tenure_weeks)
    return base_spend * loyal * seasoned


def time_to_serve(tenure_weeks: np.ndarray) -> np.ndarray:
    """Staff time a visit takes, in a newcomer's visits: regulars need less help.

    Long-standing customers know the place and what they want, so keeping
    customers frees staff time as well as bringing sales (Reichheld and
    Sasser 1990: loyal customers cost less to serve).
    """
    return 1.0 - TENURE_TIME_SAVING * seasoning(tenure_weeks)


def referral_probability(tenure_weeks: np.ndarray) -> np.ndarray:
    """Chance that a delighted promoter's visit brings a prospect: regulars refer more."""
    return REFERRAL_PROBABILITY * (1.0 + TENURE_REFERRAL_PREMIUM * seasoning(tenure_weeks))


def new_customers_expected(
    prospects: np.ndarray,
    market: np.ndarray,
    demand: float,
    referrals: np.ndarray,
    warnings: np.ndarray,
) -> np.ndarray:
    """Expected new customers per unit, out of its finite pool of prospects.

    Prospects try the unit at a steady rate (a little marketing, passing
    trade); delighted customers' referrals and let-down customers' warnings
    each reach a prospect only as often as the people they talk to are not
    customers already. As the pool empties, winning slows: a unit's customer
    base settles where winning equals losing and never grows without bound.
    """
    free = np.clip(prospects / np.maximum(market, 1.0), 0.0, 1.0)
    expected = ACQUISITION_RATE * demand * prospects + free * (referrals - warnings)
    return np.clip(expected, 0.0, prospects)


# ------------------------------------------------------------ the books


def turnover_cost(
    exits: np.ndarray, weekly_wage: float, replacement_cost_share: float, selectivity: float
) -> np.ndarray:
    """Hiring, onboarding and lost productivity of each leaver; selective hiring costs more."""
    search = (1.0 - SELECTIVE_HIRING_COST / 2) + SELECTIVE_HIRING_COST * selectivity / 100.0
    return exits * replacement_cost_share * 52.0 * weekly_wage * search


def promoter_score(satisfaction: np.ndarray) -> np.ndarray:
    """+1 for a promoter (80 and above), -1 for a detractor (below 60), else 0.

    Their mean times 100 is the net promoter score.
    """
    return (satisfaction >= PROMOTER_AT).astype(np.int8) - (satisfaction < DETRACTOR_BELOW)
