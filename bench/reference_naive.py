"""The same mechanisms written the straightforward Mesa way, as a yardstick for speed.

Every leader, employee and customer is an Agent whose `step()` reads and
writes its own attributes in Python, one agent at a time, calling the same
mechanism functions as the engine on single values. It is what the engine
would be without arrays; `bench/engine.py` times both on the same organisation
and prints their aggregates side by side. Support departments are left out
(their service is held at 50) and there is no warm-up: it is a yardstick for
the cost of stepping agents one by one, not a second model.
"""

from __future__ import annotations

import mesa
import numpy as np

from model.engine import mechanisms as m
from model.engine.organisation import ESTABLISHED_LIFT, ESTABLISHED_SATISFACTION, PLANNED_SKILL
from model.engine.parameters import BY_NAME, defaults

ONE = np.ones(1)


def scalar(function, *args):
    """Call an array mechanism on single values."""
    return float(np.asarray(function(*args)).reshape(-1)[0])


class NaiveLeader(mesa.Agent):
    """A leader with behaviour, habit and satisfaction as attributes."""

    def __init__(self, model, parent, habit):
        super().__init__(model)
        self.parent = parent
        self.habit = habit
        self.behaviour = habit.copy()
        self.satisfaction = 55.0
        self.team = []

    def shown(self):
        return m.shown_behaviour(self.behaviour[None, :], np.array([self.satisfaction]))[0]

    def step(self):
        p = self.model.p
        if self.parent is None:
            served, coached = m.BOARD_SERVICE, p["senior_involvement"]
        else:
            shown = self.parent.shown()
            served, coached = shown.mean(), shown[3]
        people = [e.satisfaction for e in self.team if e.filled] or [50.0]
        self.satisfaction = scalar(
            m.leader_satisfaction,
            np.array([self.satisfaction]),
            np.array([served]),
            np.array([np.mean(people)]),
        )
        pull = m.behaviour_pull(
            p["senior_involvement"],
            p["leadership_training"],
            np.array([coached]),
            max(p["hierarchy_layers"] - 3, 0),
        )
        standard = np.array(
            [p["leader_recognition"], p["leader_care"], p["leader_presence"], p["leader_coaching"]]
        )
        old = self.behaviour
        self.behaviour = m.leader_behaviour(old[None, :], self.habit[None, :], standard, pull)[0]
        self.habit = m.habit_learning(self.habit, old)


class NaiveEmployee(mesa.Agent):
    """A post: a person's satisfaction, skill and tenure, or a vacancy."""

    def __init__(self, model, manager, unit):
        super().__init__(model)
        self.manager, self.unit = manager, unit
        self.filled = True
        self.tenure = int(model.rng.exponential(90.0))
        self.skill = 100.0 - (100.0 - m.SKILL_START) * np.exp(-m.SKILL_LEARNING * self.tenure)
        self.disposition = model.rng.normal(-3.0 + 0.08 * model.p["hiring_selectivity"], 7.0)
        self.satisfaction = ESTABLISHED_SATISFACTION + self.disposition
        self.champion = model.rng.random() < model.p["champion_share"]

    def potential(self):
        return scalar(
            m.service_potential,
            np.array([self.skill]),
            np.array([self.satisfaction]),
            np.array([self.model.pressure(self.unit)]),
        )

    def step(self):
        p, model = self.model.p, self.model
        if not self.filled:
            if model.rng.random() < m.hire_probability(
                p["hiring_selectivity"], p["labour_market_tightness"], p["wage_level"]
            ):
                self.filled, self.tenure, model.hires = True, 0, model.hires + 1
                self.skill = m.new_hire_skill(p["onboarding_quality"])
                self.satisfaction = 62.0 + self.disposition
            return
        quit_p = scalar(
            m.quit_probability,
            np.array([self.satisfaction]),
            np.array([self.tenure]),
            p["wage_level"],
            p["labour_market_tightness"],
            p["hiring_selectivity"],
            p["onboarding_quality"],
        )
        if model.rng.random() < quit_p:
            self.filled, model.quits = False, model.quits + 1
            return
        manager = self.manager.shown()
        isq = scalar(
            m.internal_service_quality,
            np.array([manager.mean()]),
            model.support,
            p["internal_policy_friction"],
            max(p["hierarchy_layers"] - 3, 0),
            m.programme_boost(p["engagement_program"]),
            np.array([model.pressure(self.unit)]),
        )
        team = [e for e in model.teams[self.unit] if e.filled]
        weights = [m.CHAMPION_WEIGHT if e.champion else 1.0 for e in team]
        peer = np.average([e.satisfaction for e in team], weights=weights)
        self.satisfaction = scalar(
            m.employee_satisfaction,
            np.array([self.satisfaction]),
            np.array([isq]),
            np.array([model.customer_satisfaction(self.unit)]),
            m.pay_score(p["wage_level"]),
            np.array([self.disposition + (10.0 if self.champion else 0.0)]),
            np.array([peer]),
            np.array([model.rng.normal(0.0, 2.0)]),
        )
        self.skill = scalar(
            m.skill_growth,
            np.array([self.skill]),
            np.array([self.tenure]),
            p["onboarding_quality"],
            p["frontline_training_hours"],
            np.array([manager[3]]),
        )
        self.tenure += 1


class NaiveCustomer(mesa.Agent):
    """A customer who visits, is served by someone in post, and may leave or refer."""

    def __init__(self, model, unit):
        super().__init__(model)
        self.unit = unit
        self.expectation = model.p["customer_expectation"] + ESTABLISHED_LIFT
        self.temperament = float(model.rng.normal(0.0, m.TEMPERAMENT_SPREAD))
        self.satisfaction = float(
            np.clip(model.rng.normal(self.expectation, 8.0) + self.temperament, 0, 100)
        )
        self.tenure = int(model.rng.exponential(120.0))

    def step(self):
        p, model = self.model.p, self.model
        if model.rng.random() < scalar(m.defection_probability, np.array([self.satisfaction])):
            model.defections += 1
            self.remove()
            return
        visit_p = scalar(m.visit_probability, np.array([self.satisfaction]), ONE)
        if model.rng.random() >= visit_p:
            return
        staff = [e for e in model.teams[self.unit] if e.filled]
        if not staff:
            quality = m.NO_SERVICE_QUALITY
        else:
            server = staff[int(model.rng.integers(len(staff)))]
            quality = scalar(
                m.service_quality,
                np.array([server.potential()]),
                ONE,
                np.array([model.pressure(self.unit)]),
                p["customer_policy_friction"],
            )
            model.staffed_visits[self.unit] += 1
        experience = float(np.clip(quality + model.rng.normal(0.0, m.EXPERIENCE_NOISE), 0, 100))
        model.revenue += scalar(
            m.spend, p["spend_per_visit"], np.array([self.satisfaction]), np.array([self.tenure])
        )
        model.visits += 1
        if (
            experience >= m.DELIGHT_AT
            and self.satisfaction >= 80
            and (model.rng.random() < m.REFERRAL_PROBABILITY)
        ):
            model.referrals[self.unit] += 1
        self.satisfaction = scalar(
            m.customer_satisfaction,
            np.array([self.satisfaction]),
            np.array([experience]),
            np.array([self.expectation]),
            np.array([self.temperament]),
        )
        self.expectation = scalar(
            m.adapted_expectation,
            np.array([self.expectation]),
            np.array([experience]),
            p["customer_expectation"],
        )
        self.tenure += 1


class NaiveChain(mesa.Model):
    """Units of employees and customers under a hierarchy, stepped agent by agent."""

    def __init__(self, n_units=6, seed=0):
        super().__init__(seed=seed)
        self.p = defaults() | {"n_units": n_units}
        p = self.p
        spread = p["manager_habit_spread"]
        standard = np.array(
            [p["leader_recognition"], p["leader_care"], p["leader_presence"], p["leader_coaching"]],
            float,
        )

        def habit():
            person = self.rng.normal(0.0, spread * 0.8)
            return np.clip(standard + person + self.rng.normal(0.0, spread * 0.6, 4), 0, 100)

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
        expected = p["customers_per_unit"] * scalar(
            m.visit_probability, np.array([p["customer_expectation"] + ESTABLISHED_LIFT]), ONE
        )
        self.visits_per_capacity = (
            expected
            * (1 - BY_NAME["automation_level"].default)
            / (p["staff_per_unit"] * m.productivity(PLANNED_SKILL) * m.TARGET_UTILISATION)
        )
        self.load = [m.TARGET_UTILISATION] * n_units
        self.support = 50.0
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
        self.unit_customer_satisfaction = {u: float(np.mean(v)) for u, v in by_unit.items()}
        self.agents_by_type[NaiveLeader].shuffle_do("step")
        self.agents_by_type[NaiveEmployee].shuffle_do("step")
        self.agents_by_type[NaiveCustomer].shuffle_do("step")
        for unit, team in enumerate(self.teams):
            capacity = sum(m.productivity(e.skill) for e in team if e.filled)
            self.load[unit] = min(
                self.staffed_visits[unit] / max(capacity * self.visits_per_capacity, 1e-9),
                m.MAX_LOAD,
            )
            arrivals = self.rng.poisson(
                m.ACQUISITION_RATE * self.p["customers_per_unit"] + self.referrals[unit]
            )
            for _ in range(arrivals):
                customer = NaiveCustomer(self, unit)
                customer.satisfaction = customer.expectation = self.p["customer_expectation"]
                customer.tenure = 0
        employees = [e for e in self.agents_by_type[NaiveEmployee] if e.filled]
        customers = self.agents_by_type[NaiveCustomer]
        self.records.append(
            {
                "employee_satisfaction": np.mean([e.satisfaction for e in employees]),
                "turnover_rate": self.quits / max(len(employees), 1) * 52,
                "customer_satisfaction": np.mean([c.satisfaction for c in customers]),
                "active_customers": len(customers),
                "revenue": self.revenue,
            }
        )
