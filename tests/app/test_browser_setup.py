"""A company's journey in chromium: its figures and unit rows uploaded as one workbook on the
set-up page, fitted unit by unit, and a what-if run on it in the simulator.

The company is tiny (3 units of 6) and each trial run has 2 replications, so the fit takes
seconds, not minutes.
"""

import re

import pytest
from browsing import screenshot_if_failed, slide, wait

from model.experiments.fit import check_company, workbook_of
from ui.remote import free_port, start_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIGURES = {"units": 3, "staff_per_unit": 6, "customers_per_unit": 120, "annual_turnover": 0.8}
UNITS = {"engaged_share": [0.3, 0.4, 0.5], "sales_per_unit": [300_000, 350_000, 400_000]}


@pytest.fixture(scope="module")
def server():
    port = free_port()
    process = start_server(port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def page(browser, server, request):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(180_000)  # the fit's trial runs
    page.goto(server)
    wait(page)
    yield page
    screenshot_if_failed(page, request)
    context.close()


def metric(page, label):
    box = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return box.locator("[data-testid=stMetricValue]").inner_text()


def test_figures_uploaded_fitted_and_a_what_if_run_on_the_company(page, tmp_path):
    figures = tmp_path / "tiny.xlsx"
    figures.write_bytes(workbook_of(check_company(FIGURES, UNITS)))
    page.get_by_role("link", name="Your company").click()
    wait(page)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(figures))
    wait(page)
    page.get_by_label("Name of the organisation").fill("Tiny Ltd")
    page.get_by_role("slider", name=re.compile("Replications per trial run")).press("Home")  # 2
    page.get_by_role("button", name="Fit the baseline").click()
    page.get_by_role("heading", name="Tiny Ltd: the fit, figure by figure").wait_for()
    wait(page)
    assert page.locator("[data-testid=stException]").count() == 0
    held = re.compile(r"unit by unit .*Employees engaged: \d of 3, Sales per unit a year: \d of 3")
    assert page.get_by_text(held).count() >= 1  # unit k of the company beside unit k of the model
    page.get_by_role("button", name="Use it in the simulator").click()
    # waits for the simulator itself: the fit's own heading also begins "Tiny Ltd", and on a
    # busy machine the switch can start after `wait` has given up looking for it
    page.get_by_role("heading", name="Tiny Ltd", exact=True).wait_for()
    wait(page)
    sidebar = page.locator("[data-testid=stSidebar]")
    assert sidebar.get_by_text(re.compile(r"Using: Tiny Ltd \(fitted here")).count() == 1
    before = metric(page, "Employee satisfaction")
    sidebar.locator("summary").filter(has_text="Programmes").click()
    slider = page.get_by_role("slider", name=re.compile("Engagement and recognition"))
    slide(page, slider, "ArrowRight", 15)
    assert page.get_by_text(re.compile("Changed: Engagement and recognition")).count() >= 1
    assert float(metric(page, "Employee satisfaction")) > float(before)
    assert page.locator("[data-testid=stException]").count() == 0
