"""Where a compiled week goes: the draws, the kernels, and the Python between them.

Steps the default organisation for 156 weeks from one shared warm-up, in
three ways taken in turn (so that each round of three sees the same load on
the machine):

- as it runs;
- with the same random numbers replayed from memory (recorded once), so that
  the difference is what drawing them costs where the week draws them;
- with every compiled kernel timed, for the kernels' share.

Replayed draws give the same records to the bit (checked), so the three are
one computation. What is left of a week once the draws and the kernels are
taken out is Python and numpy between the links. Each share is taken within
a round and given as the median and range over the rounds.

The recorded calls are then made again in one go outside the model, from
numpy's generator on each of its bit generators: what drawing them costs
the generator itself, and whether another bit generator would be cheaper.
Replaying costs a dictionary lookup a draw and reads arrays no longer in
the processor's caches, so the draws' share is about, not exactly, theirs.
Writes bench/results/floor.json.

    python bench/floor.py [RUNS]     # default 7 of each
"""

import json
import pickle
import statistics
import sys
import time

import numpy as np
import pandas as pd
from conditions import conditions

from model.engine import kernels
from model.engine.chain import ServiceProfitChain
from model.paths import BENCH_RESULTS
from model.simulate import replication_rng

WEEKS = 156
BIT_GENERATORS = (np.random.PCG64, np.random.SFC64, np.random.Philox, np.random.MT19937)
"""The model's (PCG64) first, then numpy's others."""
KERNELS = {name: value for name, value in vars(kernels).items() if hasattr(value, "py_func")}


class Recorded:
    """Stands in for the model's generator, keeping every call and what it drew."""

    def __init__(self, rng: np.random.Generator):
        self.rng, self.calls, self.draws = rng, [], []

    def __getattr__(self, name):
        value = getattr(self.rng, name)
        if not callable(value):  # the bit generator, say: not a draw
            return value

        def recorded(*args, **kwargs):
            kept = [a.copy() if isinstance(a, np.ndarray) else a for a in args]  # as they were
            self.calls.append((name, kept, kwargs))
            self.draws.append(value(*args, **kwargs))
            return self.draws[-1]

        return recorded


class Replayed:
    """Stands in for the model's generator, handing out recorded draws in their order."""

    def __init__(self, rng: np.random.Generator, recorded: Recorded):
        self.rng = rng
        order = iter(zip((name for name, *_ in recorded.calls), recorded.draws, strict=True))
        for name in {name for name, *_ in recorded.calls}:  # bound here: a plain lookup a call

            def handed_out(*args, _name=name, **kwargs):
                called, draw = next(order)
                assert called == _name, f"the week asked for {_name}, recorded {called}"
                return draw

            setattr(self, name, handed_out)

    def __getattr__(self, name):
        return getattr(self.rng, name)


def drawn_again(calls: list, bit_generator: type) -> float:
    """CPU seconds for numpy's generator to make the same calls, one after another."""
    rng = np.random.Generator(bit_generator(1))
    cpu = time.process_time()
    for name, args, kwargs in calls:
        getattr(rng, name)(*args, **kwargs)
    return time.process_time() - cpu


def timed_kernels() -> dict[str, float]:
    """Puts a CPU timer around every compiled kernel the links call; the seconds, by kernel."""
    seconds = dict.fromkeys(KERNELS, 0.0)
    for name, kernel in KERNELS.items():

        def timed(*args, _kernel=kernel, _name=name, **kwargs):
            start = time.process_time()
            result = _kernel(*args, **kwargs)
            seconds[_name] += time.process_time() - start
            return result

        setattr(kernels, name, timed)
    return seconds


def stepped(model: ServiceProfitChain) -> tuple[float, float, pd.DataFrame]:
    """CPU and wall seconds for `WEEKS` weeks, and the records they made."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(WEEKS):
        model.step()
    return time.process_time() - cpu, time.perf_counter() - wall, pd.DataFrame(model.records)


def spread(values: list[float], scale: float) -> dict[str, float]:
    """The median, lowest and highest of `values`, times `scale`."""
    return {
        "median": scale * statistics.median(values),
        "low": scale * min(values),
        "high": scale * max(values),
    }


def main() -> None:
    measured = conditions()
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    start = pickle.dumps(ServiceProfitChain(rng=replication_rng(1, 0)))
    recording = pickle.loads(start)
    recording.rng = Recorded(recording.rng)
    *_, expected = stepped(recording)
    recorded = recording.rng

    rounds, by_kernel = [], {name: [] for name in KERNELS}
    generator = {bit_generator.__name__: [] for bit_generator in BIT_GENERATORS}
    for _ in range(runs):
        week = {}
        for way in ("as it runs", "draws replayed", "kernels timed"):
            model = pickle.loads(start)
            if way == "draws replayed":
                model.rng = Replayed(model.rng, recorded)
            if way == "kernels timed":
                seconds = timed_kernels()
            cpu, wall, records = stepped(model)
            if way == "kernels timed":
                vars(kernels).update(KERNELS)
            assert records.equals(expected), f"{way}: not the same records"
            week[way] = cpu / WEEKS
        kernel_seconds = sum(seconds.values()) / WEEKS
        for name, total in seconds.items():
            by_kernel[name].append(total / WEEKS)
        draws = week["as it runs"] - week["draws replayed"]
        rounds.append(
            {
                "week": week["as it runs"],
                "draws": draws,
                "kernels": kernel_seconds,
                "between": week["as it runs"] - draws - kernel_seconds,
                "draws and kernels": draws + kernel_seconds,
                "week, draws replayed": week["draws replayed"],
                "week, kernels timed": week["kernels timed"],
            }
        )
        for bit_generator in BIT_GENERATORS:
            generator[bit_generator.__name__].append(
                drawn_again(recorded.calls, bit_generator) / WEEKS
            )

    figures = measured | {
        "runs": runs,
        "weeks_per_run": WEEKS,
        "ms_per_week_cpu": {share: spread([r[share] for r in rounds], 1e3) for share in rounds[0]},
        "draws_and_kernels_run_s": spread([r["draws and kernels"] for r in rounds], WEEKS),
        "kernels_only_run_s": spread([r["kernels"] for r in rounds], WEEKS),
        "kernels_us": {
            name: 1e6 * statistics.median(s)
            for name, s in sorted(by_kernel.items(), key=lambda item: -statistics.median(item[1]))
            if any(s)
        },
        "same_draws_in_one_go_ms": {
            name: 1e3 * statistics.median(seconds) for name, seconds in generator.items()
        },
        "generator_calls_per_week": len(recorded.calls) / WEEKS,
        "draws_per_week": sum(np.size(d) for d in recorded.draws) / WEEKS,
    }
    ms = {share: m["median"] for share, m in figures["ms_per_week_cpu"].items()}
    print(
        f"a compiled week {ms['week']:.3f} ms of CPU (medians of {runs}): draws {ms['draws']:.3f}, "
        f"kernels {ms['kernels']:.3f}, between them {ms['between']:.3f} "
        f"({figures['draws_per_week']:,.0f} numbers drawn a week, "
        f"{figures['same_draws_in_one_go_ms']['PCG64']:.3f} ms in one go); draws and kernels "
        f"alone make a 156-week run {figures['draws_and_kernels_run_s']['median']:.3f} s"
    )
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "floor.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
