"""A Mesa model of the service-profit chain.

Leaders serve employees, employees serve customers, loyal customers make the profit.

Public interface: `load_scenario`, `simulate`, `Scenario`, the parameter
declarations in `PARAMETERS`, and the command line (`python -m model --help`).
"""

from .chain import ServiceProfitChain
from .observe import MEASURES
from .parameters import PARAMETERS, InputError
from .scenario import Scenario, load_scenario, scenario_names
from .simulate import VERSION as __version__
from .simulate import simulate

__all__ = [
    "MEASURES",
    "PARAMETERS",
    "InputError",
    "Scenario",
    "ServiceProfitChain",
    "__version__",
    "load_scenario",
    "scenario_names",
    "simulate",
]
