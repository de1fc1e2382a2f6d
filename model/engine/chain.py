"""The service-profit chain as a Mesa model.

State lives in numpy arrays (`leaders`, `staff`, `units`, `customers`); leaders
and employees are also Mesa agents that hold an index into them. Each week
every entity is updated at once from the state at the start of the week
(synchronous updating), in the order of the chain: leaders, internal service,
employees, service to customers, customers, turnover, the books.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import mesa
import numpy as np

from model.engine import mechanisms as mech
from model.engine.agents import Employee, Leader, Level
from model.engine.observe import org_row, unit_rows
from model.engine.parameters import BY_NAME, defaults, validate

WARM_UP_WEEKS = 104
"""Weeks run before week 1 so that a run starts from the organisation's own
steady state rather than from its initial draw."""


PLANNED_SKILL = 85.0
"""Skill of the seasoned staff that unit staffing was planned for."""

ESTABLISHED_SATISFACTION = 61.0
ESTABLISHED_LIFT = 25.0
"""Where established employees' satisfaction, and established customers'
satisfaction and expectations (points above a newcomer's), start: near the
levels the baseline settles at, so that the warm-up is short."""

SLOT_HEADROOM = 1.4
"""Posts kept per unit as a multiple of planned staff: the top of `staffing_level`."""

NEW_MANAGER_GAP = 10.0
"""Points below the standard that managers of newly opened units start their habits at."""

NEW_LEADER_SATISFACTION = 55.0
NEW_MANAGER_STREAM = 1_000_003
"""Spawn-key tag of the streams that new managers' habits are drawn from."""

NEW_UNIT_CUSTOMERS = 0.2
"""A new unit's customers on opening, as a share of its market's regulars."""

LEADER_PAY = {
    Level.SENIOR: 12.0,
    Level.REGIONAL: 3.5,
    Level.UNIT_MANAGER: 1.7,
    Level.DEPARTMENT_MANAGER: 2.0,
}
"""Leader pay as a multiple of the front-line weekly wage."""

OVERTIME_PREMIUM = 1.5
CHAMPION_LIFT = 10.0  # champions' own satisfaction lift: they carry the culture


class Columns:
    """A set of equally long arrays, one row per entity, that can grow."""

    @classmethod
    def empty(cls):
        """A table with no rows yet; the first `extend` sets the dtypes."""
        return cls(*(np.empty(0) for _ in fields(cls)))

    def extend(self, more: Columns) -> None:
        """Append the rows of `more` (same class)."""
        had_rows = len(self) > 0
        for f in fields(self):
            old, new = getattr(self, f.name), getattr(more, f.name)
            setattr(self, f.name, np.concatenate([old, new]) if had_rows else new)

    def keep(self, rows: np.ndarray) -> None:
        """Keep only the rows where `rows` is True."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name)[rows])

    def __len__(self) -> int:
        return len(next(iter(vars(self).values())))


@dataclass
class Leaders(Columns):
    """Leader state; `team` is the team a manager leads (-1 above unit level)."""

    level: np.ndarray
    parent: np.ndarray
    team: np.ndarray
    habit: np.ndarray
    behaviour: np.ndarray
    satisfaction: np.ndarray
    nominal_reports: np.ndarray


@dataclass
class Staff(Columns):
    """Posts and the people in them."""

    team: np.ndarray
    filled: np.ndarray
    satisfaction: np.ndarray
    skill: np.ndarray
    tenure: np.ndarray
    disposition: np.ndarray
    champion_trait: np.ndarray
    champion: np.ndarray
    potential: np.ndarray
    isq: np.ndarray
    hires: np.ndarray


@dataclass
class Units(Columns):
    """Front-line units: market, region, service standard and management's perceptions.

    `pool` is the unit's market: the potential customers, drawn once from the
    organisation's spread of markets. `perceived_demand` and
    `perceived_time_share` are what management believes of its demand and pace.
    """

    market: np.ndarray
    staff_plan: np.ndarray
    slots: np.ndarray
    region: np.ndarray
    pool: np.ndarray
    standard: np.ndarray
    load: np.ndarray
    perceived_demand: np.ndarray
    perceived_time_share: np.ndarray
    customer_satisfaction: np.ndarray
    cumulative_profit: np.ndarray
    manager: np.ndarray


@dataclass
class Customers(Columns):
    """Customer rows (no agent each: there may be a million).

    `server` is the post of a customer's usual server (-1: none yet) and
    `server_holder` which holder of that post it was (`Staff.hires`), so a
    customer whose server has left meets a stranger.
    """

    id: np.ndarray
    unit: np.ndarray
    temperament: np.ndarray
    satisfaction: np.ndarray
    expectation: np.ndarray
    tenure: np.ndarray
    values_people: np.ndarray
    relational: np.ndarray
    server: np.ndarray
    server_holder: np.ndarray


class ServiceProfitChain(mesa.Model):
    """A chain of units whose leaders, employees and customers form the service-profit chain.

    Args:
        timeline: Interventions (`model.scenario.Intervention`), each applied at the
            start of its week.
        record_units: Whether to record one row per unit each week as well.
        seed: Seed of the model's generator, or None with `rng` given.
        rng: A numpy Generator or SeedSequence to draw from instead of `seed`.
        **parameters: Any parameter from `model.parameters.PARAMETERS`; the rest
            take their declared defaults.
    """

    def __init__(self, timeline=(), record_units=False, seed=None, rng=None, **parameters) -> None:
        super().__init__(seed=seed, rng=rng)
        self.record_units = record_units
        self.p = defaults() | validate(parameters)
        self.timeline = sorted(timeline, key=lambda step: step.week)
        self.n_departments = int(self.p["support_departments"])
        self.leader_agents: list[Leader] = []
        self.records: list[dict] = []
        self.story: list[dict] = []
        self.followed: tuple[int, int] | None = None
        self.customers_ever = 0
        self.unit_records: list[dict] = []
        self.growth_due = 0.0
        self._build()
        for _ in range(WARM_UP_WEEKS):
            self._advance()
        self.units.cumulative_profit[:] = 0.0

    # ------------------------------------------------------------ building

    def _build(self) -> None:
        """Top team, support departments, then the initial units with their regions."""
        p = self.p
        self.leaders = Leaders.empty()
        self.staff = Staff.empty()
        self.units = Units.empty()
        self.customers = Customers.empty()
        self.team_manager = np.empty(0, int)
        self.team_first = np.empty(0, int)
        self.team_fatigue = np.empty(0)
        self.authorised = np.empty(0, int)
        self.top = self._add_leaders(Level.SENIOR, np.array([-1]), np.array([-1]), 0.0)[0]
        planned_front_line = p["n_units"] * p["staff_per_unit"]
        department_size = max(
            1,
            round(p["support_staff_ratio"] / 100 * planned_front_line / max(self.n_departments, 1)),
        )
        n = self.n_departments
        self._add_teams(
            np.full(n, department_size),
            np.full(n, department_size),
            np.full(n, self.top),
            Level.DEPARTMENT_MANAGER,
            habit_gap=0.0,
        )
        self._hire(np.flatnonzero(self.staff.team < n), established=True)
        self.region_leaders = np.empty(0, int)
        self._add_units(p["n_units"], established=True)
        self._set_nominal_reports()
        self.front_line_planned = max(int(self.authorised[self.n_departments :].sum()), 1)
        self.visits_per_capacity = self._planned_visits_per_capacity()

    def _add_leaders(self, level, parent, team, habit_gap) -> np.ndarray:
        """Append leaders whose habits are drawn around today's standard.

        `habit_gap` lowers new leaders' habits (points below the standard):
        managers of new units are promoted or hired in a hurry.
        """
        n = len(parent)
        habit = self._habits(n, habit_gap, self.rng)
        first = len(self.leaders)
        self.leaders.extend(
            Leaders(
                level=np.full(n, int(level)),
                parent=np.asarray(parent, int),
                team=np.asarray(team, int),
                habit=habit,
                behaviour=habit.copy(),
                satisfaction=np.full(n, NEW_LEADER_SATISFACTION),
                nominal_reports=np.ones(n),
            )
        )
        self.leader_agents += [Leader(self, i) for i in range(first, first + n)]
        return np.arange(first, first + n)

    def _habits(self, n: int, gap: float, rng: np.random.Generator) -> np.ndarray:
        """Habits of `n` new leaders: today's standard less `gap`, each their own person."""
        spread = self.p["manager_habit_spread"]
        person = rng.normal(0.0, spread * 0.8, (n, 1))
        behaviour = rng.normal(0.0, spread * 0.6, (n, 4))
        return np.clip(self._standard() - gap + person + behaviour, 0.0, 100.0)

    def replace_manager(self, unit: int) -> None:
        """A new manager takes over `unit`, hired in a hurry like a new unit's.

        Their habits start `NEW_MANAGER_GAP` below the standard. They are drawn
        from a stream of their own, derived from the model's seed, the week and
        the unit, so the rest of the run keeps its draws: a run with the change
        and one without differ by the new manager alone (common random numbers).
        """
        root = self.rng.bit_generator.seed_seq
        own = np.random.SeedSequence(
            root.entropy, spawn_key=(*root.spawn_key, NEW_MANAGER_STREAM, self.steps, unit)
        )
        leader = self.units.manager[unit]
        habit = self._habits(1, NEW_MANAGER_GAP, np.random.default_rng(own))[0]
        self.leaders.habit[leader] = habit
        self.leaders.behaviour[leader] = habit
        self.leaders.satisfaction[leader] = NEW_LEADER_SATISFACTION

    def _add_teams(self, slots, authorised, parent, level, habit_gap) -> np.ndarray:
        """Append teams (units or departments), their managers and their posts.

        Each team's posts form one contiguous block of the staff arrays.
        """
        first_team = len(self.team_manager)
        teams = np.arange(first_team, first_team + len(slots))
        managers = self._add_leaders(level, parent, teams, habit_gap)
        self.team_manager = np.concatenate([self.team_manager, managers])
        self.team_fatigue = np.concatenate([self.team_fatigue, np.zeros(len(slots))])
        self.authorised = np.concatenate([self.authorised, authorised]).astype(int)
        first_post = len(self.staff)
        self.team_first = np.concatenate(
            [self.team_first, first_post + np.cumsum(slots) - slots]
        ).astype(int)
        n = int(np.sum(slots))
        self.staff.extend(
            Staff(
                team=np.repeat(teams, slots),
                filled=np.zeros(n, bool),
                satisfaction=np.zeros(n),
                skill=np.zeros(n),
                tenure=np.zeros(n, int),
                disposition=np.zeros(n),
                champion_trait=self.rng.random(n),
                champion=np.zeros(n, bool),
                potential=np.zeros(n),
                isq=np.zeros(n),
                hires=np.zeros(n, int),
            )
        )
        for index in range(first_post, first_post + n):
            Employee(self, index)  # registered with the model, which keeps it
        return teams

    def _add_units(self, n: int, established: bool) -> None:
        """Open `n` units, each with a manager, posts, a market and customers.

        Units are staffed to their market. Established units start fully staffed
        with a spread of tenures; new ones open with every post vacant, a less
        experienced manager and few customers.
        """
        p = self.p
        market = np.clip(1.0 + self.rng.normal(0.0, p["market_spread"], n), 0.3, 3.0)
        staff_plan = p["staff_per_unit"] * market
        authorised = np.maximum(np.round(staff_plan * p["staffing_level"]), 1).astype(int)
        slots = np.ceil(staff_plan * SLOT_HEADROOM).astype(int) + 1
        planned_customers = p["customers_per_unit"] * market
        first_unit = len(self.units)
        region = np.arange(first_unit, first_unit + n) // p["units_per_region"]
        new_regions = int(region.max()) + 1 - len(self.region_leaders)
        if new_regions > 0:
            leaders = self._add_leaders(
                Level.REGIONAL, np.full(new_regions, self.top), np.full(new_regions, -1), 0.0
            )
            self.region_leaders = np.concatenate([self.region_leaders, leaders])
        teams = self._add_teams(
            slots,
            authorised,
            self.region_leaders[region],
            Level.UNIT_MANAGER,
            habit_gap=0.0 if established else NEW_MANAGER_GAP,
        )
        self.units.extend(
            Units(
                market=market,
                staff_plan=staff_plan,
                slots=slots,
                region=region,
                pool=p["market_potential"] * planned_customers,
                standard=np.ones(n),
                load=np.full(n, mech.TARGET_UTILISATION),
                perceived_demand=np.ones(n),
                perceived_time_share=np.ones(n),
                customer_satisfaction=np.full(n, float(p["customer_expectation"])),
                cumulative_profit=np.zeros(n),
                manager=self.team_manager[teams],
            )
        )
        if established:
            offset = np.arange(authorised.sum()) - np.repeat(
                np.cumsum(authorised) - authorised, authorised
            )
            self._hire(np.repeat(self.team_first[teams], authorised) + offset, established=True)
        start_customers = np.round(
            planned_customers * (1.0 if established else NEW_UNIT_CUSTOMERS)
        ).astype(int)
        self._add_customers(
            np.repeat(np.arange(first_unit, first_unit + n), start_customers), established
        )

    def _add_customers(self, unit: np.ndarray, established: bool) -> None:
        """New customers expect what the market expects; established ones have history."""
        p = self.p
        m = len(unit)
        if m == 0:
            return
        temperament = self.rng.normal(0.0, mech.TEMPERAMENT_SPREAD, m)
        expectation = float(p["customer_expectation"])
        if established:
            expectation += ESTABLISHED_LIFT
            satisfaction = np.clip(self.rng.normal(expectation, 8.0, m) + temperament, 0.0, 100.0)
            # Those who stay longer are more of a customer base than of its newcomers:
            # each kind is present in proportion to how long it stays (its lifetime).
            lifetime = 1.0 / mech.defection_probability(satisfaction)
            kept = self.rng.choice(m, m, p=lifetime / lifetime.sum())
            temperament, satisfaction = temperament[kept], satisfaction[kept]
            tenure = self.rng.exponential(lifetime[kept])
        else:
            satisfaction, tenure = np.full(m, expectation), np.zeros(m)
        first_id = self.customers_ever
        self.customers_ever += m
        self.customers.extend(
            Customers(
                id=np.arange(first_id, first_id + m),
                unit=unit.astype(np.int32),
                temperament=temperament.astype(np.float32),
                satisfaction=satisfaction.astype(np.float32),
                expectation=np.full(m, expectation, np.float32),
                tenure=tenure.astype(np.int32),
                values_people=self.rng.random(m, dtype=np.float32) < mech.PEOPLE_VALUING_SHARE,
                relational=self.rng.random(m, dtype=np.float32) < mech.RELATIONAL_SHARE,
                server=np.full(m, -1, np.int32),
                server_holder=np.zeros(m, np.int32),
            )
        )

    def _set_nominal_reports(self) -> None:
        """Spans of control as designed; growth beyond them thins a leader's reach."""
        self.leaders.nominal_reports = np.maximum(self._reports(), 1).astype(float)

    def _reports(self) -> np.ndarray:
        parent = self.leaders.parent
        return np.bincount(parent[parent >= 0], minlength=len(self.leaders))

    def _planned_visits_per_capacity(self) -> float:
        """Visits one fully skilled employee serves when a unit runs at the target utilisation.

        The chain planned its staffing for a unit of normal demand, with the
        visits its established customers make, the default self-service share
        and seasoned staff; levers that change demand, staffing or self-service
        later move the load away from this plan.
        """
        p = self.p
        satisfaction = self.customers.satisfaction
        visits = p["customers_per_unit"] * mech.visit_probability(satisfaction, 1.0).mean()
        staffed = visits * (1.0 - BY_NAME["automation_level"].default)
        capacity = p["staff_per_unit"] * mech.productivity(np.array(PLANNED_SKILL))
        return float(staffed / (capacity * mech.TARGET_UTILISATION))

    def _standard(self) -> np.ndarray:
        """The behaviour standard the organisation asks of its leaders."""
        p = self.p
        return np.array(
            [p["leader_recognition"], p["leader_care"], p["leader_presence"], p["leader_coaching"]],
            float,
        )

    def _hire(self, posts: np.ndarray, established: bool = False) -> None:
        """Fill `posts` with new people (or, when building, people of any tenure)."""
        p = self.p
        s = self.staff
        n = len(posts)
        if n == 0:
            return
        s.filled[posts] = True
        s.hires[posts] += 1
        s.disposition[posts] = self.rng.normal(-3.0 + 0.08 * p["hiring_selectivity"], 7.0, n)
        s.champion_trait[posts] = self.rng.random(n)
        if established:
            # As with customers: those who stay longer are more of a workforce than of its
            # hires, each kind present in proportion to how long it stays.
            satisfaction = np.clip(ESTABLISHED_SATISFACTION + s.disposition[posts], 0, 100)
            stay = 1.0 / mech.quit_probability(
                satisfaction,
                np.full(n, 52),
                p["wage_level"],
                p["labour_market_tightness"],
                p["hiring_selectivity"],
                p["onboarding_quality"],
            )
            kept = self.rng.choice(n, n, p=stay / stay.sum())
            s.disposition[posts] = s.disposition[posts][kept]
            tenure = self.rng.exponential(stay[kept]).astype(int)
            s.skill[posts] = 100.0 - (100.0 - mech.SKILL_START) * np.exp(
                -mech.SKILL_LEARNING * tenure
            )
            s.satisfaction[posts] = satisfaction[kept]
        else:
            tenure = np.zeros(n, int)
            s.skill[posts] = mech.new_hire_skill(p["onboarding_quality"])
            s.satisfaction[posts] = np.clip(62.0 + s.disposition[posts], 0, 100)
        s.tenure[posts] = tenure

    # ---------------------------------------------------------------- step

    def step(self) -> None:
        """One week: apply this week's interventions, advance the chain, record it."""
        week = self.steps
        for step in (step for step in self.timeline if step.week == week):
            self.p.update(validate(step.changes, during_run=True))
            for unit in step.new_manager:
                self.replace_manager(unit)
        self.open_new_units()
        self._advance()
        self._record(week)

    def _advance(self) -> None:
        """The chain, link by link (also run during the warm-up)."""
        self.lead()
        self.serve_internally()
        flows = self.serve_customers()
        flows |= self.turn_over()
        self.update_employees()
        self.books = self.keep_books(flows)
        self.customer_view = self._customer_view()
        self.units.customer_satisfaction = self.customer_view["satisfaction_sum"] / np.maximum(
            self.customer_view["customers"], 1
        )

    def _customer_view(self) -> dict[str, np.ndarray]:
        """Per-unit sums over customers, at the end of the week."""
        unit, satisfaction = self.customers.unit, self.customers.satisfaction
        n = len(self.units)
        return {
            "customers": np.bincount(unit, minlength=n),
            "satisfaction_sum": np.bincount(unit, weights=satisfaction, minlength=n),
            "net_promoters": np.bincount(
                unit, weights=mech.promoter_score(satisfaction), minlength=n
            ),
        }

    def open_new_units(self) -> None:
        """Growth: open new units at `growth_rate` a year (whole units, no draw)."""
        self.growth_due += len(self.units) * self.p["growth_rate"] / 52.0
        if self.growth_due >= 1.0:
            n = int(self.growth_due)
            self.growth_due -= n
            self._add_units(n, established=False)

    def lead(self) -> None:
        """Leaders serve their people; behaviour is pulled to the standard or drifts to habit."""
        L = self.leaders
        p = self.p
        reports = np.maximum(self._reports(), 1)
        admin = mech.admin_share(
            max(p["hierarchy_layers"] - 3, 0),
            p["internal_policy_friction"],
            reports / L.nominal_reports - 1.0,
        )
        shown = mech.shown_behaviour(mech.behaviour_within_time(L.behaviour, admin), L.satisfaction)
        has_parent = L.parent >= 0
        parent = np.where(has_parent, L.parent, 0)
        reach = np.sqrt(np.minimum(1.0, L.nominal_reports / reports))
        served = np.where(
            has_parent, shown[parent].mean(axis=1) * reach[parent], mech.BOARD_SERVICE
        )
        coached = np.where(has_parent, shown[parent, 3], p["senior_involvement"])
        team_sat = self._team_satisfaction()
        leaders_below = (
            np.bincount(parent[has_parent], weights=L.satisfaction[has_parent], minlength=len(L))
            / reports
        )
        reports_sat = np.where(L.team >= 0, team_sat[np.maximum(L.team, 0)], leaders_below)
        extra_layers = max(p["hierarchy_layers"] - 3, 0)
        top_reach = np.sqrt(min(1.0, self.p["n_units"] / len(self.units)))
        pull = mech.behaviour_pull(
            p["senior_involvement"], p["leadership_training"], coached, extra_layers, top_reach
        )
        self.shown = shown
        L.satisfaction = mech.leader_satisfaction(L.satisfaction, served, reports_sat)
        L.behaviour, L.habit = (
            mech.leader_behaviour(L.behaviour, L.habit, self._standard(), pull),
            mech.habit_learning(L.habit, L.behaviour),
        )

    def _team_satisfaction(self) -> np.ndarray:
        s = self.staff
        return mech.team_mean(
            s.satisfaction, s.team, s.filled.astype(float), len(self.team_manager)
        )

    def _team_pressure(self, capacity: np.ndarray) -> np.ndarray:
        """Overload per team.

        Units from last week's load; support departments from their vacancies
        and from how far the front line they serve has grown.
        """
        d = self.n_departments
        front_line = self.staff.filled[self.team_first[d] :].sum()
        demand = mech.TARGET_UTILISATION * front_line / self.front_line_planned
        planned = self.authorised[:d] * mech.productivity(np.array(PLANNED_SKILL))
        load = np.concatenate([demand * planned / np.maximum(capacity[:d], 1e-9), self.units.load])
        load = np.minimum(load, mech.MAX_LOAD)
        return mech.pressure(load)

    def serve_internally(self) -> None:
        """Internal service quality each employee receives (from last week's state)."""
        p = self.p
        s = self.staff
        manager_service = self.shown[self.team_manager].mean(axis=1)
        department = s.filled & (s.team < self.n_departments)
        department_service = mech.team_mean(
            s.potential, s.team, department.astype(float), len(self.team_manager)
        )[: self.n_departments]
        support = mech.support_chain_quality(department_service, p["cross_department_cooperation"])
        self.capacity = self._capacity()  # staff do not change before customers are served
        self.team_pressure = self._team_pressure(self.capacity)
        self.team_fatigue = mech.fatigue(self.team_fatigue, self.team_pressure)
        s.isq = mech.internal_service_quality(
            manager_service[s.team],
            support,
            p["internal_policy_friction"],
            max(p["hierarchy_layers"] - 3, 0),
            mech.programme_boost(p["engagement_program"]),
            self.team_fatigue[s.team],
        )

    def serve_customers(self) -> dict[str, np.ndarray]:
        """Customers visit, are served, judge the experience, and stay, refer, warn or leave."""
        p = self.p
        s, u, c = self.staff, self.units, self.customers
        rng = self.rng
        n_units = len(u)
        unit_pressure = self.team_pressure[self.n_departments :]
        s.potential = mech.service_potential(s.skill, s.satisfaction, self.team_pressure[s.team])
        time_share = mech.achieved_time_share(u.load, u.standard)

        satisfaction = c.satisfaction
        draw = rng.random(len(c), dtype=np.float32)
        visit = draw < mech.visit_probability(satisfaction, p["demand_level"])
        leave = ~visit & (draw > 1.0 - mech.defection_probability(satisfaction))
        visitors = np.flatnonzero(visit)
        unit = c.unit[visitors]
        self_served = rng.random(len(visitors), dtype=np.float32) < p["automation_level"]
        quality = mech.self_service_quality(
            c.values_people[visitors], p["customer_policy_friction"]
        ).astype(np.float64)
        staffed = ~self_served
        regular, lost = self._relationships(visitors[staffed])
        server, has_server = self._servers(unit[staffed], regular)
        staffed_quality = mech.service_quality(
            s.potential[server],
            time_share[unit[staffed]],
            unit_pressure[unit[staffed]],
            p["customer_policy_friction"],
        ) + mech.RELATIONSHIP_BONUS * (regular >= 0)
        quality[staffed] = np.where(
            has_server, np.minimum(staffed_quality, 100.0), mech.NO_SERVICE_QUALITY
        )
        noise = rng.standard_normal(len(visitors), dtype=np.float32) * mech.EXPERIENCE_NOISE
        experience = np.clip(quality + noise, 0.0, 100.0)
        self._bond(visitors[staffed], server, has_server & (regular < 0))

        old_satisfaction = satisfaction[visitors]
        revenue = np.bincount(
            unit,
            weights=mech.spend(p["spend_per_visit"], old_satisfaction, c.tenure[visitors]),
            minlength=n_units,
        )
        word = rng.random(len(visitors), dtype=np.float32)
        delighted = (experience >= mech.DELIGHT_AT) & (old_satisfaction >= 80.0)
        referrals = np.bincount(
            unit[delighted & (word < mech.REFERRAL_PROBABILITY)], minlength=n_units
        )
        let_down = experience < mech.LET_DOWN_AT
        warnings = np.bincount(
            unit[let_down & (word < mech.WARNING_PROBABILITY)], minlength=n_units
        )

        judged = mech.customer_satisfaction(
            old_satisfaction, experience, c.expectation[visitors], c.temperament[visitors]
        )
        judged[np.flatnonzero(staffed)[lost]] -= mech.LOST_SERVER_DIP
        c.satisfaction[visitors] = np.clip(judged, 0.0, 100.0)
        c.expectation[visitors] = mech.adapted_expectation(
            c.expectation[visitors], experience, p["customer_expectation"]
        )
        c.tenure += 1
        customers_before = np.bincount(c.unit, minlength=n_units)
        defections = np.bincount(c.unit[leave], minlength=n_units)
        c.keep(~leave)
        prospects = np.maximum(u.pool - (customers_before - defections), 0.0)
        arrivals = rng.poisson(
            mech.new_customers_expected(prospects, u.pool, p["demand_level"], referrals, warnings)
        )
        self._add_customers(np.repeat(np.arange(n_units), arrivals), established=False)

        staffed_visits = np.bincount(unit[staffed], minlength=n_units)
        capacity = self.capacity[self.n_departments :]
        load = np.minimum(
            staffed_visits / np.maximum(capacity * self.visits_per_capacity, 1e-9), mech.MAX_LOAD
        )
        achieved = mech.achieved_time_share(load, u.standard)
        manager = self.shown[u.manager]
        anchor = 0.5 * (manager[:, 0] + manager[:, 3]) / 100 + 0.5 * min(
            p["frontline_training_hours"] / 80.0, 1.0
        )
        u.standard = mech.service_standard(u.standard, achieved, anchor)
        u.load = load
        planned_visits = (
            self.visits_per_capacity
            * mech.TARGET_UTILISATION
            * mech.productivity(np.array(PLANNED_SKILL))
            * u.staff_plan
        )
        u.perceived_demand = mech.perceived(
            u.perceived_demand, staffed_visits / planned_visits, mech.DEMAND_PERCEPTION_WEEKS
        )
        u.perceived_time_share = mech.perceived(
            u.perceived_time_share, achieved, mech.PRODUCTIVITY_PERCEPTION_WEEKS
        )
        return {
            "visits": np.bincount(unit, minlength=n_units),
            "quality_sum": np.bincount(unit, weights=quality, minlength=n_units),
            "revenue": revenue,
            "defections": defections,
            "customers_before": customers_before,
            "arrivals": arrivals,
            "lost_servers": np.bincount(unit[staffed][lost], minlength=n_units),
        }

    def _relationships(self, visitors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For staffed visits: the usual server there to serve (-1 if none), and who lost one.

        A customer whose usual server has left (the post is empty or has a new
        holder) meets a stranger and loses the relationship.
        """
        s, c = self.staff, self.customers
        post = c.server[visitors]
        bonded = post >= 0
        safe = np.maximum(post, 0)
        still_there = bonded & s.filled[safe] & (s.hires[safe] == c.server_holder[visitors])
        lost = bonded & ~still_there
        c.server[visitors[lost]] = -1
        on_shift = self.rng.random(len(visitors), dtype=np.float32) < mech.ON_SHIFT
        return np.where(still_there & on_shift, post, -1), lost

    def _bond(self, visitors: np.ndarray, server: np.ndarray, may_bond: np.ndarray) -> None:
        """Customers who look for a usual server may make the one who served them theirs."""
        c = self.customers
        chance = self.rng.random(len(visitors), dtype=np.float32) < mech.BOND_PROBABILITY
        bond = may_bond & c.relational[visitors] & (c.server[visitors] < 0) & chance
        c.server[visitors[bond]] = server[bond]
        c.server_holder[visitors[bond]] = self.staff.hires[server[bond]]

    def _capacity(self) -> np.ndarray:
        """Work each team gets through at planned pace, in fully-skilled employees."""
        s = self.staff
        return np.bincount(
            s.team, weights=s.filled * mech.productivity(s.skill), minlength=len(self.team_manager)
        )

    def _servers(self, unit: np.ndarray, regular: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each staffed visit, who serves: the usual server if there, else anyone in post.

        Returns the posts and whether the unit had anyone in post at all.
        """
        s = self.staff
        team = unit + self.n_departments
        in_post = np.flatnonzero(s.filled)  # team by team, as posts are kept in team blocks
        before_team = np.concatenate([[0], np.cumsum(s.filled)])[self.team_first]
        count = np.bincount(s.team, weights=s.filled, minlength=len(self.team_manager))
        pick = (self.rng.random(len(unit), dtype=np.float32) * count[team]).astype(int)
        rank = np.minimum(before_team[team] + pick, max(len(in_post) - 1, 0))
        anyone = in_post[rank] if len(in_post) else np.zeros(len(unit), int)
        return np.where(regular >= 0, regular, anyone), count[team] > 0

    def turn_over(self) -> dict[str, np.ndarray]:
        """Quits leave vacancies; vacancies are filled after a lag by new hires."""
        p = self.p
        s = self.staff
        quit_p = mech.quit_probability(
            s.satisfaction,
            s.tenure,
            p["wage_level"],
            p["labour_market_tightness"],
            p["hiring_selectivity"],
            p["onboarding_quality"],
            self.team_fatigue[s.team],
        )
        quits = s.filled & (self.rng.random(len(s)) < quit_p)
        early = quits & (s.tenure < 13)
        u = self.units
        needed = mech.staff_needed(u.staff_plan, u.perceived_demand, u.perceived_time_share)
        planned = np.minimum(np.round(needed * p["staffing_level"]), u.slots)
        self.authorised[self.n_departments :] = np.maximum(planned, 1)
        hire_p = mech.hire_probability(
            p["hiring_selectivity"], p["labour_market_tightness"], p["wage_level"]
        )
        hired = self.rng.binomial(self.vacancies(), hire_p)
        free = ~s.filled
        free_so_far = np.cumsum(free)
        free_before_team = np.concatenate([[0], free_so_far])[self.team_first]
        rank_in_team = free_so_far - 1 - free_before_team[s.team]
        hires = np.flatnonzero(free & (rank_in_team < hired[s.team]))
        s.filled &= ~quits
        self._hire(hires)
        n_teams = len(self.team_manager)
        return {
            "quits": np.bincount(s.team[quits], minlength=n_teams),
            "early_quits": np.bincount(s.team[early], minlength=n_teams),
            "hires": np.bincount(s.team[hires], minlength=n_teams),
        }

    def vacancies(self) -> np.ndarray:
        """Authorised posts without a holder, per team (a hiring freeze leaves none)."""
        headcount = np.bincount(
            self.staff.team, weights=self.staff.filled, minlength=len(self.team_manager)
        )
        return np.maximum(self.authorised - headcount, 0).astype(int)

    def update_employees(self) -> None:
        """Satisfaction follows internal service and the team's mood; skill and tenure grow."""
        p = self.p
        s = self.staff
        u = self.units
        s.champion = s.champion_trait < p["champion_share"] + p["champions_program"]
        weight = s.filled * (1.0 + (mech.CHAMPION_WEIGHT - 1.0) * s.champion)
        peer = mech.team_mean(s.satisfaction, s.team, weight, len(self.team_manager))
        org_customers = float(np.mean(u.customer_satisfaction)) if len(u) else 50.0
        team_customers = np.concatenate(
            [np.full(self.n_departments, org_customers), u.customer_satisfaction]
        )
        disposition = s.disposition + CHAMPION_LIFT * s.champion
        noise = self.rng.normal(0.0, 2.0, len(s))
        satisfaction = mech.employee_satisfaction(
            s.satisfaction,
            s.isq,
            team_customers[s.team],
            mech.pay_score(p["wage_level"]),
            disposition,
            peer[s.team],
            noise,
        )
        coaching = self.shown[self.team_manager, 3][s.team]
        skill = mech.skill_growth(
            s.skill, s.tenure, p["onboarding_quality"], p["frontline_training_hours"], coaching
        )
        s.satisfaction = np.where(s.filled, satisfaction, s.satisfaction)
        s.skill = np.where(s.filled, skill, s.skill)
        s.tenure = s.tenure + s.filled

    def keep_books(self, flows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Revenue and costs per unit; central costs are shared equally between units."""
        p = self.p
        s = self.staff
        n_teams = len(self.team_manager)
        d = self.n_departments
        wage = p["weekly_wage"] * p["wage_level"]
        headcount = np.bincount(s.team, weights=s.filled, minlength=n_teams).astype(float)
        overtime = np.concatenate(
            [np.zeros(d), np.clip(self.units.load - 1.0, 0, mech.MAX_OVERTIME)]
        )
        payroll = headcount * wage * (1.0 + OVERTIME_PREMIUM * overtime)
        hourly = wage / 40.0
        training = (
            headcount * p["frontline_training_hours"] / 52.0 * (hourly + p["trainer_cost_per_hour"])
        )
        programmes = (
            headcount
            * (p["engagement_program"] + p["champions_program"] * p["champion_cost"])
            / 52.0
        )
        selectivity = 0.8 + 0.4 * p["hiring_selectivity"] / 100.0
        turnover = (
            mech.turnover_cost(flows["quits"], wage, p["replacement_cost_share"]) * selectivity
        )
        onboarding = flows["hires"] * p["onboarding_cost"] * p["onboarding_quality"] / 100.0
        L = self.leaders
        leader_pay = wage * np.array([LEADER_PAY[Level(v)] for v in range(4)])[L.level]
        team_leader_pay = np.bincount(
            L.team[L.team >= 0], weights=leader_pay[L.team >= 0], minlength=n_teams
        )
        by_team = {
            "payroll": payroll,
            "training_cost": training,
            "programme_cost": programmes,
            "turnover_cost": turnover,
            "other_costs": onboarding + team_leader_pay,
        }
        central = {
            "training_cost": len(L)
            * p["leadership_training"]
            / 52.0
            * p["leader_training_day_cost"],
            "programme_cost": p["senior_involvement"] / 100.0 * p["senior_time_cost"],
            "other_costs": leader_pay[L.team < 0].sum(),
        }
        n_units = max(len(self.units), 1)
        spent = {
            item: cost[d:] + (cost[:d].sum() + central.get(item, 0.0)) / n_units
            for item, cost in by_team.items()
        }
        spent["other_costs"] += p["automation_level"] * p["automation_cost"] + p["unit_fixed_costs"]
        revenue = flows["revenue"]
        spent["cost_of_goods"] = revenue * (1.0 - p["gross_margin"])
        spent["acquisition_cost"] = flows["arrivals"] * p["acquisition_cost"]
        costs = sum(spent.values())
        profit = revenue - costs
        self.units.cumulative_profit += profit
        return flows | spent | {"costs": costs, "profit": profit}

    # ------------------------------------------------------------ observing

    def _record(self, week: int) -> None:
        """Keep this week's aggregates: one org row, and one row per unit if asked."""
        self.records.append(org_row(self, week))
        if self.record_units:
            self.unit_records.append(unit_rows(self, week))
        if self.followed:
            self.story.append(self._story_row(week))

    def follow_typical(self) -> None:
        """Follow one typical front-line post and one typical customer of its unit.

        Typical: the filled front-line post whose holder's satisfaction is
        nearest the median, and the customer of that unit nearest theirs.
        """
        s, c = self.staff, self.customers
        front_line = np.flatnonzero(s.filled & (s.team >= self.n_departments))
        satisfaction = s.satisfaction[front_line]
        post = int(front_line[np.argmin(np.abs(satisfaction - np.median(satisfaction)))])
        unit = s.team[post] - self.n_departments
        mine = np.flatnonzero(c.unit == unit)
        customer = mine[np.argmin(np.abs(c.satisfaction[mine] - np.median(c.satisfaction[mine])))]
        self.followed = (post, int(c.id[customer]))

    def _story_row(self, week: int) -> dict:
        post, customer_id = self.followed
        s, c = self.staff, self.customers
        row = np.flatnonzero(c.id == customer_id)
        manager = self.shown[self.team_manager[s.team[post]]]
        return {
            "step": week,
            "employee_in_post": bool(s.filled[post]),
            "employee_holder": int(s.hires[post]),
            "employee_satisfaction": float(s.satisfaction[post]) if s.filled[post] else None,
            "employee_skill": float(s.skill[post]) if s.filled[post] else None,
            "employee_tenure": int(s.tenure[post]) if s.filled[post] else None,
            "manager_behaviour": float(manager.mean()),
            "customer_active": bool(row.size),
            "customer_satisfaction": float(c.satisfaction[row[0]]) if row.size else None,
            "customer_expectation": float(c.expectation[row[0]]) if row.size else None,
        }
