"""Fitted companies beside the shipped scenarios: saved only into the chosen folder, found by
name everywhere, and carried written out into a workshop when only a session has them."""

import pytest

from model import InputError, Scenario, load_scenario, scenario_names
from model.scenario import COMPANIES_ENV, save_company
from model.workshop.rules import Settings
from model.workshop.store import WorkshopStore

COMPANY = Scenario("Tiny Ltd").with_parameters({"n_units": 3, "staff_per_unit": 6})


@pytest.fixture
def folder(tmp_path, monkeypatch):
    chosen = tmp_path / "companies"
    chosen.mkdir()
    monkeypatch.setenv(COMPANIES_ENV, str(chosen))
    return chosen


def test_a_saved_company_is_found_by_name_beside_the_shipped_scenarios(folder):
    assert save_company(COMPANY) == "tiny_ltd"
    assert [path.name for path in folder.iterdir()] == ["tiny_ltd.yaml"]
    assert scenario_names()[-1] == "tiny_ltd" and scenario_names()[0] == "baseline"
    assert load_scenario("tiny_ltd") == COMPANY


def test_a_company_file_never_takes_a_shipped_scenario_s_name(folder):
    with pytest.raises(InputError, match="^title: 'Baseline' names no new file"):
        save_company(Scenario("Baseline"))
    (folder / "silos.yaml").write_text(COMPANY.to_yaml())  # put there by hand
    assert scenario_names().count("silos") == 1
    assert load_scenario("silos").title == "Silos and the weakest link"


def test_without_a_chosen_folder_nothing_is_saved(monkeypatch, tmp_path):
    monkeypatch.delenv(COMPANIES_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=f"^{COMPANIES_ENV}: not set"):
        save_company(COMPANY)
    assert list(tmp_path.iterdir()) == []


def test_a_workshop_on_a_company_only_a_session_has_carries_it_through_the_store(tmp_path):
    settings = Settings(title="Our workshop", scenario="Tiny Ltd", company=COMPANY.to_dict())
    assert settings.checked().start().values()["n_units"] == 3
    store = WorkshopStore(tmp_path / "workshops.sqlite3")
    code, _ = store.create(settings, {})
    assert store.workshop(code).settings.start().parameters == settings.start().parameters
    broken = Settings(title="Ours", scenario="Tiny Ltd", company={"title": "x", "weeks": 0})
    with pytest.raises(InputError, match="^weeks: 0 is not usable"):
        broken.checked()
