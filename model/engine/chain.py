"""The service-profit chain as a Mesa model: the weekly links.

The organisation (its tables and how it is built) is in `organisation`. Each
week every entity is updated at once from the state at the start of the week
(synchronous updating), in the order of the chain: leaders, internal service,
service to customers and their response, turnover, employees, the books. Each
link reads and updates the organisation's stocks and hands what the week
produced (behaviour shown, capacity, pressure, flows) to the next explicitly.
"""

from __future__ import annotations

import mesa
import numpy as np

from model.engine import kernels
from model.engine import mechanisms as mech
from model.engine.agents import Leader, Level
from model.engine.observe import org_row, unit_rows
from model.engine.organisation import PLANNED_SKILL, Organisation
from model.engine.parameters import defaults, validate, validate_units

WARM_UP_WEEKS = 260
"""Weeks run before week 1 so that a run starts from the organisation's own
steady state rather than from its initial draw. Service standards recover on a
time scale of about 90 weeks: after a 104-week warm-up the baseline still
drifted (customer satisfaction -0.2 points, headcount -1% and workload +1% in
ten years, 8 replications); after 260 weeks no measure trends beyond noise."""


LEADER_PAY = {
    Level.SENIOR: 12.0,
    Level.REGIONAL: 3.5,
    Level.UNIT_MANAGER: 1.7,
    Level.DEPARTMENT_MANAGER: 2.0,
}
"""Leader pay as a multiple of the front-line weekly wage."""
PAY_BY_LEVEL = np.array([LEADER_PAY[Level(level)] for level in range(len(Level))])

OVERTIME_PREMIUM = 1.5
HOURS_A_WEEK = 40.0  # a full-time week: turns the weekly wage into training time's cost
CHAMPION_LIFT = 10.0  # champions' own satisfaction lift: they carry the culture
BOOK_LINES = (
    "payroll",
    "training_cost",
    "programme_cost",
    "turnover_cost",
    "other_costs",
    "cost_of_goods",
    "acquisition_cost",
    "costs",
    "profit",
)
"""The books' lines per unit, in the order `keep_books` adds up the costs."""


class ServiceProfitChain(Organisation, mesa.Model):
    """A chain of units whose leaders, employees and customers form the service-profit chain.

    Args:
        timeline: Interventions (`model.scenario.Intervention`), each applied at the
            start of its week.
        record_units: Whether to record one row per unit each week as well.
        compiled: Whether the hot links run compiled (`kernels`) or in plain numpy
            (`mechanisms`, the reference); both give the same numbers.
        units: A unit table (`model.engine.parameters.UNIT_COLUMNS`): values for the
            units at the start in place of their draws.
        seed: Seed of the model's generator, or None with `rng` given.
        rng: A numpy Generator or SeedSequence to draw from instead of `seed`.
        **parameters: Any parameter from `model.parameters.PARAMETERS`; the rest
            take their declared defaults.
    """

    def __init__(
        self,
        timeline=(),
        record_units=False,
        compiled=True,
        units=None,
        seed=None,
        rng=None,
        **parameters,
    ) -> None:
        super().__init__(seed=seed, rng=rng)
        self.record_units = record_units
        self.compiled = compiled
        self.p = defaults() | validate(parameters)
        self.unit_table = validate_units(units or {}, self.p["n_units"])
        self.timeline = sorted(timeline, key=lambda step: step.week)
        self.n_departments = int(self.p["support_departments"])
        self.leader_agents: list[Leader] = []
        self.records: list[dict] = []
        self.story: list[dict] = []
        self.followed: tuple[int, int] | None = None
        self.customers_ever = 0
        self.unit_records: list[dict] = []
        self.growth_due = 0.0
        self.build()
        for _ in range(WARM_UP_WEEKS):
            self._advance()
        self.units.cumulative_profit[:] = 0.0

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
        """The chain, link by link (also run during the warm-up).

        Each link takes what the links before it give and returns what it
        gives; the agents' own stocks (satisfaction, skill, tenure, a unit's
        plans) change in place. What the week shows (`shown`, `books`,
        `customer_view`, the teams' fatigue) is kept for the records and for
        next week's links.
        """
        shown, floor_time = self.lead()
        # staff do not change before customers are served
        capacity, pressure = self._workload(floor_time[self.team_manager])
        self.team_fatigue = self.serve_internally(shown, pressure, self.team_fatigue)
        flows = self.serve_customers(pressure)
        vacancies = self.plan_capacity(
            shown,
            floor_time[self.units.manager],
            capacity[self.n_departments :],
            flows.pop("staff_time"),
        )
        flows |= self.turn_over(self.team_fatigue, vacancies)
        self.update_employees(shown, self.units.customer_satisfaction)  # last week's customers
        self.shown = shown
        self.books = self.keep_books(flows)
        self.customer_view = self._customer_view()
        self.units.customer_satisfaction = self.customer_view["satisfaction_sum"] / np.maximum(
            self.customer_view["customers"], 1
        )

    def _customer_view(self) -> dict[str, np.ndarray]:
        """Per-unit sums over customers, at the end of the week."""
        unit, satisfaction = self.customers.unit, self.customers.satisfaction
        n = len(self.units)
        if self.compiled:
            sums = kernels.customer_view(
                unit, satisfaction, n, mech.PROMOTER_AT, mech.DETRACTOR_BELOW
            )
            return dict(zip(("customers", "satisfaction_sum", "net_promoters"), sums, strict=True))
        return {
            "customers": np.bincount(unit, minlength=n),
            "satisfaction_sum": np.bincount(unit, weights=satisfaction, minlength=n),
            "net_promoters": np.bincount(
                unit, weights=mech.promoter_score(satisfaction), minlength=n
            ),
        }

    def lead(self) -> tuple[np.ndarray, np.ndarray]:
        """Leaders serve their people; behaviour is pulled to the standard or drifts to habit.

        Returns the behaviour each leader shows this week, within their time,
        and the share of each leader's week left for the floor (`floor_time`).
        """
        L = self.leaders
        p = self.p
        extra_layers = max(p["hierarchy_layers"] - mech.LEAN_LAYERS, 0)
        top_reach = np.sqrt(min(1.0, self.p["n_units"] / len(self.units)))
        if self.compiled:
            s = self.staff
            return kernels.lead(
                L.behaviour,
                L.habit,
                L.satisfaction,
                L.parent,
                L.team,
                L.nominal_reports,
                s.team,
                s.filled,
                s.satisfaction,
                self._standard(),
                extra_layers,
                float(p["internal_policy_friction"]),
                float(p["senior_involvement"]),
                float(  # the pull on a leader whose own leader does not coach
                    mech.behaviour_pull(
                        p["senior_involvement"],
                        p["leadership_training"],
                        0.0,
                        extra_layers,
                        top_reach,
                    )
                ),
                len(self.team_manager),
                kernels.coefficients(kernels.LeaderCoefficients),
            )
        reports = np.maximum(self._reports(), 1)
        admin = mech.admin_share(
            extra_layers, p["internal_policy_friction"], reports / L.nominal_reports - 1.0
        )
        shown = mech.shown_behaviour(mech.behaviour_within_time(L.behaviour, admin), L.satisfaction)
        floor_time = mech.floor_time(shown, admin)
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
        pull = mech.behaviour_pull(
            p["senior_involvement"], p["leadership_training"], coached, extra_layers, top_reach
        )
        L.satisfaction = mech.leader_satisfaction(L.satisfaction, served, reports_sat)
        L.behaviour, L.habit = (
            mech.leader_behaviour(L.behaviour, L.habit, self._standard(), pull),
            mech.habit_learning(L.habit, L.behaviour),
        )
        return shown, floor_time

    def _team_satisfaction(self) -> np.ndarray:
        s = self.staff
        return mech.team_mean(
            s.satisfaction, s.team, s.filled.astype(float), len(self.team_manager)
        )

    def _workload(self, manager_floor_time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Capacity (`_capacity`, with the manager's floor time) and overload per team.

        Units from last week's load; support departments from their vacancies
        and from how far the front line they serve has grown.
        """
        d = self.n_departments
        planned_productivity = mech.productivity(np.array(PLANNED_SKILL))
        if self.compiled:
            s = self.staff
            return kernels.workload(
                s.team,
                s.filled,
                s.skill,
                self.team_first,
                self.front_line_planned,
                self.authorised,
                self.units.load,
                manager_floor_time,
                d,
                float(planned_productivity),
                kernels.coefficients(kernels.PlanningCoefficients),
            )
        capacity = self._capacity() + manager_floor_time
        front_line = np.count_nonzero(self.staff.filled[self.team_first[d] :])
        demand = mech.TARGET_UTILISATION * front_line / self.front_line_planned
        planned = self.authorised[:d] * planned_productivity
        load = np.concatenate([demand * planned / np.maximum(capacity[:d], 1e-9), self.units.load])
        load = np.minimum(load, mech.MAX_LOAD)
        return capacity, mech.pressure(load)

    def serve_internally(
        self, shown: np.ndarray, pressure: np.ndarray, fatigue: np.ndarray
    ) -> np.ndarray:
        """Internal service quality each employee receives; overload builds the teams' fatigue.

        From last week's state: support departments serve with the potential
        their staff had then. Returns the teams' fatigue after this week.
        """
        p = self.p
        s = self.staff
        if self.compiled:
            manager_service, department_service = kernels.teams_served(
                shown,
                self.team_manager,
                s.team,
                s.filled,
                s.potential,
                self.n_departments,
                fatigue,  # in place
                pressure,
                mech.FATIGUE_WEEKS,
            )
        else:
            manager_service = shown[self.team_manager].mean(axis=1)
            department = s.filled & (s.team < self.n_departments)
            department_service = mech.team_mean(
                s.potential, s.team, department.astype(float), len(self.team_manager)
            )[: self.n_departments]
            fatigue = mech.fatigue(fatigue, pressure)
        support = mech.support_chain_quality(department_service, p["cross_department_cooperation"])
        extra_layers = max(p["hierarchy_layers"] - mech.LEAN_LAYERS, 0)
        programme = mech.programme_boost(p["engagement_program"])
        if self.compiled:
            kernels.internal_service_quality(
                s.team,
                manager_service,
                support,
                float(p["internal_policy_friction"]),
                extra_layers,
                float(programme),
                fatigue,
                s.isq,
                kernels.coefficients(kernels.ServiceCoefficients),
            )
            return fatigue
        s.isq = mech.internal_service_quality(
            manager_service[s.team],
            support,
            p["internal_policy_friction"],
            extra_layers,
            programme,
            fatigue[s.team],
        )
        return fatigue

    def serve_customers(self, pressure: np.ndarray) -> dict[str, np.ndarray]:
        """Customers visit, are served, judge the experience, and stay, refer, warn or leave.

        `pressure` is each team's. Returns the units' flows of the week, with
        the staff time the visits asked for (`staff_time`).
        """
        p = self.p
        s, u = self.staff, self.units
        n_units = len(u)
        unit_pressure = pressure[self.n_departments :]
        s.potential = mech.service_potential(s.skill, s.satisfaction, pressure[s.team])
        time_share = mech.achieved_time_share(u.load, u.standard)
        visit = self._visits_compiled if self.compiled else self._visits
        flows = visit(time_share, unit_pressure)
        referrals, warnings = flows.pop("referrals"), flows.pop("warnings")
        kept = flows["customers_before"] - flows["defections"]
        if self.compiled:
            k = kernels.coefficients(kernels.PlanningCoefficients)
            expected = kernels.new_customers_expected(
                u.pool, kept, referrals, warnings, float(p["demand_level"]), k
            )
        else:
            prospects = np.maximum(u.pool - kept, 0.0)
            expected = mech.new_customers_expected(
                prospects, u.pool, p["demand_level"], referrals, warnings
            )
        arrivals = self.rng.poisson(expected)
        new = self._new_customers(np.repeat(np.arange(n_units), arrivals), established=False)
        self.customers.renew(flows.pop("gone"), new, self.compiled)
        return flows | {"arrivals": arrivals}

    def plan_capacity(
        self,
        shown: np.ndarray,
        manager_floor_time: np.ndarray,
        capacity: np.ndarray,
        staff_time: np.ndarray,
    ) -> np.ndarray:
        """Management reads the week into its plans and authorises posts (Oliva and Sterman 2001).

        The week's load (`staff_time` against each unit's `capacity`) erodes or
        restores the service standard, moves the perceptions of demand and of
        pace, and the staffing target follows them, less what the unit
        manager's floor time covers. Returns every team's vacancies.
        """
        p = self.p
        u = self.units
        planned_visits = (
            self.visits_per_capacity
            * mech.TARGET_UTILISATION
            * mech.productivity(np.array(PLANNED_SKILL))
        )
        if self.compiled:
            kernels.plan_units(
                staff_time,
                capacity,
                self.visits_per_capacity,
                float(planned_visits),
                shown,
                u.manager,
                float(mech.standard_anchor(0.0, 0.0, p["frontline_training_hours"])),
                u.standard,
                u.load,
                u.staff_plan,
                u.perceived_demand,
                u.perceived_time_share,
                kernels.coefficients(kernels.PlanningCoefficients),
            )
            return kernels.plan_staff(
                u.staff_plan,
                u.perceived_demand,
                u.perceived_time_share,
                float(p["staffing_level"]),
                manager_floor_time,
                u.slots,
                self.authorised,
                self.staff.team,
                self.staff.filled,
            )
        load = np.minimum(
            staff_time / np.maximum(capacity * self.visits_per_capacity, 1e-9), mech.MAX_LOAD
        )
        achieved = mech.achieved_time_share(load, u.standard)
        manager = shown[u.manager]
        anchor = mech.standard_anchor(manager[:, 0], manager[:, 3], p["frontline_training_hours"])
        u.standard = mech.service_standard(u.standard, achieved, anchor)
        u.load = load
        u.perceived_demand = mech.perceived(
            u.perceived_demand,
            staff_time / (planned_visits * u.staff_plan),
            mech.DEMAND_PERCEPTION_WEEKS,
        )
        u.perceived_time_share = mech.perceived(
            u.perceived_time_share, achieved, mech.PRODUCTIVITY_PERCEPTION_WEEKS
        )
        needed = mech.staff_needed(u.staff_plan, u.perceived_demand, u.perceived_time_share)
        planned = np.minimum(np.round(needed * p["staffing_level"] - manager_floor_time), u.slots)
        self.authorised[self.n_departments :] = np.maximum(planned, 1)
        return self.vacancies()

    def _visits(self, time_share: np.ndarray, unit_pressure: np.ndarray) -> dict[str, np.ndarray]:
        """The week's visits and departures, in numpy: the reference for `_visits_compiled`.

        Customers visit or leave, are served by themselves or by staff, judge
        the experience against expectation, and refer or warn others. Returns
        per-unit counts and sums, and the rows of the customers who left (`gone`),
        dropped once the week's new customers are known.
        """
        p = self.p
        s, c = self.staff, self.customers
        rng = self.rng
        n_units = len(self.units)
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
        tenure = c.tenure[visitors]
        revenue = np.bincount(
            unit,
            weights=mech.spend(p["spend_per_visit"], old_satisfaction, tenure),
            minlength=n_units,
        )
        word = rng.random(len(visitors), dtype=np.float32)
        delighted = (experience >= mech.DELIGHT_AT) & (old_satisfaction >= mech.PROMOTER_AT)
        referrals = np.bincount(
            unit[delighted & (word < mech.referral_probability(tenure))], minlength=n_units
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
        return {
            "visits": np.bincount(unit, minlength=n_units),
            "staff_time": np.bincount(
                unit[staffed], weights=mech.time_to_serve(tenure[staffed]), minlength=n_units
            ),
            "quality_sum": np.bincount(unit, weights=quality, minlength=n_units),
            "revenue": revenue,
            "referrals": referrals,
            "warnings": warnings,
            "defections": defections,
            "customers_before": customers_before,
            "lost_servers": np.bincount(unit[staffed][lost], minlength=n_units),
            "gone": np.flatnonzero(leave),
        }

    def _visits_compiled(
        self, time_share: np.ndarray, unit_pressure: np.ndarray
    ) -> dict[str, np.ndarray]:
        """The same visits as `_visits`, on the same draws in the same order, in compiled loops."""
        p = self.p
        s, c = self.staff, self.customers
        rng = self.rng
        k = kernels.coefficients(kernels.CustomerCoefficients)
        loyal, leave_p = kernels.satisfaction_exponents(c.satisfaction, k)
        np.exp(loyal, out=loyal)  # numpy's exponentials, as in the reference
        np.exp(leave_p, out=leave_p)
        draw = rng.random(len(c), dtype=np.float32)
        visitors, leave = kernels.choose_visitors(draw, loyal, leave_p, float(p["demand_level"]), k)
        self_draw = rng.random(len(visitors), dtype=np.float32)
        n_staffed = len(visitors) - np.count_nonzero(self_draw < p["automation_level"])
        shift_draw = rng.random(n_staffed, dtype=np.float32)
        pick_draw = rng.random(n_staffed, dtype=np.float32)
        noise_draw = rng.standard_normal(len(visitors), dtype=np.float32)
        bond_draw = rng.random(n_staffed, dtype=np.float32)
        word_draw = rng.random(len(visitors), dtype=np.float32)
        served = kernels.serve_visitors(
            visitors,
            self_draw,
            shift_draw,
            pick_draw,
            noise_draw,
            bond_draw,
            word_draw,
            loyal,
            c.unit,
            c.satisfaction,
            c.expectation,
            c.temperament,
            c.tenure,
            c.values_people,
            c.relational,
            c.server,
            c.server_holder,
            s.filled,
            s.hires,
            s.potential,
            self.team_first,
            time_share,
            unit_pressure,
            self.n_departments,
            float(p["automation_level"]),
            float(p["customer_policy_friction"]),
            float(p["spend_per_visit"]),
            float(p["customer_expectation"]),
            k,
        )
        c.tenure += 1
        customers_before, defections = kernels.count_by_unit(c.unit, leave, len(self.units))
        names = ("visits", "staff_time", "quality_sum", "revenue")
        names += ("referrals", "warnings", "lost_servers")
        return dict(zip(names, served, strict=True)) | {
            "defections": defections,
            "customers_before": customers_before,
            "gone": np.flatnonzero(leave),
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

    def turn_over(self, fatigue: np.ndarray, vacancies: np.ndarray) -> dict[str, np.ndarray]:
        """Quits leave vacancies; vacancies are filled after a lag by new hires.

        `fatigue` and `vacancies` are each team's; returns each team's quits,
        early quits and hires.
        """
        p = self.p
        s = self.staff
        quit_p = mech.quit_probability(
            s.satisfaction,
            s.tenure,
            p["wage_level"],
            p["labour_market_tightness"],
            p["hiring_selectivity"],
            p["onboarding_quality"],
            fatigue[s.team],
        )
        draw = self.rng.random(len(s))
        hire_p = mech.hire_probability(
            p["hiring_selectivity"], p["labour_market_tightness"], p["wage_level"]
        )
        hired = self.rng.binomial(vacancies, hire_p)
        if self.compiled:
            quits, early, hires, posts = kernels.turn_over(
                s.team,
                s.filled,
                s.tenure,
                quit_p,
                draw,
                hired,
                mech.ONBOARDING_WEEKS,
            )
            self._hire(posts)
            return {"quits": quits, "early_quits": early, "hires": hires}
        quits = s.filled & (draw < quit_p)
        early = quits & (s.tenure < mech.ONBOARDING_WEEKS)
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

    def update_employees(self, shown: np.ndarray, customer_satisfaction: np.ndarray) -> None:
        """Satisfaction follows internal service, the team's mood and its customers; skill grows.

        `customer_satisfaction` is each unit's (last week's): the outside-in path.
        """
        p = self.p
        s = self.staff
        n_units = len(customer_satisfaction)
        champion_at = p["champion_share"] + p["champions_program"]
        noise = self.rng.normal(0.0, mech.SATISFACTION_NOISE, len(s))
        if self.compiled:
            kernels.update_employees(
                s.team,
                s.filled,
                s.satisfaction,
                s.skill,
                s.tenure,
                s.isq,
                s.disposition,
                s.champion_trait,
                float(champion_at),
                s.champion,
                noise,
                customer_satisfaction,
                shown,
                self.team_manager,
                self.n_departments,
                mech.pay_score(p["wage_level"]),
                CHAMPION_LIFT,
                float(p["onboarding_quality"]),
                float(p["frontline_training_hours"]),
                kernels.coefficients(kernels.StaffCoefficients),
            )
            return
        s.champion = s.champion_trait < champion_at
        org_customers = float(customer_satisfaction.sum() / n_units) if n_units else 50.0
        team_customers = np.concatenate(
            [np.full(self.n_departments, org_customers), customer_satisfaction]
        )
        coaching = shown[self.team_manager, 3]
        weight = s.filled * (1.0 + (mech.CHAMPION_WEIGHT - 1.0) * s.champion)
        peer = mech.team_mean(s.satisfaction, s.team, weight, len(self.team_manager))
        disposition = s.disposition + CHAMPION_LIFT * s.champion
        satisfaction = mech.employee_satisfaction(
            s.satisfaction,
            s.isq,
            team_customers[s.team],
            mech.pay_score(p["wage_level"]),
            disposition,
            peer[s.team],
            noise,
        )
        skill = mech.skill_growth(
            s.skill,
            s.tenure,
            p["onboarding_quality"],
            p["frontline_training_hours"],
            coaching[s.team],
        )
        s.satisfaction = np.where(s.filled, satisfaction, s.satisfaction)
        s.skill = np.where(s.filled, skill, s.skill)
        s.tenure = s.tenure + s.filled

    def keep_books(self, flows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Revenue and costs per unit; central costs are shared equally between units."""
        p = self.p
        s, L = self.staff, self.leaders
        wage = p["weekly_wage"] * p["wage_level"]
        hourly = wage / HOURS_A_WEEK
        programme_per_head = p["engagement_program"] + p["champions_program"] * p["champion_cost"]
        central = {
            "training_cost": len(L)
            * p["leadership_training"]
            / 52.0
            * p["leader_training_day_cost"],
            "programme_cost": p["senior_involvement"] / 100.0 * p["senior_time_cost"],
        }
        unit_costs = p["automation_level"] * p["automation_cost"] + p["unit_fixed_costs"]
        turnover = mech.turnover_cost(
            flows["quits"], wage, p["replacement_cost_share"], p["hiring_selectivity"]
        )
        if self.compiled:
            lines = kernels.keep_books(
                s.team,
                s.filled,
                L.level,
                L.team,
                PAY_BY_LEVEL,
                self.units.load,
                turnover,
                flows["hires"],
                flows["revenue"],
                flows["arrivals"],
                self.n_departments,
                float(wage),
                float(p["frontline_training_hours"]),
                float(hourly + p["trainer_cost_per_hour"]),
                float(programme_per_head),
                float(p["onboarding_cost"]),
                float(p["onboarding_quality"]),
                float(central["training_cost"]),
                float(central["programme_cost"]),
                float(unit_costs),
                float(1.0 - p["gross_margin"]),
                float(p["cost_per_new_customer"]),
                self.units.cumulative_profit,
                OVERTIME_PREMIUM,
                mech.MAX_OVERTIME,
            )
            return flows | dict(zip(BOOK_LINES, lines, strict=True))
        n_teams = len(self.team_manager)
        d = self.n_departments
        headcount = np.bincount(s.team, weights=s.filled, minlength=n_teams).astype(float)
        overtime = np.concatenate(
            [np.zeros(d), np.clip(self.units.load - 1.0, 0, mech.MAX_OVERTIME)]
        )
        payroll = headcount * wage * (1.0 + OVERTIME_PREMIUM * overtime)
        training = (
            headcount * p["frontline_training_hours"] / 52.0 * (hourly + p["trainer_cost_per_hour"])
        )
        programmes = headcount * programme_per_head / 52.0
        onboarding = flows["hires"] * p["onboarding_cost"] * p["onboarding_quality"] / 100.0
        leader_pay = wage * PAY_BY_LEVEL[L.level]
        leads_team = L.team >= 0
        team_leader_pay = np.bincount(
            L.team[leads_team], weights=leader_pay[leads_team], minlength=n_teams
        )
        by_team = {
            "payroll": payroll,
            "training_cost": training,
            "programme_cost": programmes,
            "turnover_cost": turnover,
            "other_costs": onboarding + team_leader_pay,
        }
        central["other_costs"] = leader_pay[~leads_team].sum()
        n_units = max(len(self.units), 1)
        spent = {
            item: cost[d:] + (cost[:d].sum() + central.get(item, 0.0)) / n_units
            for item, cost in by_team.items()
        }
        spent["other_costs"] += unit_costs
        revenue = flows["revenue"]
        spent["cost_of_goods"] = revenue * (1.0 - p["gross_margin"])
        spent["acquisition_cost"] = flows["arrivals"] * p["cost_per_new_customer"]
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
