"""What the machine was doing when a benchmark started, kept beside its figures.

Figures on a shared machine move with its load more than with the code, so
every result file says when it was measured and how loaded the machine was.
"""

import os
import time


def conditions() -> dict:
    """The date and time, and the 1, 5 and 15-minute load averages, now."""
    return {"when": time.strftime("%Y-%m-%d %H:%M"), "load_average_at_start": os.getloadavg()}
