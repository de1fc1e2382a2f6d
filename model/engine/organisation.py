"""The organisation: its tables of leaders, staff, units and customers, built and grown.

State lives in numpy arrays, one row per entity; leaders and employees are
also Mesa agents that hold an index into them. Building draws from the
model's generator like everything else, so a seed fixes the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from model.engine import kernels
from model.engine import mechanisms as mech
from model.engine.agents import Employee, Leader, Level
from model.engine.parameters import BY_NAME, UNIT_BY_NAME

PLANNED_SKILL = 85.0
"""Skill of the seasoned staff that unit staffing was planned for."""

ESTABLISHED_SATISFACTION = 61.0
ESTABLISHED_LIFT = 12.0
"""Where established employees' satisfaction, and established customers'
satisfaction and expectations (points above a newcomer's), start: near the
levels the baseline settles at, so that the warm-up is short."""

ESTABLISHED_SPREAD = 8.0
"""Spread (sd, points) of established customers' satisfaction, before temperament."""

HABIT_PERSON = 0.8
HABIT_BEHAVIOUR = 0.6
"""How `manager_habit_spread` divides between the person (all four behaviours
together) and each behaviour on its own."""

MARKET_RANGE = (UNIT_BY_NAME["market"].low, UNIT_BY_NAME["market"].high)
"""Smallest and largest market a unit can have, as a multiple of the average."""

SLOT_HEADROOM = 1.4
"""Posts kept per unit as a multiple of planned staff: the top of `staffing_level`."""

NEW_MANAGER_GAP = 10.0
"""Points below the standard that managers of newly opened units start their habits at."""

NEW_LEADER_SATISFACTION = 55.0
NEW_MANAGER_STREAM = 1_000_003
"""Spawn-key tag of the streams that new managers' habits are drawn from."""

NEW_UNIT_CUSTOMERS = 0.2
"""A new unit's customers on opening, as a share of its market's regulars."""


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

    def renew(self, gone: np.ndarray, more: Columns, compiled: bool) -> None:
        """Drop the rows `gone` (ascending) and append the rows of `more` (same class).

        Compiled, each column is copied once, in blocks (`kernels.renewed`);
        the numpy reference filters it and then concatenates.
        """
        for f in fields(self):
            old, new = getattr(self, f.name), getattr(more, f.name)
            if compiled:
                setattr(self, f.name, kernels.renewed(old, gone, new))
            else:
                setattr(self, f.name, np.concatenate([np.delete(old, gone), new]))

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


class Organisation:
    """Building and growing the organisation (the model's first half).

    `ServiceProfitChain` inherits it: these methods use the model's
    parameters `p`, its unit table `unit_table` (`parameters.UNIT_COLUMNS`:
    values that replace the draws of the units at the start) and generator
    `rng`, and register Mesa agents with it.
    """

    def build(self) -> None:
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
        person = rng.normal(0.0, spread * HABIT_PERSON, (n, 1))
        behaviour = rng.normal(0.0, spread * HABIT_BEHAVIOUR, (n, 4))
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
        experienced manager and few customers. The units at the start take what
        the unit table gives in place of their draws, which are still made, so
        that everything else in the run draws the same numbers with or without it.
        """
        p = self.p
        given = self.unit_table if established else {}
        market = np.clip(1.0 + self.rng.normal(0.0, p["market_spread"], n), *MARKET_RANGE)
        market = np.asarray(given.get("market", market), float)
        staff_plan = np.asarray(given.get("staff", p["staff_per_unit"] * market), float)
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
        if "habit_offset" in given:
            managers = self.team_manager[teams]
            offset = np.asarray(given["habit_offset"], float)[:, None]
            self.leaders.habit[managers] = np.clip(self._standard() + offset, 0.0, 100.0)
            self.leaders.behaviour[managers] = self.leaders.habit[managers]
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
        """Add a customer to each unit listed in `unit` (a unit listed twice gets two)."""
        if len(unit):
            self.customers.extend(self._new_customers(unit, established))

    def _new_customers(self, unit: np.ndarray, established: bool) -> Customers:
        """Rows for new customers of `unit`, drawn but not yet added to the table.

        New customers expect what the market expects; established ones have history.
        """
        p = self.p
        m = len(unit)
        temperament = self.rng.normal(0.0, mech.TEMPERAMENT_SPREAD, m)
        expectation = float(p["customer_expectation"])
        if established:
            expectation += ESTABLISHED_LIFT
            satisfaction = np.clip(
                self.rng.normal(expectation, ESTABLISHED_SPREAD, m) + temperament, 0.0, 100.0
            )
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
        return Customers(
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

    def _set_nominal_reports(self) -> None:
        """Spans of control as designed; growth beyond them thins a leader's reach."""
        self.leaders.nominal_reports = np.maximum(self._reports(), 1).astype(float)

    def _reports(self) -> np.ndarray:
        parent = self.leaders.parent
        return np.bincount(parent[parent >= 0], minlength=len(self.leaders))

    def _planned_visits_per_capacity(self) -> float:
        """Visits one fully skilled employee serves when a unit runs at the target utilisation.

        Visits are counted in a newcomer's staff time (`time_to_serve`). The
        chain planned its staffing for a unit of normal demand, with the visits
        its established customers make and the time they take, the default
        self-service share and seasoned staff; levers that change demand,
        staffing or self-service later move the load away from this plan.
        """
        p = self.p
        c = self.customers
        visit_time = mech.visit_probability(c.satisfaction, 1.0) * mech.time_to_serve(c.tenure)
        self_served = BY_NAME["automation_level"].default
        staffed = p["customers_per_unit"] * visit_time.mean() * (1.0 - self_served)
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
        s.disposition[posts] = self.rng.normal(
            mech.DISPOSITION_BASE + mech.DISPOSITION_PER_SELECTIVITY * p["hiring_selectivity"],
            mech.DISPOSITION_SPREAD,
            n,
        )
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
            s.satisfaction[posts] = np.clip(
                mech.NEW_HIRE_SATISFACTION + s.disposition[posts], 0, 100
            )
        s.tenure[posts] = tenure

    def open_new_units(self) -> None:
        """Growth: open new units at `growth_rate` a year (whole units, no draw)."""
        self.growth_due += len(self.units) * self.p["growth_rate"] / 52.0
        if self.growth_due >= 1.0:
            n = int(self.growth_due)
            self.growth_due -= n
            self._add_units(n, established=False)

    def vacancies(self) -> np.ndarray:
        """Authorised posts without a holder, per team (a hiring freeze leaves none)."""
        headcount = np.bincount(
            self.staff.team, weights=self.staff.filled, minlength=len(self.team_manager)
        )
        return np.maximum(self.authorised - headcount, 0).astype(int)

    def _capacity(self) -> np.ndarray:
        """Work each team gets through at planned pace, in fully-skilled employees."""
        s = self.staff
        return np.bincount(
            s.team, weights=s.filled * mech.productivity(s.skill), minlength=len(self.team_manager)
        )
