"""Leaders and employees: thin Mesa agents that hold an index into the model's arrays.

The model keeps every state variable in numpy arrays and updates them all at
once; an agent is a named, inspectable view of one row.
"""

from __future__ import annotations

from enum import IntEnum

import mesa

from model.engine.mechanisms import BEHAVIOURS


class Level(IntEnum):
    """Where a leader sits in the hierarchy."""

    SENIOR = 0
    REGIONAL = 1
    UNIT_MANAGER = 2
    DEPARTMENT_MANAGER = 3


class Leader(mesa.Agent):
    """A leader: the top team, a regional leader, or a unit or department manager."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        """Create a handle on row `index` of the model's leader arrays.

        Args:
            model: The model holding the arrays.
            index: Row of this leader.
        """
        super().__init__(model)
        self.index = index

    @property
    def level(self) -> Level:
        """Place in the hierarchy."""
        return Level(int(self.model.leaders.level[self.index]))

    @property
    def satisfaction(self) -> float:
        """Own satisfaction, 0-100: how well their own leader serves them."""
        return float(self.model.leaders.satisfaction[self.index])

    @property
    def behaviour(self) -> dict[str, float]:
        """Current behaviours, 0-100, by name."""
        row = self.model.leaders.behaviour[self.index]
        return {name: float(v) for name, v in zip(BEHAVIOURS, row, strict=True)}

    @property
    def habit(self) -> dict[str, float]:
        """Habitual behaviours, 0-100, that behaviour drifts back to."""
        row = self.model.leaders.habit[self.index]
        return {name: float(v) for name, v in zip(BEHAVIOURS, row, strict=True)}

    @property
    def leader(self) -> Leader | None:
        """This leader's own leader (None for the top team)."""
        parent = int(self.model.leaders.parent[self.index])
        return None if parent < 0 else self.model.leader_agents[parent]


class Employee(mesa.Agent):
    """A post in a front-line unit or a support department and the person in it.

    When the holder quits the post stands vacant until a new hire fills it;
    `hires` counts how many people have held it.
    """

    def __init__(self, model: mesa.Model, index: int) -> None:
        """Create a handle on row `index` of the model's staff arrays.

        Args:
            model: The model holding the arrays.
            index: Row of this post.
        """
        super().__init__(model)
        self.index = index

    @property
    def team(self) -> int:
        """Team index: support departments first, then units."""
        return int(self.model.staff.team[self.index])

    @property
    def unit(self) -> int | None:
        """Unit (store, branch) number, or None in a support department."""
        unit = self.team - self.model.n_departments
        return unit if unit >= 0 else None

    @property
    def vacant(self) -> bool:
        """Whether the post is empty."""
        return not bool(self.model.staff.filled[self.index])

    @property
    def satisfaction(self) -> float:
        """Satisfaction, 0-100."""
        return float(self.model.staff.satisfaction[self.index])

    @property
    def skill(self) -> float:
        """Skill, 0-100."""
        return float(self.model.staff.skill[self.index])

    @property
    def tenure_weeks(self) -> int:
        """Weeks the current holder has been in post."""
        return int(self.model.staff.tenure[self.index])

    @property
    def champion(self) -> bool:
        """Whether the holder is a champion: an informal leader whose mood spreads."""
        return bool(self.model.staff.champion[self.index])

    @property
    def hires(self) -> int:
        """How many people have held this post."""
        return int(self.model.staff.hires[self.index])

    @property
    def manager(self) -> Leader:
        """The leader of this post's team."""
        return self.model.leader_agents[int(self.model.team_manager[self.team])]
