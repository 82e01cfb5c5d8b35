"""``ragem sikondang import``: the same check and load as an upload, from the shell."""
from __future__ import annotations

from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV

from ragem.testing import invoke_cli


def test_the_cli_imports_a_table_as_a_revision_and_can_publish_it(app, client, create_dataset, tmp_path):
    create_dataset()
    table = tmp_path / "internet.csv"
    table.write_text(INTERNET_CSV, encoding="utf-8")
    result = invoke_cli(app, ["sikondang", "import", "akses-internet", str(table), "--publish"])
    assert result.exit_code == 0, result.output
    assert "akses-internet: revision 1, 4 rows (4 added, 0 changed, 0 removed)" in result.output
    assert "akses-internet: published" in result.output
    public = client.get(f"{DATASETS}/akses-internet").get_json()
    assert public["state"] == "published" and public["row_count"] == 4


def test_the_cli_refuses_a_bad_table_and_lists_its_rows(app, client, create_dataset, tmp_path, officer):
    create_dataset()
    table = tmp_path / "rusak.csv"
    table.write_text("region_code,year,percent\n36.73,2019,abc\n36.99,2019,1\n", encoding="utf-8")
    result = invoke_cli(app, ["sikondang", "import", "akses-internet", str(table)])
    assert result.exit_code == 1
    assert "refused: 2 problems; nothing was imported" in result.output
    assert "row 2, percent: not a number: 'abc'" in result.output
    assert "row 3, region_code: unknown region code" in result.output
    assert client.get(f"{DATASETS}/akses-internet", headers=officer).get_json()["revision_count"] == 0
    missing = invoke_cli(app, ["sikondang", "import", "tidak-ada", str(table)])
    assert missing.exit_code != 0 and "no dataset 'tidak-ada'" in missing.output
