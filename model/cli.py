"""The command line: run scenarios and sweeps, list scenarios and parameters.

Every input problem is reported as one line naming the field, the value and
what is allowed, with exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml
from tqdm import tqdm

from model.engine.observe import MEASURES
from model.engine.parameters import GROUPS, PARAMETERS, InputError
from model.experiments import designs, sensitivity, sweeps
from model.experiments.bundles import replay, write_bundle
from model.experiments.fit import Company, fit, read_company, workbook_of
from model.experiments.sensitivity import main_effects, where_it_pays
from model.io import atomic_file, write_table
from model.scenario import load_scenario, scenario_names
from model.simulate import LEVELS, VERSION, provenance, simulate, workers

SUMMARY = (
    "employee_satisfaction",
    "turnover_rate",
    "customer_satisfaction",
    "customer_retention",
    "profit",
    "cumulative_profit",
)


class OneLineParser(argparse.ArgumentParser):
    """Argument errors as one line and exit status 2, like every other input error."""

    def error(self, message: str) -> None:
        """Print the problem in one line and exit with status 2."""
        self.exit(2, f"error: {message}; see `{self.prog} --help`\n")


def parse_setting(text: str) -> tuple[str, object]:
    """`NAME=VALUE` from `--set`, the value read as a YAML scalar (a number)."""
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise InputError(f"--set: {text!r} is not NAME=VALUE; allowed: e.g. --set leader_care=70")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    return name.strip(), value


def build_parser() -> argparse.ArgumentParser:
    """The parser, with one sub-command per task."""
    parser = OneLineParser(prog="python -m model", description="Simulate the service-profit chain.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    run = commands.add_parser("run", help="run a scenario and write or print its results")
    run.add_argument("scenario", help="a scenario file, or the name of a shipped scenario")
    run.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    run.add_argument("--steps", type=int, default=None, help="weeks (default: the scenario's)")
    run.add_argument("--reps", type=int, default=1, help="replications (default 1)")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a parameter from week 1 (may repeat)",
    )
    run.add_argument(
        "--level",
        choices=LEVELS,
        default="org",
        help="org: a row per week; unit: a row per unit per week",
    )
    run.add_argument("--out", help="write FILE.parquet or FILE.csv (with provenance)")
    run.add_argument(
        "--bundle", help="write FILE.zip: scenario, seeds, versions, data and how to re-run it"
    )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes running replications in parallel (same numbers)",
    )

    sweep = commands.add_parser(
        "sweep", help="run a design (factorial, lhs, sobol, morris); resumes when run again"
    )
    sweep.add_argument("design", help="a design file (YAML)")
    sweep.add_argument("--out", required=True, help="the sweep's folder (created)")
    sweep.add_argument("--workers", type=int, default=None, help="local processes (default: all)")
    sweep.add_argument(
        "--scheduler", help="address of a Dask scheduler (e.g. tcp://10.0.0.5:8786) to run on"
    )

    sensitivity = commands.add_parser(
        "sensitivity",
        help="main effects, Sobol or Morris indices, and where an intervention pays back",
    )
    sensitivity.add_argument("out", help="the sweep's folder")
    sensitivity.add_argument(
        "--outcome", default="cumulative_profit", choices=list(designs.OUTCOMES)
    )

    replay = commands.add_parser("replay", help="re-run a bundle and compare its numbers")
    replay.add_argument("bundle", help="a bundle written by `run ... --bundle FILE.zip`")

    fitting = commands.add_parser(
        "fit", help="set the baseline from a company's figures and write it as a scenario"
    )
    fitting.add_argument(
        "figures",
        nargs="+",
        help="an Excel workbook, YAML (figure: value) or CSV (figure,value) file; "
        "optionally another with unit rows (a CSV whose header starts unit,)",
    )
    fitting.add_argument("--out", required=True, help="the scenario file to write (.yaml)")
    fitting.add_argument("--title", default="Our company", help="the fitted scenario's title")
    fitting.add_argument("--seed", type=int, default=0, help="seed of every trial run")
    fitting.add_argument("--reps", type=int, default=4, help="replications of every trial run")
    fitting.add_argument(
        "--workbook",
        help="also write the figures read as one Excel workbook (.xlsx), unit rows in its "
        "sheet units, unit names left out",
    )

    commands.add_parser("scenarios", help="list the shipped scenarios")
    params = commands.add_parser("params", help="list every parameter")
    params.add_argument("--markdown", action="store_true", help="as a Markdown table")
    return parser


def run_command(args: argparse.Namespace) -> int:
    """`run`: simulate and write the table, or print a summary of the last week."""
    scenario = load_scenario(args.scenario)
    for setting in args.set:
        name, value = parse_setting(setting)
        scenario = scenario.with_parameters({name: value}, where="--set ")
    if args.workers < 1:
        raise InputError(f"--workers: {args.workers} is not usable; allowed: 1 or more")
    with workers(args.workers) if args.workers > 1 else contextlib.nullcontext() as pool:
        table = simulate(
            scenario,
            steps=args.steps,
            seed=args.seed,
            level=args.level,
            reps=args.reps,
            executor=pool,
        )
    steps = int(table["step"].max())
    meta = provenance(scenario, steps, args.seed, args.reps, args.level)
    if args.out:
        print(f"wrote {write_table(table, args.out, meta)} ({len(table)} rows)")
    if args.bundle:
        path = write_bundle(args.bundle, scenario, table, meta)
        print(f"wrote {path}; re-run it with: python -m model replay {path}")
    if args.out or args.bundle:
        return 0
    last = table[table["step"] == steps]
    print(f"{scenario.title}: week {steps}, mean of {args.reps} replication(s)")
    for measure in SUMMARY:
        print(f"  {measure:<24} {last[measure].mean():>14,.3f}   {MEASURES[measure].meaning}")
    return 0


@contextlib.contextmanager
def _executor(processes: int | None, scheduler: str | None):
    """Local worker processes, or a Dask cluster's executor when a scheduler is named."""
    if processes is not None and processes < 1:
        raise InputError(f"--workers: {processes} is not usable; allowed: 1 or more")
    if scheduler is None:
        with workers(processes) as pool:
            yield pool, processes or os.cpu_count()
        return
    from dask.distributed import Client

    try:
        client = Client(scheduler, timeout=10)
    except (OSError, TimeoutError) as error:
        raise InputError(
            f"--scheduler: {scheduler!r} cannot be reached ({error}); allowed: the address "
            "of a running Dask scheduler"
        ) from None
    with client:
        _check_cluster(client, scheduler)
        yield client.get_executor(), sum(client.nthreads().values())


def _check_cluster(client, scheduler: str) -> None:
    """Refuse, in one line, a cluster that cannot run this version of the model.

    The scheduler unpickles the task graph and the workers run it, so each
    needs the model installed, at the version here. Without this check a
    worker that cannot import it dies on its first task and the sweep waits
    for ever; a scheduler that cannot fails with a traceback.

    Args:
        client: A Dask client connected to the cluster.
        scheduler: The scheduler's address, as the user gave it.

    Raises:
        InputError: The scheduler or a worker cannot import the model, or has another version.
    """

    def model_version() -> str:  # a local function is sent by value: loading it needs no model
        import model

        return model.__version__

    try:
        found = {"the scheduler": client.run_on_scheduler(model_version)}
    except ImportError as error:
        found = {"the scheduler": error}
    found |= {
        f"worker {address}": answer
        for address, answer in client.run(model_version, on_error="return").items()
    }
    allowed = "allowed: a scheduler and workers with this project installed (pip install -e .)"
    for where, answer in found.items():
        if isinstance(answer, ImportError):
            raise InputError(
                f"--scheduler: the cluster at {scheduler!r} cannot import the model "
                f"({where}: {answer}); {allowed}"
            )
        if isinstance(answer, BaseException):
            raise answer
        if answer != VERSION:
            raise InputError(
                f"--scheduler: the cluster at {scheduler!r} runs model {answer} ({where}), "
                f"not {VERSION} as here; {allowed} at version {VERSION}"
            )


def sweep_command(args: argparse.Namespace) -> int:
    """`sweep`: run a design's pending runs with a progress bar; resumable."""
    design = designs.load_design(args.design)
    sweeps.prepare(design, Path(args.out))  # an unusable folder is said before anything runs
    todo = len(sweeps.pending(design, Path(args.out)))
    print(
        f"{design.title}: {design.runs():,} runs ({design.runs() // design.reps:,} points x "
        f"{design.reps} replications), {design.runs() - todo:,} already done"
    )
    if not todo:
        return 0
    per_run = sweeps.seconds_per_run(design)
    with _executor(args.workers, args.scheduler) as (executor, slots):
        print(
            f"about {sweeps.duration(per_run * todo / max(slots, 1))} on {slots} "
            f"worker(s) (about {per_run:.2f} s a run, from a short trial); Ctrl-C stops, "
            "keeping what has finished"
        )
        with tqdm(total=design.runs(), unit="run") as bar:

            def progress(finished: int, total: int) -> None:
                bar.update(finished - bar.n)

            try:
                sweeps.sweep(design, args.out, executor, in_flight=2 * slots, on_progress=progress)
            except KeyboardInterrupt:
                print(f"\nstopped; run the same command to resume ({args.out})")
                return 130
    print(f"finished: {args.out}")
    return 0


def _readable(value: float) -> str:
    """A number as a person reads it: whole currency amounts, else four figures."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def sensitivity_command(args: argparse.Namespace) -> int:
    """`sensitivity`: main effects, indices (Sobol, Morris) and where an intervention pays."""
    design, runs = sensitivity.finished(args.out)
    outcome = sensitivity.check_outcome(design, args.outcome)
    print(f"{outcome}: {designs.OUTCOMES[outcome]}")
    print("\nfrom the bottom to the top quarter of each range (mean over runs):")
    print(main_effects(runs, design.ranges, outcome).to_string(index=False, float_format=_readable))
    if design.method in ("sobol", "morris"):
        print(f"\n{design.method} indices:")
        table = sensitivity.indices(design, runs, outcome)
        print(table.to_string(index=False, float_format=_readable))
    if design.intervention:
        print(f"\n{where_it_pays(runs, list(design.ranges), design.weeks)['statement']}")
    return 0


def replay_command(args: argparse.Namespace) -> int:
    """`replay`: re-run a bundle; exit status 1 when the numbers differ."""
    table, same = replay(args.bundle)
    if same:
        print(f"replayed {args.bundle}: {len(table)} rows, identical to the bundled data")
        return 0
    print(
        f"replayed {args.bundle}: the numbers differ from the bundled data (model version "
        f"now {VERSION})",
        file=sys.stderr,
    )
    return 1


def fit_command(args: argparse.Namespace) -> int:
    """`fit`: the baseline fitted to a company's figures, written as a scenario file."""
    company = Company({})
    for name in args.figures:
        try:
            data = Path(name).read_bytes()
        except OSError as error:
            raise InputError(f"figures: {name!r} cannot be read ({error.strerror})") from None
        company = company.combined(read_company(data, name))
    result = fit(company, args.title, args.seed, args.reps)
    with atomic_file(Path(args.out), "--out") as file:
        file.write(result.scenario.to_yaml().encode())
    if args.workbook:
        with atomic_file(Path(args.workbook), "--workbook") as file:
            file.write(workbook_of(company))
    for row in result.report.itertuples():
        verdict = "within" if row.within else "OUTSIDE"
        print(
            f"  {row.figure:<36} target {row.target:8.3f}  model {row.model:8.3f} "
            f"(noise {row.noise:.3f})  tolerance {row.tolerance:.3f}  {verdict}"
        )
    for row in result.fitted.itertuples():
        print(f"  {row.parameter:<36} {row.value:>10g}  {row.identified} identified")
    for figure, units in result.units.groupby("figure", sort=False):
        how = f"fitted by each unit's {units.fitted_by.iloc[0]}" if units.fitted_by.iloc[0] else ""
        print(
            f"  units: {figure:<29} {units.within.sum()} of {len(units)} within their "
            f"tolerance, largest miss {(units.model - units.yours).abs().max():.3g}  {how}"
        )
    print(f"wrote {args.out}" + (f" and {args.workbook}" if args.workbook else ""))
    return 0


def scenarios_command() -> int:
    """`scenarios`: each shipped scenario's name and title."""
    for name in scenario_names():
        print(f"{name:<24} {load_scenario(name).title}")
    return 0


def params_command(markdown: bool) -> int:
    """`params`: every parameter, grouped, with default, range, unit and source."""
    if markdown:
        print("| name | label | unit | default | range | group | role | source |")
        print("|---|---|---|---|---|---|---|---|")
    for group in GROUPS:
        if not markdown:
            print(f"\n{group}")
        for p in (p for p in PARAMETERS if p.group == group):
            if markdown:
                print(
                    f"| `{p.name}` | {p.label} | {p.unit} | {p.default:g} | {p.low:g} to "
                    f"{p.high:g} | {p.group} | {p.role} | {p.source} |"
                )
            else:
                print(
                    f"  {p.name:<30} {p.default:>8g}  [{p.low:g}, {p.high:g}] {p.unit}  ({p.role})"
                )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return run_command(args)
        if args.command == "sweep":
            return sweep_command(args)
        if args.command == "sensitivity":
            return sensitivity_command(args)
        if args.command == "replay":
            return replay_command(args)
        if args.command == "fit":
            return fit_command(args)
        if args.command == "scenarios":
            return scenarios_command()
        return params_command(args.markdown)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
