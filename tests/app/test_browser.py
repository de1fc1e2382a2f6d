"""The app in a real browser: Debian's chromium driven by Playwright.

A Streamlit server is started on a free loopback port for the module. A failing
test leaves a screenshot in test-results/.
"""

import re
import time

import pandas as pd
import pytest
from browsing import playwright, screenshot_if_failed, slide, wait

from model import load_scenario
from ui.remote import free_port, start_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sweeps_dir(tmp_path_factory):
    """Where the server keeps the runs of sweeps started in the browser."""
    return tmp_path_factory.mktemp("sweeps")


@pytest.fixture(scope="module")
def server(sweeps_dir):
    port = free_port()
    process = start_server(port, SERVICE_PROFIT_SWEEPS=str(sweeps_dir))
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def page(browser, server, request):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server)
    wait(page)
    yield page
    screenshot_if_failed(page, request)
    context.close()


def open_group(page, group):
    """Open a group of levers in the sidebar."""
    page.locator("[data-testid=stSidebar] summary").filter(has_text=group).click()


def metric(page, label):
    box = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    value = box.locator("[data-testid=stMetricValue]").inner_text()
    delta = box.locator("[data-testid=stMetricDelta]")
    return value, (delta.inner_text() if delta.count() else "")


def test_changing_a_lever_changes_the_kpis(page):
    before, delta = metric(page, "Employee satisfaction")
    assert not delta
    open_group(page, "Programmes")
    slider = page.get_by_role("slider", name=re.compile("Engagement and recognition"))
    slide(page, slider, "ArrowRight", 15)  # 15 steps of 50 a year per employee
    after, delta = metric(page, "Employee satisfaction")
    assert delta.strip().startswith("+") or "↑" in delta or float(after) > float(before)
    assert float(after) > float(before)
    shown = "Engagement and recognition programme 750 (currency/employee/year)"
    assert page.get_by_text(shown).count() >= 1  # in "Changed:" and on the timeline


def test_the_first_replications_show_at_once_and_judge_nothing_until_all_are_in(page):
    replications = page.get_by_role("spinbutton", name="Replications")
    replications.fill("10")
    replications.press("Enter")
    wait(page)
    open_group(page, "Programmes")
    slider = page.get_by_role("slider", name=re.compile("Engagement and recognition"))
    slider.press("End")  # 3,000 a year per employee at once: one new run of 10 replications
    page.wait_for_function(  # the first replications drawn, the rest still running
        "() => document.body.innerText.includes('replications so far')"
        " && !document.querySelector('[data-stale=true]')"
    )
    kpis = page.locator("[data-testid=stMain] [data-testid=stMetricDelta]")
    assert kpis.count() == 0  # two replications cannot tell a change from the noise
    told = page.get_by_text(re.compile("in the replications so far, employee satisfaction moved"))
    assert told.count() == 1 and "judged once all replications are in" in told.inner_text()
    assert page.get_by_text("pale grey steps are not yet judged").count() == 1  # the bridge
    wait(page)
    assert page.get_by_text("10 replication(s)").count() >= 1
    assert kpis.count() >= 1  # employee satisfaction's rise, once all ten are in
    assert page.get_by_text(re.compile("Engagement.* raised employee satisfaction")).count() == 1
    assert page.get_by_text("pale grey steps are within the spread").count() == 1


def upload(page, path):
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))
    wait(page)


def test_uploading_a_scenario_file_and_a_bad_one(page, tmp_path):
    good = tmp_path / "silos.yaml"
    good.write_text(load_scenario("silos").to_yaml())
    upload(page, good)
    assert page.get_by_role("heading", name="Silos and the weakest link").count() == 1
    bad = tmp_path / "broken.yaml"
    bad.write_text("title: x\nparameters:\n  leader_care: 900\n")
    upload(page, bad)
    error = page.locator("[data-testid=stAlertContentError]").inner_text()
    assert "leader_care" in error and "0 to 100" in error
    assert page.get_by_role("heading", name="Silos and the weakest link").count() == 1


def test_downloaded_settings_load_back_to_the_same_run(page, tmp_path):
    open_group(page, "Hiring, staffing and pay")
    slider = page.get_by_role("slider", name=re.compile("Wage level"))
    slider.focus()
    for _ in range(10):
        slider.press("ArrowRight")
        wait(page)  # each step's rerun before the next, so no key is lost
    shown = metric(page, "Cumulative profit")[0]
    with page.expect_download() as download:
        page.get_by_role("button", name="Download these settings (YAML)").click()
    saved = tmp_path / "settings.yaml"
    download.value.save_as(saved)
    assert "wage_level: 1.1" in saved.read_text()
    fresh = page.context.new_page()
    fresh.goto(page.url.split("?")[0])
    wait(fresh)
    upload(fresh, saved)
    assert metric(fresh, "Cumulative profit")[0] == shown


def test_switching_pages(page):
    for name, heading in [
        ("Compare scenarios", "Compare scenarios"),
        ("Organisation", "The organisation"),
        ("About the model", "About the model"),
        ("Experiments", "Experiments"),
        ("Simulator", "Baseline retail chain"),
    ]:
        page.get_by_role("link", name=name).click()
        page.get_by_role("heading", name=heading).first.wait_for()  # the switch may start late
        wait(page)
    assert page.locator("[data-testid=stVegaLiteChart]").count() >= 5


def click_in_toolbar(chart, name: str, attempts: int = 6) -> None:
    """Click a button of a chart's toolbar, which shows only while the pointer is on the chart.

    On a busy machine the toolbar can fade out between the hover and the click
    (the chart's own drawing then takes the click), so hover again and retry.
    """
    for attempt in range(attempts):
        chart.hover()
        try:
            chart.get_by_role("button", name=name).click(timeout=5_000)
            return
        except playwright.TimeoutError:
            if attempt == attempts - 1:
                raise


def test_a_chart_downloads_as_png(page, tmp_path):
    charts = page.locator("[data-testid=stElementContainer]").filter(
        has=page.locator("[data-testid=stVegaLiteChart]")
    )
    chart = charts.nth(1)
    chart.scroll_into_view_if_needed()
    with page.expect_download() as download:
        click_in_toolbar(chart, "Download as PNG")
    saved = tmp_path / "chart.png"
    download.value.save_as(saved)
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_run_data_downloads_with_both_sides_in_both_formats_clicked_at_once(page, tmp_path):
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.get_by_role("button", name="Download data (CSV)").click()
    page.get_by_role("button", name="Download data (Parquet)").click()  # without a pause
    deadline = time.monotonic() + 30
    while len(downloads) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    files = {
        download.suggested_filename: tmp_path / download.suggested_filename
        for download in downloads
    }
    for download in downloads:
        download.save_as(files[download.suggested_filename])
    assert set(files) == {"run.csv", "run.parquet"}
    table = pd.read_csv(files["run.csv"])
    assert set(table.run) == {"scenario", "baseline"}
    assert len(table) == 2 * table.rep.nunique() * 156
    pd.testing.assert_frame_equal(pd.read_parquet(files["run.parquet"]), table, check_dtype=False)


def test_a_sweep_stops_on_request_keeping_its_finished_runs(page, sweeps_dir):
    page.get_by_role("link", name="Experiments").click()
    wait(page)
    page.get_by_role("button", name="Run").click()
    runs = lambda: list(sweeps_dir.glob("*/runs/point*.parquet"))  # noqa: E731
    deadline = time.monotonic() + 120
    while len(runs()) < 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert page.get_by_text(re.compile(r"of 200 runs · about .* left")).count() == 1
    page.get_by_role("button", name="Stop").click()
    warning = page.locator("[data-testid=stAlertContentWarning]")
    warning.wait_for()
    kept = int(re.search(r"Stopped: (\d+) of 200 runs are kept", warning.inner_text())[1])
    time.sleep(3)  # runs under way as it stopped may still land; then nothing more
    settled = len(runs())
    time.sleep(3)
    assert 4 <= kept <= settled == len(runs()) < 200
    assert page.get_by_role("button", name="Resume").is_enabled()
    assert page.locator("[data-testid=stException]").count() == 0
    tornado = page.locator("[data-testid=stVegaLiteChart]")
    tornado.first.wait_for()
    assert page.get_by_text(re.compile(r"From the \d+ runs finished so far")).count() == 1
    page.get_by_role("button", name="Resume").click()
    deadline = time.monotonic() + 120
    while len(runs()) < settled + 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    page.get_by_role("button", name="Stop").click()
    page.locator("[data-testid=stAlertContentWarning]").wait_for()
    wait(page)
    assert settled + 2 <= len(runs()) < 200  # it went on from where it stopped
    assert page.locator("[data-testid=stException]").count() == 0


def test_stop_with_nothing_running_says_nothing_is_kept(page):
    page.get_by_role("link", name="Experiments").click()
    wait(page)
    assert page.get_by_role("button", name="Stop").is_disabled()
    assert page.get_by_text("Stopped:").count() == 0


def week_shown(page):
    text = page.get_by_text(re.compile(r"Week \d+ of 156")).first.inner_text()
    return int(re.search(r"Week (\d+) of 156", text)[1])


def no_exception(page):
    return page.locator("[data-testid=stException]").count() == 0


def test_a_trainer_steps_plays_pauses_moves_a_lever_restarts_and_plays_to_the_end(page):
    page.get_by_role("button", name="Week 1").click()
    wait(page)
    assert week_shown(page) == 1
    page.get_by_role("button", name="+1 week").click()
    wait(page)
    assert week_shown(page) == 2
    page.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Pause").wait_for()
    deadline = time.monotonic() + 60
    while week_shown(page) < 14 and time.monotonic() < deadline:
        assert no_exception(page)
        assert page.get_by_role("button", name="Play").count() == 0  # only Pause, nothing stale
        time.sleep(0.3)
    page.get_by_role("button", name="Pause").click()
    wait(page)
    paused = week_shown(page)
    assert 14 <= paused < 156 and no_exception(page)
    time.sleep(2)
    assert week_shown(page) == paused  # paused means paused
    slider = page.get_by_role("slider", name=re.compile("Recognition"))  # its group is open
    slide(page, slider, "ArrowRight", 4)
    assert week_shown(page) == paused and no_exception(page)
    assert page.get_by_text(re.compile(rf"· changes act from week {paused + 1}$")).count() == 1
    assert page.get_by_text(f"Nothing differs from the baseline by week {paused}:").count() == 1
    page.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Pause").wait_for()
    deadline = time.monotonic() + 60
    while week_shown(page) < paused + 8 and time.monotonic() < deadline:
        time.sleep(0.2)
    page.get_by_role("button", name="Week 1").click()  # while playing: it plays on from week 1
    deadline = time.monotonic() + 10
    while week_shown(page) >= paused and time.monotonic() < deadline:
        time.sleep(0.2)
    assert week_shown(page) < paused and no_exception(page)
    page.get_by_text("Week 156 of 156").wait_for(timeout=180_000)
    wait(page)
    assert no_exception(page)
    timeline = page.locator("[data-testid=stTable]").last  # the week the change acts from
    assert timeline.get_by_text(str(paused + 1), exact=True).count() == 1
    assert page.get_by_role("button", name="Play").count() == 1


def amount(text):
    """An amount as the app writes it ("-47.88M", "+102.1k", "0") as a number."""
    number = float(text.rstrip("Mk").replace(",", ""))
    return number * {"M": 1e6, "k": 1e3}.get(text[-1], 1)


def bridge_steps(page):
    """The profit bridge's bars as the chart describes them: {step: (amount, kind)}."""
    chart = page.locator("[data-testid=stVegaLiteChart]").filter(
        has=page.locator("[aria-label*='Step: Baseline profit']")
    )
    chart.scroll_into_view_if_needed()
    steps = {}
    for bar in chart.locator("[aria-roledescription=bar]").all():
        fields = dict(
            part.split(": ", 1)
            for part in bar.get_attribute("aria-label").split("; ")
            if ": " in part
        )
        steps[fields["Step"]] = (amount(fields["Profit"]), fields["kind"])
    return steps


def move(page, lever, steps):
    """Press a lever's slider `steps` times to the right; the value it shows then."""
    slider = page.get_by_role("slider", name=re.compile(f"^{lever} "))
    slide(page, slider, "ArrowRight", steps)
    return int(float(slider.input_value()))


def test_an_executive_moves_two_levers_and_reads_why_profit_moved(page):
    assert page.get_by_text("Nothing differs from the baseline yet").count() == 1
    recognition = move(page, "Recognition", 20)  # from 45
    open_group(page, "Policy and structure")
    friction = move(page, "Customer-facing policy friction", 40)  # from 40
    assert (recognition, friction) == (65, 80)  # no key lost to a redraw under way
    assert no_exception(page)
    changed = page.locator("[data-testid=stSidebar] [data-testid=stAlertContentInfo]").inner_text()
    assert f"Recognition {recognition} (0-100)" in changed  # labels and units, not names
    assert f"Customer-facing policy friction {friction} (0-100)" in changed
    sentence = page.get_by_text(re.compile(r"^Recognition and customer-facing policy friction"))
    assert re.search(r"by week 156, (clear of|within) the noise\.$", sentence.inner_text())
    assert page.get_by_text("The business case, weeks 1 to 156").count() == 1

    steps = bridge_steps(page)
    assert list(steps) == [
        "Baseline profit",
        "Customers won and lost",
        "Visits per customer",
        "Spend per visit",
        "Cost of goods",
        "Wages and overtime",
        "Training",
        "Programmes",
        "Turnover costs",
        "Winning customers",
        "Other costs",
        "Scenario profit",
    ]  # every step named as a reader names it
    between = {k: v for k, v in steps.items() if not k.endswith(" profit")}
    difference = steps["Scenario profit"][0] - steps["Baseline profit"][0]
    assert abs(sum(a for a, _ in between.values()) - difference) < 0.02 * abs(difference)
    assert difference < 0  # the friction cost more than recognition gave
    lost = steps["Customers won and lost"]
    assert lost[1] == "worse" and lost[0] == min(a for a, _ in between.values())  # why: customers
    assert steps["Cost of goods"][1] == "better"  # less sold, less bought
    assert steps["Programmes"] == (0.0, "noise")  # nothing moved there, drawn neutral
    kpi = metric(page, "Cumulative profit difference")[0]
    assert abs(amount(kpi) - difference) < 0.02 * abs(difference)


def test_a_comparison_of_organisations_of_different_size_is_per_employee(page):
    page.get_by_role("link", name="Compare scenarios").click()
    wait(page)
    assert page.locator("[data-testid=stSidebar] [data-testid=stSlider]").count() == 0
    chooser = page.locator("[data-testid=stMultiSelect]").first
    chooser.get_by_role("button", name=re.compile("Start at the top")).click()
    wait(page)
    chooser.locator("input").fill("Short-term")
    chooser.locator("input").press("Enter")
    chooser.locator("input").press("Escape")
    wait(page)
    assert no_exception(page)
    note = page.locator("[data-testid=stAlertContentInfo]").first.inner_text()
    assert "48 units" in note and "per employee" in note
    assert page.get_by_text(re.compile(r"Cumulative profit \(currency per employee\)")).count() >= 1
    outcomes = page.locator("[data-testid=stDataFrame]").first
    assert outcomes.bounding_box()["height"] >= 13 * 35  # its 12 rows and header, no inner scroll
    page.get_by_text("Each against its own baseline").wait_for()
    wait(page)
    assert no_exception(page)


def test_the_app_fetches_nothing_from_the_network(browser, server):
    """Every page's files, fonts and the tab's icon included, come from the app's own server."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(60_000)
    elsewhere = []
    page.on(
        "request",
        lambda r: (
            elsewhere.append(r.url) if r.url.startswith("http") and server not in r.url else 0
        ),
    )
    page.goto(server)
    wait(page)
    for name in ("Compare scenarios", "Organisation", "Experiments", "Workshop", "About the model"):
        page.get_by_role("link", name=name).click()
        wait(page)
    context.close()
    assert elsewhere == []
