"""A Mesa model of the service-profit chain.

Leaders serve employees, employees serve customers, loyal customers make the profit.

Public interface: `load_scenario`, `simulate`, `Scenario`, the parameter
declarations in `PARAMETERS`, the measures in `MEASURES`, and the command line
(`python -m model --help`).
"""

from model.engine.chain import ServiceProfitChain
from model.engine.observe import MEASURES
from model.engine.parameters import PARAMETERS, InputError
from model.scenario import Scenario, load_scenario, scenario_names
from model.simulate import VERSION as __version__
from model.simulate import simulate

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
