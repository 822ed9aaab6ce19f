"""Article dates as a newsroom writes them: day/month order stated or warned about, no future dates."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from conftest import write_article

from bot.cli import cli
from index.build import build_index
from index.config import Settings
from index.errors import IngestError, NewsdeskError
from index.ingest import read_articles
from index.records import Article, IngestWarning
from index.search import Searcher

LIMIT = 10 * 1024 * 1024
BODY = "Dock workers returned to the port on Friday after a three-day strike."


def read(*paths, **options):
    return list(read_articles(paths, max_bytes=LIMIT, **options))


def text_file(tmp_path, front: str, name: str = "story.txt"):
    path = tmp_path / name
    path.write_text(f"---\ntitle: Port strike ends\n{front}---\n{BODY}\n", encoding="utf-8")
    return path


def split(items) -> tuple[list[Article], list[IngestWarning]]:
    assert not [i for i in items if isinstance(i, IngestError)], items
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, IngestWarning)]


def test_an_ambiguous_date_is_read_month_first_with_a_warning_naming_both_readings(tmp_path):
    path = text_file(tmp_path, "date: 06/07/2025\n")
    [article], [warning] = split(read(path))
    assert article.date == dt.date(2025, 6, 7)
    assert warning.path == str(path)
    assert "'06/07/2025'" in warning.reason
    assert "June 7, 2025 (month first, used)" in warning.reason
    assert "July 6, 2025 (day first)" in warning.reason
    assert "date_order: dmy" in warning.reason and "--date-order dmy" in warning.reason


def test_a_date_that_reads_one_way_only_gives_no_warning(tmp_path):
    [article], warnings = split(read(text_file(tmp_path, "date: 26/06/2025\n")))
    assert article.date == dt.date(2025, 6, 26) and warnings == []


def test_the_stated_order_reads_every_file_of_the_run_day_first(tmp_path):
    first = text_file(tmp_path, "date: 06/07/2025\n", "a.txt")
    second = text_file(tmp_path, "date: 26/06/2025\n", "b.txt")
    articles, warnings = split(read(first, second, date_order="dmy"))
    assert [a.date for a in articles] == [dt.date(2025, 7, 6), dt.date(2025, 6, 26)]
    assert warnings == []


def test_a_files_own_date_order_wins_over_the_runs(tmp_path):
    path = text_file(tmp_path, "date: 06/07/2025\ndate_order: mdy\n")
    [article], warnings = split(read(path, date_order="dmy"))
    assert article.date == dt.date(2025, 6, 7) and warnings == []


def test_a_json_record_states_its_date_order(tmp_path):
    path = tmp_path / "stories.jsonl"
    records = [
        {"title": "One", "text": BODY, "date": "06/07/2025", "date_order": "dmy"},
        {"title": "Two", "text": BODY + " Two.", "date": "06/07/2025"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    items = read(path)
    articles, [warning] = split(items)
    assert [a.date for a in articles] == [dt.date(2025, 7, 6), dt.date(2025, 6, 7)]
    assert warning.path == f"{path}:2"


def test_an_unknown_date_order_is_an_error_naming_the_field(tmp_path):
    [error] = read(text_file(tmp_path, "date: 06/07/2025\ndate_order: ymd\n"))
    assert isinstance(error, IngestError)
    assert "'date_order' must be dmy or mdy" in error.reason


@pytest.mark.parametrize("value", ["2099-01-01", "January 1, 2099"])
def test_a_date_in_the_future_is_refused_and_the_article_kept_undated(tmp_path, value):
    path = text_file(tmp_path, f"date: {value}\n")
    [article], [warning] = split(read(path))
    assert article.date is None
    assert warning.path == str(path)
    assert "2099-01-01" in warning.reason and "in the future" in warning.reason


def test_tomorrow_is_not_the_future(tmp_path):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    [article], warnings = split(read(text_file(tmp_path, f"date: {tomorrow.isoformat()}\n")))
    assert article.date == tomorrow and warnings == []


def test_build_date_order_option_and_the_warning_in_the_summary(embedder, tmp_path):
    folder = tmp_path / "articles"
    text_file(folder.mkdir() or folder, "date: 06/07/2025\n")
    runner = CliRunner()

    def build(*extra: str):
        args = ["index", "build", str(folder), "--index", str(tmp_path / "index"), "--quiet", *extra]
        return runner.invoke(cli, args, obj={"embedder": embedder})

    def stored_date() -> str:
        args = ["ask", "when did dock workers return?", "--index", str(tmp_path / "index"), "--json"]
        answer = json.loads(runner.invoke(cli, args, obj={"embedder": embedder}).output)
        return answer["results"][0]["date"]

    warned = build()
    assert warned.exit_code == 0, warned.output
    assert "1 warnings:" in warned.output and "06/07/2025" in warned.output
    assert stored_date() == "2025-06-07"
    stated = build("--date-order", "dmy")
    assert stated.exit_code == 0 and "warnings" not in stated.output
    assert stored_date() == "2025-07-06"


def test_a_future_date_never_makes_a_copy_rank_first(embedder, tmp_path):
    """The same sentence in two articles: today the newer date wins the tie, so a typo such as
    2099 would put the wrong outlet's copy first."""
    filler = " ".join(f"Filler sentence number {n} describes the weather." for n in range(1, 5))
    folder = tmp_path / "articles"
    for name, source, date, ending in [
        ("0.txt", "Typo Times", "2099-06-01", "The Typo Times closes here."),
        ("1.txt", "Daily Record", "2025-06-01", "The Daily Record closes here."),
    ]:
        write_article(
            folder,
            name,
            {
                "title": "Port strike ends",
                "source": source,
                "date": date,
                "text": f"{BODY} {filler} {ending}",
            },
        )
    settings = Settings(index_dir=tmp_path / "index")
    report = build_index(settings, [folder], embedder=embedder, quiet=True)
    answer = Searcher.open(settings, embedder).search("when did dock workers return to the port?")
    assert answer.results[0].text == BODY
    assert (answer.results[0].source, answer.results[0].date) == ("Daily Record", dt.date(2025, 6, 1))
    assert [w.path for w in report.warnings] == [str(folder / "0.txt")]


def test_a_future_date_on_the_command_line_is_a_usage_error(tmp_path):
    text_file(tmp_path, "")
    result = CliRunner().invoke(cli, ["index", "add", str(tmp_path), "--date", "2099-01-01"])
    assert result.exit_code == 2
    assert "2099-01-01 is in the future" in result.output


def test_the_date_order_can_be_set_for_every_run_in_the_environment():
    assert Settings.from_env({"NEWSDESK_DATE_ORDER": "DMY"}).date_order == "dmy"
    with pytest.raises(NewsdeskError, match="NEWSDESK_DATE_ORDER must be dmy"):
        Settings.from_env({"NEWSDESK_DATE_ORDER": "ymd"})


def test_index_add_takes_the_date_order_too(embedder, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    (first / "a.txt").write_text("Council meets\n\nThe city council met on Tuesday to vote on the budget.\n")
    text_file(second, "date: 06/07/2025\n")
    runner = CliRunner()
    index = str(tmp_path / "index")
    assert (
        runner.invoke(
            cli, ["index", "build", str(first), "--index", index, "-q"], obj={"embedder": embedder}
        ).exit_code
        == 0
    )
    added = runner.invoke(
        cli,
        ["index", "add", str(second), "--date-order", "dmy", "--index", index, "-q"],
        obj={"embedder": embedder},
    )
    assert added.exit_code == 0, added.output
    answer = runner.invoke(
        cli, ["ask", "when did dock workers return?", "--index", index, "--json"], obj={"embedder": embedder}
    )
    assert json.loads(answer.output)["results"][0]["date"] == "2025-07-06"
