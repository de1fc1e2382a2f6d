"""The set-up page, headless: figures typed in or uploaded, refused in one line, fitted, used
everywhere, and kept private: nothing written but where the user chose, only aggregates kept."""

import os
import sys

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from model.paths import PROJECT
from model.scenario import COMPANIES_ENV
from ui import workshops
from ui.state import FITTED_HERE

TINY = {"units": 3, "staff_per_unit": 6, "customers_per_unit": 120}
FIGURES_CSV = b"figure,value\nstaff_per_unit,6\ncustomers_per_unit,120\nannual_turnover,0.8\n"
UNITS_CSV = (
    b"unit,engaged_share,sales_per_unit\n"
    b"Jane Smith's branch,0.3,300000\nHigh Street,0.4,350000\nStation Road,0.5,400000\n"
)
UPLOADS = [("ours.csv", FIGURES_CSV, "text/csv"), ("units.csv", UNITS_CSV, "text/csv")]


@pytest.fixture
def page():
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=600)
    at.run()
    return at.switch_page("ui/pages/setup.py").run()


def fitted(page, uploads=UPLOADS):
    """Upload the tiny company's files and fit it with 2 replications a trial."""
    page.file_uploader[0].set_value(uploads)
    page.text_input[0].set_value("Tiny Ltd")
    page.select_slider[0].set_value(2)
    return page.button[0].click().run()  # the form's submit button


def button(page, label):
    return next(b for b in page.button if b.label == label)


class Writes:
    """Files opened for writing, renamed or removed, and connections made, while `watching`."""

    def __init__(self):
        self.watching, self.paths, self.connections = False, [], []
        sys.addaudithook(self.hear)  # for the rest of the process: it only listens while asked

    def hear(self, event, args):
        if not self.watching:
            return
        if event == "open" and isinstance(args[0], str) and _writes(args[1], args[2]):
            self.paths.append(os.path.realpath(args[0]))  # (an int is a file opened already)
        elif event in ("os.rename", "os.replace", "os.remove", "shutil.move"):
            self.paths.append(os.path.realpath(args[0]))
        elif event == "socket.connect":
            self.connections.append(args[1])


def _writes(mode, flags) -> bool:
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))


@pytest.fixture(scope="module")
def writes():
    return Writes()


def test_a_figure_the_model_cannot_represent_is_refused_and_nothing_is_fitted(page):
    page.number_input(key="figure_annual_turnover").set_value(4.0)
    page.button[0].click().run()  # the form's submit button
    assert not page.exception
    assert [e.value for e in page.error] == [
        "annual_turnover: 4.0 is beyond what the model represents; allowed: 0.2 to 1.5 "
        "share of staff/year"
    ]
    assert "fitted" not in page.session_state


def test_a_file_that_cannot_be_used_is_refused_in_one_line_and_the_typed_figures_kept(page):
    page.number_input(key="figure_annual_turnover").set_value(0.8)
    bad = [("ours.xlsx", b"PK\x03\x04 broken", "application/vnd.ms-excel")]
    fitted(page, bad)
    assert not page.exception
    assert [e.value for e in page.error] == [
        "ours.xlsx: not a readable Excel workbook; allowed: an .xlsx file"
    ]
    assert "fitted" not in page.session_state
    assert page.number_input(key="figure_annual_turnover").value == 0.8


@pytest.mark.slow
def test_a_fitted_company_is_offered_in_every_picker_and_used_in_the_simulator(
    page, tmp_path, monkeypatch
):
    monkeypatch.setenv(workshops.STORE_ENV, str(tmp_path / "workshops.sqlite3"))
    fitted(page)
    assert not page.exception and not page.error
    result = page.session_state["fitted"]
    assert result.scenario.values()["n_units"] == 3  # one unit a row
    assert list(page.dataframe[0].value["Figure"]) == [
        "Front-line turnover a year",
        "Employees engaged",
        "Sales per unit a year",
    ]
    units = page.dataframe[2].value  # unit k of the company beside unit k of the model
    assert list(units["Unit"]) == [0, 1, 2] * 2
    assert list(units["Yours"][:3]) == [0.3, 0.4, 0.5]
    assert list(result.scenario.units) == ["market", "habit_offset"]
    warned = " ".join(warning.value for warning in page.warning)
    for figure, within in zip(result.report.figure, result.report.within, strict=True):
        assert (figure in warned) != within  # every figure missed is named, and only those
    name, shown = FITTED_HERE + "Tiny Ltd", "Tiny Ltd (fitted here)"
    page.switch_page("ui/pages/compare.py").run()
    assert shown in page.multiselect[0].options
    page.switch_page("ui/pages/experiments.py").run()
    page.segmented_control(key="x_source").set_value("Build one here").run()
    assert shown in page.selectbox(key="x_scenario").options
    page.selectbox(key="x_scenario").set_value(name).run()  # a sweep of it
    assert not page.exception and not page.error
    assert any("Tiny Ltd" in heading.value for heading in page.subheader)
    page.switch_page("ui/pages/facilitator.py").run()
    assert shown in page.selectbox[0].options
    page.selectbox[0].set_value(name)
    page.get("form_submit_button")[0].click().run()  # a workshop on it
    assert not page.exception and not page.error and page.query_params["code"]
    page.switch_page("ui/pages/simulator.py").run()
    page.selectbox(key="preset").set_value(name).run()
    assert not page.exception
    assert page.title[0].value == "Tiny Ltd"


@pytest.mark.slow
def test_uploaded_figures_are_fitted_without_a_file_written_or_a_connection_made(page, writes):
    writes.watching = True
    try:
        fitted(page)
    finally:
        writes.watching = False
    assert not page.exception and not page.error and "fitted" in page.session_state
    assert writes.paths == [] and writes.connections == []
    assert button(page, "Save on this server").disabled  # no folder is chosen here


@pytest.mark.slow
def test_a_saved_company_is_written_only_into_the_chosen_folder_with_aggregates_only(
    page, writes, tmp_path, monkeypatch
):
    folder = tmp_path / "companies"
    folder.mkdir()
    monkeypatch.setenv(COMPANIES_ENV, str(folder))
    fitted(page)
    writes.watching = True
    try:
        button(page, "Save on this server").click().run()
    finally:
        writes.watching = False
    assert not page.exception and not page.error
    saved = folder / "tiny_ltd.yaml"
    assert {os.path.dirname(path) for path in writes.paths} == {str(folder.resolve())}
    assert list(folder.iterdir()) == [saved]
    text = saved.read_text()
    assert "Jane" not in text and "High Street" not in text  # the units' names are not kept
    provenance = yaml.safe_load(text)["provenance"]
    assert all(isinstance(v, float) for v in provenance["figures"].values())
    assert provenance["unit_figures"] == {
        "engaged_share": [0.3, 0.4, 0.5],
        "sales_per_unit": [300000.0, 350000.0, 400000.0],
    }
    page.switch_page("ui/pages/compare.py").run()  # saved: offered to every session by name
    assert "Tiny Ltd" in page.multiselect[0].options
