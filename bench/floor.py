"""Where a compiled week goes: the draws, the kernels, and the Python between them.

Steps the default organisation for 156 weeks from one shared warm-up, in
three ways taken in turn (so that each sees the same load on the machine):

- as it runs;
- with the same random numbers replayed from memory (recorded once), so that
  the difference is what drawing them costs where the week draws them;
- with every compiled kernel timed, for the kernels' share.

The same draws are then made again in one go outside the model, from
numpy's generator on each of its bit generators: what drawing them costs
the generator itself, and whether another bit generator would be cheaper.

Replayed draws give the same records to the bit (checked), so the three are
one computation. What is left of a week once the draws and the kernels are
taken out is Python and numpy between the links: the most a week compiled
whole, with the same draws, could save. Writes bench/results/floor.json.

    python bench/floor.py [RUNS]     # default 7 of each
"""

import functools
import json
import os
import pickle
import statistics
import sys
import time

import numpy as np
import pandas as pd

from model.engine import kernels
from model.engine.chain import ServiceProfitChain
from model.paths import BENCH_RESULTS
from model.simulate import replication_rng

WEEKS = 156


class Replayed:
    """Stands in for the model's generator: records every draw, then hands them out again."""

    def __init__(self, rng: np.random.Generator):
        self.rng, self.draws, self.calls, self.next = rng, [], [], None

    def replay(self) -> None:
        self.next = iter(self.draws)

    def __getattr__(self, name):
        if self.next is not None:
            return lambda *args, **kwargs: next(self.next)
        method = getattr(self.rng, name)

        def recorded(*args, **kwargs):
            kept = [a.copy() if isinstance(a, np.ndarray) else a for a in args]  # as they were
            self.calls.append((name, kept, kwargs))
            self.draws.append(method(*args, **kwargs))
            return self.draws[-1]

        return recorded


BIT_GENERATORS = (np.random.PCG64, np.random.SFC64, np.random.Philox, np.random.MT19937)
"""The model's (PCG64) first, then numpy's others."""


def drawn_again(calls: list, bit_generator: type) -> float:
    """CPU seconds for numpy's generator to make the same calls, one after another."""
    rng = np.random.Generator(bit_generator(1))
    cpu = time.process_time()
    for name, args, kwargs in calls:
        getattr(rng, name)(*args, **kwargs)
    return time.process_time() - cpu


KERNELS = {name: value for name, value in vars(kernels).items() if hasattr(value, "py_func")}


def timed_kernels() -> dict[str, float]:
    """Puts a timer around every compiled kernel the links call; the seconds, by kernel."""
    seconds = dict.fromkeys(KERNELS, 0.0)
    for name, kernel in KERNELS.items():

        @functools.wraps(kernel.py_func)
        def timed(*args, _kernel=kernel, _name=name, **kwargs):
            start = time.perf_counter()
            result = _kernel(*args, **kwargs)
            seconds[_name] += time.perf_counter() - start
            return result

        setattr(kernels, name, timed)
    return seconds


def stepped(model: ServiceProfitChain) -> tuple[float, float, pd.DataFrame]:
    """CPU and wall seconds for `WEEKS` weeks, and the records they made."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(WEEKS):
        model.step()
    return time.process_time() - cpu, time.perf_counter() - wall, pd.DataFrame(model.records)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    start = pickle.dumps(ServiceProfitChain(rng=replication_rng(1, 0)))
    recording = pickle.loads(start)
    recording.rng = Replayed(recording.rng)
    *_, expected = stepped(recording)
    draws, calls = recording.rng.draws, recording.rng.calls

    weeks = {"as it runs": [], "draws replayed": [], "kernels timed": []}
    kernel_share = []
    generator = {bit_generator.__name__: [] for bit_generator in BIT_GENERATORS}
    for _ in range(runs):
        for way in weeks:
            model = pickle.loads(start)
            if way == "draws replayed":
                model.rng = Replayed(model.rng)
                model.rng.draws = draws
                model.rng.replay()
            if way == "kernels timed":
                seconds = timed_kernels()
            cpu, wall, records = stepped(model)
            if way == "kernels timed":
                vars(kernels).update(KERNELS)
                kernel_share.append({n: s / WEEKS for n, s in seconds.items() if s})
            pd.testing.assert_frame_equal(records, expected)  # the same computation each way
            weeks[way].append({"cpu": cpu / WEEKS, "wall": wall / WEEKS})
        for bit_generator in BIT_GENERATORS:
            generator[bit_generator.__name__].append(drawn_again(calls, bit_generator) / WEEKS)

    def median(way, clock):
        return statistics.median(week[clock] for week in weeks[way])

    week = median("as it runs", "cpu")
    drawing = week - median("draws replayed", "cpu")
    by_kernel = {
        name: statistics.median(run.get(name, 0.0) for run in kernel_share)
        for name in kernel_share[0]
    }
    compiled = sum(by_kernel.values())
    figures = {
        "runs": runs,
        "weeks_per_run": WEEKS,
        "ms_per_week_cpu": {way: 1e3 * median(way, "cpu") for way in weeks},
        "ms_per_week_wall": {way: 1e3 * median(way, "wall") for way in weeks},
        "draws_ms": 1e3 * drawing,
        "kernels_ms": 1e3 * compiled,
        "between_ms": 1e3 * (week - drawing - compiled),
        "draws_and_kernels_run_s": WEEKS * (drawing + compiled),
        "kernels_us": {
            name: 1e6 * s for name, s in sorted(by_kernel.items(), key=lambda item: -item[1])
        },
        "same_draws_in_one_go_ms": {
            name: 1e3 * statistics.median(seconds) for name, seconds in generator.items()
        },
        "draws_per_week": sum(np.size(d) for d in draws) / WEEKS,
        "load_average": list(os.getloadavg()),
    }
    print(
        f"a compiled week {1e3 * week:.3f} ms of CPU: draws {figures['draws_ms']:.3f}, "
        f"kernels {figures['kernels_ms']:.3f}, between them {figures['between_ms']:.3f} "
        f"({figures['draws_per_week']:,.0f} numbers drawn a week, "
        f"{figures['same_draws_in_one_go_ms']['PCG64']:.3f} ms in one go); "
        f"draws and kernels alone make a 156-week run {figures['draws_and_kernels_run_s']:.3f} s"
    )
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "floor.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
