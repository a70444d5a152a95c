"""``manage.py import_energy FILE.csv --site SITE``: refusals with row numbers, nothing written."""

import io

import pytest
from django.core.management import CommandError, call_command

from energy.models import Site, SupplyInterval

HEADER = "interval_start,interval_end,total_kw,solar_kw,wind_kw,hydro_kw,storage_clean_kw,coal_kw,quality\n"
GOOD = (
    "2025-07-01T10:00:00+08:00,2025-07-01T11:00:00+08:00,1000,500,130,370,0,0,measured\n"
    "2025-07-01T11:00:00+08:00,2025-07-01T12:00:00+08:00,1000,600,100,200,0,100,measured\n"
)


@pytest.fixture
def site(db):
    return Site.objects.create(slug="xining-dc1", name="Xining DC 1", static_profile="")


def run(tmp_path, body, site="xining-dc1", header=HEADER):
    path = tmp_path / "meter.csv"
    path.write_text(header + body)
    out = io.StringIO()
    call_command("import_energy", str(path), "--site", site, stdout=out)
    return out.getvalue()


def test_import_and_idempotent_reimport(site, tmp_path):
    assert "2 new" in run(tmp_path, GOOD)
    rows = list(SupplyInterval.objects.filter(site=site).values_list("clean_kw", "total_kw", "quality", "provider"))
    assert rows == [(1000, 1000, "measured", "csv:meter.csv"), (900, 1000, "measured", "csv:meter.csv")]
    assert "0 new, 0 updated, 2 unchanged" in run(tmp_path, GOOD)
    assert SupplyInterval.objects.filter(site=site).count() == 2


def test_kwh_columns_are_converted_to_kw(site, tmp_path):
    header = "interval_start,interval_end,total_kwh,solar_kwh,coal_kwh\n"
    run(tmp_path, "2025-07-01T10:00:00+08:00,2025-07-01T10:15:00+08:00,250,200,50\n", header=header)
    row = SupplyInterval.objects.get()
    assert (row.total_kw, row.clean_kw) == (1000, 800)


@pytest.mark.parametrize("bad_row, message", [
    ("2025-07-01T12:00:00+08:00,2025-07-01T13:00:00+08:00,1000,-5,0,1005,0,0,measured", "solar_kw is negative"),
    ("2025-07-01T12:00:00+08:00,2025-07-01T13:00:00+08:00,1000,900,100,100,0,0,measured", "sources sum to 1100"),
    ("2025-07-01T12:00:00,2025-07-01T13:00:00+08:00,1000,500,130,370,0,0,measured", "no time zone"),
    ("2025-07-01T11:30:00+08:00,2025-07-01T12:30:00+08:00,1000,500,130,370,0,0,measured", "overlaps row 3"),
    ("2025-07-01T13:00:00+08:00,2025-07-01T12:00:00+08:00,1000,500,130,370,0,0,measured", "after interval_start"),
    ("2025-07-01T12:00:00+08:00,2025-07-01T13:00:00+08:00,abc,500,130,370,0,0,measured", "not a number"),
    ("2025-07-01T12:00:00+08:00,2025-07-01T13:00:00+08:00,1000,500,130,370,0,0,guessed", "quality"),
])
def test_csv_import_validation(site, tmp_path, bad_row, message):
    with pytest.raises(CommandError) as err:
        run(tmp_path, GOOD + bad_row + "\n")
    assert "row 4" in str(err.value) and message in str(err.value)
    assert SupplyInterval.objects.count() == 0  # nothing written, not even the good rows


def test_clean_above_total_refused(site, tmp_path):
    header = "interval_start,interval_end,total_kw,clean_kw\n"
    with pytest.raises(CommandError, match="row 2: clean power 1200 kW is above total 1000"):
        run(tmp_path, "2025-07-01T10:00:00+08:00,2025-07-01T11:00:00+08:00,1000,1200\n", header=header)


def test_overlap_with_stored_data_refused(site, tmp_path):
    run(tmp_path, GOOD)
    shifted = "2025-07-01T10:30:00+08:00,2025-07-01T11:30:00+08:00,1000,500,130,370,0,0,measured\n"
    with pytest.raises(CommandError, match="row 2: .*overlaps stored data"):
        run(tmp_path, shifted)
    assert SupplyInterval.objects.count() == 2


def test_unknown_site_refused(db, tmp_path):
    with pytest.raises(CommandError, match="Unknown site 'nowhere'"):
        run(tmp_path, GOOD, site="nowhere")
    assert SupplyInterval.objects.count() == 0


def test_bad_header_and_empty_file(site, tmp_path):
    with pytest.raises(CommandError, match="header must name"):
        run(tmp_path, "", header="start,end\n")
    with pytest.raises(CommandError, match="no data rows"):
        run(tmp_path, "")
