"""The same mechanisms written the straightforward Mesa way, as a yardstick for speed.

Every leader, employee and customer is an Agent whose `step()` reads and
writes its own attributes one agent at a time, as a Mesa user would write it:
plain Python floats, `math`, and the model's seeded `random.Random`
(`self.random`). The coefficients are those of `model.engine.mechanisms`, so
it is the engine's model without arrays; `bench/engine.py` times both on the
same organisation and prints their aggregates side by side. Support
departments are left out (their service is held at 50), customers have no
usual server, markets are not finite and there is no warm-up: it is a
yardstick for the cost of stepping agents one by one, not a second model.
"""

from __future__ import annotations

import math

import mesa

from model.engine import mechanisms as m
from model.engine.organisation import ESTABLISHED_LIFT, ESTABLISHED_SATISFACTION, PLANNED_SKILL
from model.engine.parameters import BY_NAME, defaults


def clip(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return min(max(value, low), high)


def loyalty(satisfaction: float) -> float:
    return 1.0 / (1.0 + math.exp(-(satisfaction - m.LOYALTY_MIDPOINT) / m.LOYALTY_SCALE))


def visit_probability(satisfaction: float) -> float:
    return m.VISITS_MAX * (m.VISITS_FLOOR + (1.0 - m.VISITS_FLOOR) * loyalty(satisfaction))


def productivity(skill: float) -> float:
    return 0.4 + 0.6 * skill / 100.0


def poisson(random, mean: float) -> int:
    """A Poisson draw by multiplying uniforms (Knuth), for the small weekly means here."""
    limit, count, product = math.exp(-mean), 0, random.random()
    while product > limit:
        count += 1
        product *= random.random()
    return count


class NaiveLeader(mesa.Agent):
    """A leader with four behaviours, habits and satisfaction as attributes."""

    def __init__(self, model, parent, habit):
        super().__init__(model)
        self.parent = parent
        self.habit = habit
        self.behaviour = list(habit)
        self.satisfaction = 55.0
        self.team = []

    def shown(self):
        scale = 0.8 + 0.4 * self.satisfaction / 100.0
        return [clip(b * scale) for b in self.behaviour]

    def step(self):
        p = self.model.p
        if self.parent is None:
            served, coached = m.BOARD_SERVICE, p["senior_involvement"]
        else:
            shown = self.parent.shown()
            served, coached = sum(shown) / 4.0, shown[3]
        people = [e.satisfaction for e in self.team if e.filled] or [50.0]
        target = 0.6 * served + 0.4 * sum(people) / len(people)
        self.satisfaction = clip(
            self.satisfaction + m.LEADER_INERTIA * (target - self.satisfaction)
        )
        extra_layers = max(p["hierarchy_layers"] - m.LEAN_LAYERS, 0)
        pull = (
            m.PULL_BASE
            + m.PULL_SENIOR * p["senior_involvement"] / 100.0 * m.LAYER_ATTENUATION**extra_layers
            + m.PULL_TRAINING * (1.0 - math.exp(-p["leadership_training"] / 4.0))
            + m.PULL_COACHED * coached / 100.0
        )
        old = self.behaviour
        self.behaviour = [
            clip(b + pull * (s - b) + m.HABIT_DRIFT * (h - b))
            for b, h, s in zip(old, self.habit, self.model.standard, strict=True)
        ]
        self.habit = [h + m.HABIT_LEARNING * (b - h) for h, b in zip(self.habit, old, strict=True)]


class NaiveEmployee(mesa.Agent):
    """A post: a person's satisfaction, skill and tenure, or a vacancy."""

    def __init__(self, model, manager, unit):
        super().__init__(model)
        self.manager, self.unit = manager, unit
        self.filled = True
        self.tenure = int(model.random.expovariate(1 / 90.0))
        self.skill = 100.0 - (100.0 - m.SKILL_START) * math.exp(-m.SKILL_LEARNING * self.tenure)
        self.disposition = model.random.gauss(
            m.DISPOSITION_BASE + m.DISPOSITION_PER_SELECTIVITY * model.p["hiring_selectivity"],
            m.DISPOSITION_SPREAD,
        )
        self.satisfaction = ESTABLISHED_SATISFACTION + self.disposition
        self.champion = model.random.random() < model.p["champion_share"]

    def potential(self):
        displayed = self.satisfaction * clip(
            1.0 - m.BUSY_SUPPRESSION * self.model.pressure(self.unit), 0.0, 1.0
        )
        return math.sqrt(self.skill * displayed)

    def quit_probability(self):
        p = self.model.p
        early = m.EARLY_QUIT_EXTRA * math.exp(-self.tenure / m.EARLY_WEEKS)
        early *= 1.4 - 0.8 * p["onboarding_quality"] / 100.0 - 0.3 * p["hiring_selectivity"] / 100.0
        market = math.exp(0.5 * (p["labour_market_tightness"] - 50.0) / 50.0)
        pay = math.exp(-1.0 * (p["wage_level"] - 1.0))
        hazard = m.QUIT_BASE * math.exp(-(self.satisfaction - 50.0) / m.QUIT_SATISFACTION_SCALE)
        return clip(hazard * (1.0 + early) * market * pay, 0.0, 1.0)

    def step(self):
        p, model = self.model.p, self.model
        if not self.filled:
            if model.random.random() < model.hire_p:
                self.filled, self.tenure, model.hires = True, 0, model.hires + 1
                self.skill = m.SKILL_START + 0.1 * p["onboarding_quality"]
                self.satisfaction = m.NEW_HIRE_SATISFACTION + self.disposition
            return
        if model.random.random() < self.quit_probability():
            self.filled, model.quits = False, model.quits + 1
            return
        manager = self.manager.shown()
        isq = clip(
            m.ISQ_BASE
            + m.ISQ_MANAGER * sum(manager) / 4.0
            + m.ISQ_SUPPORT * model.support
            + model.programme
            - m.ISQ_FRICTION * p["internal_policy_friction"]
            - m.ISQ_PER_LAYER * max(p["hierarchy_layers"] - m.LEAN_LAYERS, 0)
            - m.ISQ_OVERLOAD * model.pressure(self.unit)
        )
        team = [e for e in model.teams[self.unit] if e.filled]
        weights = [m.CHAMPION_WEIGHT if e.champion else 1.0 for e in team]
        peer = sum(w * e.satisfaction for w, e in zip(weights, team, strict=True)) / sum(weights)
        target = (
            m.JOB_BASE
            + m.TARGET_ISQ * isq
            + m.TARGET_CUSTOMERS * model.customer_satisfaction(self.unit)
            + m.TARGET_PAY * model.pay
            + self.disposition
            + (10.0 if self.champion else 0.0)
        )
        moved = self.satisfaction + m.SATISFACTION_INERTIA * (target - self.satisfaction)
        noise = model.random.gauss(0.0, m.SATISFACTION_NOISE)
        self.satisfaction = clip(moved + m.PEER_SPREAD * (peer - self.satisfaction) + noise)
        rate = m.SKILL_LEARNING * (1.0 + 0.8 * manager[3] / 100.0)
        if self.tenure < m.ONBOARDING_WEEKS:
            rate += m.ONBOARDING_LEARNING * p["onboarding_quality"] / 100.0
        rate += 0.0004 * p["frontline_training_hours"]
        self.skill = clip(self.skill + rate * (100.0 - self.skill))
        self.tenure += 1


class NaiveCustomer(mesa.Agent):
    """A customer who visits, is served by someone in post, and may leave or refer."""

    def __init__(self, model, unit):
        super().__init__(model)
        self.unit = unit
        self.expectation = model.p["customer_expectation"] + ESTABLISHED_LIFT
        self.temperament = model.random.gauss(0.0, m.TEMPERAMENT_SPREAD)
        self.satisfaction = clip(
            model.random.gauss(self.expectation, 8.0) + self.temperament, 0.0, 100.0
        )
        self.tenure = int(model.random.expovariate(1 / 120.0))

    def step(self):
        p, model = self.model.p, self.model
        driven = m.DEFECTION_AT_70 * math.exp(-(self.satisfaction - 70.0) / m.DEFECTION_SCALE)
        if model.random.random() < m.DEFECTION_BACKGROUND + driven:
            model.defections += 1
            self.remove()
            return
        if model.random.random() >= visit_probability(self.satisfaction):
            return
        staff = [e for e in model.teams[self.unit] if e.filled]
        if not staff:
            quality = m.NO_SERVICE_QUALITY
        else:
            server = model.random.choice(staff)
            quality = clip(
                server.potential()
                + m.VISIT_QUALITY_BASE
                - m.WAIT_PENALTY * model.pressure(self.unit)
                - m.SERVICE_FRICTION * p["customer_policy_friction"]
            )
            model.staffed_visits[self.unit] += 1
        experience = clip(quality + model.random.gauss(0.0, m.EXPERIENCE_NOISE))
        loyal = 1.0 + m.LOYAL_SPEND_PREMIUM * (loyalty(self.satisfaction) - 0.5)
        seasoned = 1.0 + m.TENURE_SPEND_PREMIUM * min(self.tenure / 156.0, 1.0)
        model.revenue += p["spend_per_visit"] * loyal * seasoned
        model.visits += 1
        if (
            experience >= m.DELIGHT_AT
            and self.satisfaction >= m.PROMOTER_AT
            and model.random.random() < m.REFERRAL_PROBABILITY
        ):
            model.referrals[self.unit] += 1
        target = experience + m.DISCONFIRMATION * (experience - self.expectation) + self.temperament
        self.satisfaction = clip(
            self.satisfaction + m.CUSTOMER_INERTIA * (target - self.satisfaction)
        )
        self.expectation += m.EXPECTATION_ADAPTATION * (experience - self.expectation)
        self.expectation += m.EXPECTATION_ANCHOR * (p["customer_expectation"] - self.expectation)
        self.tenure += 1


class NaiveChain(mesa.Model):
    """Units of employees and customers under a hierarchy, stepped agent by agent."""

    def __init__(self, n_units=6, seed=0):
        super().__init__(seed=seed)
        self.p = defaults() | {"n_units": n_units}
        p = self.p
        spread = p["manager_habit_spread"]
        self.standard = [
            p["leader_recognition"],
            p["leader_care"],
            p["leader_presence"],
            p["leader_coaching"],
        ]

        def habit():
            person = self.random.gauss(0.0, spread * 0.8)
            return [clip(s + person + self.random.gauss(0.0, spread * 0.6)) for s in self.standard]

        top = NaiveLeader(self, None, habit())
        regions = [
            NaiveLeader(self, top, habit()) for _ in range(-(-n_units // p["units_per_region"]))
        ]
        self.teams = []
        for unit in range(n_units):
            manager = NaiveLeader(self, regions[unit // p["units_per_region"]], habit())
            manager.team = [NaiveEmployee(self, manager, unit) for _ in range(p["staff_per_unit"])]
            self.teams.append(manager.team)
            for _ in range(p["customers_per_unit"]):
                NaiveCustomer(self, unit)
        expected = p["customers_per_unit"] * visit_probability(
            p["customer_expectation"] + ESTABLISHED_LIFT
        )
        self.visits_per_capacity = (
            expected
            * (1 - BY_NAME["automation_level"].default)
            / (p["staff_per_unit"] * productivity(PLANNED_SKILL) * m.TARGET_UTILISATION)
        )
        self.load = [m.TARGET_UTILISATION] * n_units
        self.support = 50.0
        self.pay = clip(50.0 + 100.0 * (p["wage_level"] - 1.0))
        self.programme = m.PROGRAMME_MAX_BOOST * (
            1.0 - math.exp(-p["engagement_program"] / m.PROGRAMME_SCALE)
        )
        self.hire_p = m.hire_probability(
            p["hiring_selectivity"], p["labour_market_tightness"], p["wage_level"]
        )
        self.records = []

    def pressure(self, unit):
        return max(self.load[unit] - 1.0, 0.0)

    def customer_satisfaction(self, unit):
        return self.unit_customer_satisfaction.get(unit, 50.0)

    def step(self):
        n = len(self.teams)
        self.quits = self.hires = self.visits = self.defections = 0
        self.revenue = 0.0
        self.staffed_visits, self.referrals = [0] * n, [0] * n
        by_unit = {}
        for customer in self.agents_by_type[NaiveCustomer]:
            by_unit.setdefault(customer.unit, []).append(customer.satisfaction)
        self.unit_customer_satisfaction = {u: sum(v) / len(v) for u, v in by_unit.items()}
        self.agents_by_type[NaiveLeader].shuffle_do("step")
        self.agents_by_type[NaiveEmployee].shuffle_do("step")
        self.agents_by_type[NaiveCustomer].shuffle_do("step")
        for unit, team in enumerate(self.teams):
            capacity = sum(productivity(e.skill) for e in team if e.filled)
            self.load[unit] = min(
                self.staffed_visits[unit] / max(capacity * self.visits_per_capacity, 1e-9),
                m.MAX_LOAD,
            )
            arrivals = poisson(
                self.random,
                m.ACQUISITION_RATE * self.p["customers_per_unit"] + self.referrals[unit],
            )
            for _ in range(arrivals):
                customer = NaiveCustomer(self, unit)
                customer.satisfaction = customer.expectation = self.p["customer_expectation"]
                customer.tenure = 0
        employees = [e for e in self.agents_by_type[NaiveEmployee] if e.filled]
        customers = self.agents_by_type[NaiveCustomer]
        self.records.append(
            {
                "employee_satisfaction": sum(e.satisfaction for e in employees) / len(employees),
                "turnover_rate": self.quits / max(len(employees), 1) * 52,
                "customer_satisfaction": sum(c.satisfaction for c in customers) / len(customers),
                "active_customers": len(customers),
                "revenue": self.revenue,
            }
        )
