"""Which article an input is: corrections replace what they correct, wire copy stays apart, and a
rebuild never drops what it could not read."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import NEWS_ARTICLES, NK_SENTENCE

from bot.cli import cli
from index.build import Correction, add_articles, build_index, remove_articles
from index.config import Settings
from index.search import Searcher
from index.versions import current_version

PUPILS_QUESTION = "how many pupils does Hillside Primary have?"


def school_story(figure: int) -> str:
    return (
        f"Hillside Primary now teaches {figure} pupils after the new wing opened, the head teacher said.\n\n"
        "The wing cost the county $3 million and took two years to build."
    )


def write_story(path: Path, text: str, **meta: Any) -> Path:
    """A .txt article with front matter, as a newsroom exports it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump({"title": "Hillside Primary opens new wing", "source": "The Courier", **meta})
    path.write_text(f"---\n{front}---\n{text}\n", encoding="utf-8")
    return path


def pupil_figures(settings: Settings, embedder) -> list[str]:
    answer = Searcher.open(settings, embedder).search(PUPILS_QUESTION)
    return [hit.text for hit in answer.results if "pupils" in hit.text]


# -- case 1: an article without a URL is its front-matter id, else its file ---------------------


def test_a_corrected_article_without_url_replaces_its_old_version(make_index, embedder, tmp_path):
    settings = make_index()
    story = write_story(tmp_path / "desk" / "hillside.txt", school_story(230))
    add_articles(settings, [story], embedder=embedder, quiet=True)
    write_story(story, school_story(320))
    report = add_articles(settings, [story], embedder=embedder, quiet=True)
    assert (report.articles_new, report.articles_updated) == (0, 1)
    assert report.sentences_reused == 1  # the unchanged sentence keeps its vector
    figures = pupil_figures(settings, embedder)
    assert figures and "320 pupils" in figures[0]
    assert not any("230 pupils" in text for text in figures)
    assert Searcher.open(settings, embedder).stats().articles == len(NEWS_ARTICLES) + 1


def test_a_front_matter_id_follows_the_article_to_another_file(make_index, embedder, tmp_path):
    settings = make_index()
    first = write_story(tmp_path / "monday" / "school.txt", school_story(230), id="courier-0042")
    add_articles(settings, [first], embedder=embedder, quiet=True)
    corrected = write_story(
        tmp_path / "tuesday" / "school-corrected.txt", school_story(320), id="courier-0042"
    )
    report = add_articles(settings, [corrected], embedder=embedder, quiet=True)
    assert (report.articles_new, report.articles_updated) == (0, 1)
    figures = pupil_figures(settings, embedder)
    assert figures and "320 pupils" in figures[0]
    assert not any("230 pupils" in text for text in figures)


def test_a_rebuild_over_the_edited_folder_keeps_only_the_correction(tmp_path, embedder):
    folder = tmp_path / "desk"
    story = write_story(folder / "hillside.txt", school_story(230))
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, [folder], embedder=embedder, quiet=True)
    write_story(story, school_story(320))
    report = build_index(settings, [folder], embedder=embedder, quiet=True)
    assert (report.articles_updated, report.articles_total) == (1, 1)
    assert not any("230 pupils" in text for text in pupil_figures(settings, embedder))


# -- case 2: two versions of one URL in one build -----------------------------------------------


def test_the_newer_of_two_versions_of_one_url_wins_by_date(tmp_path, embedder):
    folder = tmp_path / "desk"
    url = "https://example.com/courier/hillside"
    original = write_story(folder / "a-original.txt", school_story(230), url=url, date="2025-06-26")
    correction = write_story(folder / "b-correction.txt", school_story(320), url=url, date="2025-06-27")
    settings = Settings(index_dir=tmp_path / "index")
    report = build_index(settings, [folder], embedder=embedder, quiet=True)
    assert report.articles_total == 1
    assert report.corrections == (Correction(url, kept=str(correction), replaced=str(original)),)
    figures = pupil_figures(settings, embedder)
    assert figures and "320 pupils" in figures[0]
    assert not any("230 pupils" in text for text in figures)


def test_on_the_same_date_the_file_modified_last_wins_and_the_summary_names_both(tmp_path, embedder):
    folder = tmp_path / "desk"
    url = "https://example.com/courier/hillside"
    corrected = write_story(folder / "a-hillside.txt", school_story(320), url=url, date="2025-06-26")
    stale = write_story(folder / "b-hillside-copy.txt", school_story(230), url=url, date="2025-06-26")
    os.utime(stale, (1_750_000_000, 1_750_000_000))
    os.utime(corrected, (1_750_000_600, 1_750_000_600))
    index = tmp_path / "index"
    result = CliRunner().invoke(
        cli, ["index", "build", str(folder), "--index", str(index), "--quiet"], obj={"embedder": embedder}
    )
    assert result.exit_code == 0, result.output
    assert f"two versions of {url}: kept {corrected} (the newer), not {stale}." in result.output
    figures = pupil_figures(Settings(index_dir=index), embedder)
    assert figures and "320 pupils" in figures[0]
    assert not any("230 pupils" in text for text in figures)


# -- case 3: the same text under another URL is another article ---------------------------------


def test_wire_copy_under_another_url_is_another_article(make_index, embedder, tmp_path):
    settings = make_index()
    afp = NEWS_ARTICLES[0]
    copy = write_story(
        tmp_path / "wire" / "nk.txt",
        afp["text"],
        title=afp["title"],
        source="The Korea Herald",
        date="2025-06-27",
        url="https://example.com/herald/nk-troops",
    )
    report = add_articles(settings, [copy], embedder=embedder, quiet=True)
    assert report.articles_new == 1
    assert report.sentences_embedded == 0  # the same sentences reuse the stored vectors
    herald_url = "https://example.com/herald/nk-troops"
    top = Searcher.open(settings, embedder).search("how many NK soldiers died?").results[0]
    assert top.text == NK_SENTENCE
    assert {top.source, *top.also_reported_by} == {"AFP", "The Korea Herald"}
    urls = {"AFP": afp["url"], "The Korea Herald": herald_url}
    assert top.url == urls[top.source]  # each outlet keeps its own URL
    removed = remove_articles(settings, urls=[afp["url"]], quiet=True)
    assert removed.articles_removed == 1
    top = Searcher.open(settings, embedder).search("how many NK soldiers died?").results[0]
    assert (top.source, top.url, top.also_reported_by) == ("The Korea Herald", herald_url, ())


def test_the_same_text_in_two_files_without_urls_is_embedded_once(tmp_path, embedder):
    folder = tmp_path / "desk"
    write_story(folder / "hillside.txt", school_story(230))
    write_story(folder / "hillside-copy.txt", school_story(230))
    report = build_index(Settings(index_dir=tmp_path / "index"), [folder], embedder=embedder, quiet=True)
    assert report.articles_new == 2
    assert report.sentences_embedded == 2 and report.sentences_reused == 2


# -- case 4: a rebuild keeps what it could not read ---------------------------------------------


@pytest.fixture
def two_desks(tmp_path, embedder):
    """An index built from two folders: news/ (the sample articles) and schools/ (one story)."""
    news = tmp_path / "news"
    for number, article in enumerate(NEWS_ARTICLES):
        meta = {k: article[k] for k in ("title", "source", "date", "url") if article.get(k)}
        front = yaml.safe_dump(meta)
        news.mkdir(exist_ok=True)
        (news / f"{number:03d}.txt").write_text(f"---\n{front}---\n{article['text']}\n", encoding="utf-8")
    schools = tmp_path / "schools"
    write_story(schools / "hillside.txt", school_story(230))
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, [news, schools], embedder=embedder, quiet=True)
    return settings, news, schools


def test_a_rebuild_keeps_the_articles_of_a_folder_that_is_missing(two_desks, embedder):
    settings, news, schools = two_desks
    moved = schools.with_name("schools-unmounted")
    schools.rename(moved)
    report = build_index(settings, [news, schools], embedder=embedder, quiet=True)
    assert report.articles_removed == 0
    assert report.kept_unread == ((str(schools.resolve()), 1),)
    assert pupil_figures(settings, embedder)
    result = CliRunner().invoke(
        cli,
        ["index", "build", str(news), str(schools), "--prune", "--index", str(settings.index_dir), "--quiet"],
        obj={"embedder": embedder},
    )
    assert result.exit_code == 1  # the missing folder is still reported
    assert "1 removed" in result.output
    assert "Kept" not in result.output
    assert not pupil_figures(settings, embedder)


def test_a_rebuild_keeps_the_article_of_a_file_that_failed_to_decode(tmp_path, embedder):
    folder = tmp_path / "desk: schools"  # a colon in the path, as in "Desk: Schools"
    story = write_story(folder / "hillside.txt", school_story(230))
    write_story(
        folder / "other.txt", "The district board meets on Thursday to discuss bus routes for the autumn."
    )
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, [folder], embedder=embedder, quiet=True)
    story.write_bytes(b"---\ntitle: Hillside\n---\nHillside now teaches \xff\xfe 320 pupils.\n")
    index = settings.index_dir
    result = CliRunner().invoke(
        cli, ["index", "build", str(folder), "--index", str(index), "--quiet"], obj={"embedder": embedder}
    )
    assert result.exit_code == 1  # a file was skipped
    assert f"Kept 1 articles from inputs that could not be read: {story.resolve()} (1)." in result.output
    assert "--prune" in result.output
    figures = pupil_figures(settings, embedder)
    assert figures and "230 pupils" in figures[0]


def test_both_versions_an_older_index_kept_are_replaced_by_the_correction(tmp_path, embedder):
    """An index built before identities kept an edited file twice; re-adding it leaves one article."""
    folder = tmp_path / "desk"
    story = write_story(folder / "hillside.txt", school_story(230))
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, [folder], embedder=embedder, quiet=True)
    served = current_version(settings.index_dir)
    assert served is not None
    with sqlite3.connect(served / "newsdesk.db") as conn:  # as the older newsdesk left it
        conn.execute("DROP INDEX idx_articles_identity")
        conn.execute("ALTER TABLE articles DROP COLUMN identity")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_article_identity'")
        conn.execute(
            "INSERT INTO articles (url, title, source, path, content_hash) "
            "SELECT url, title, source, path, 'an older version' FROM articles"
        )
    conn.close()
    write_story(story, school_story(320))
    report = add_articles(settings, [story], embedder=embedder, quiet=True)
    assert (report.articles_updated, report.articles_removed, report.articles_total) == (1, 1, 1)
    figures = pupil_figures(settings, embedder)
    assert figures and "320 pupils" in figures[0]
    assert not any("230 pupils" in text for text in figures)


def test_a_rebuild_keeps_the_articles_of_a_sub_folder_that_cannot_be_listed(tmp_path, embedder):
    """A sub-folder turned into a link that loops (as a broken mount can) cannot be listed: its
    article stays, and the summary says so."""
    archive = tmp_path / "archive"
    write_story(archive / "schools" / "hillside.txt", school_story(230))
    write_story(archive / "news" / "buses.txt", "The district board meets on Thursday to discuss bus routes.")
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, [archive], embedder=embedder, quiet=True)
    schools = archive / "schools"
    (schools / "hillside.txt").unlink()
    schools.rmdir()
    schools.symlink_to(schools)
    report = build_index(settings, [archive], embedder=embedder, quiet=True)
    assert report.failures and str(schools) in str(report.failures[0])
    assert report.articles_removed == 0
    assert report.kept_unread == ((str(schools), 1),)
    figures = pupil_figures(settings, embedder)
    assert figures and "230 pupils" in figures[0]
