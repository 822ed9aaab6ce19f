"""Building and updating the index: dedup, updates, removal, bad files, and the atomic swap."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import NEWS_ARTICLES, NK_SENTENCE, write_article

from index.build import add_articles, build_index, remove_articles
from index.config import Settings
from index.errors import NewsdeskError
from index.search import Searcher
from index.versions import META_NAME, current_version

REPO = Path(__file__).resolve().parents[1]


def test_same_articles_twice_are_stored_once_and_not_re_embedded(make_index, embedder, tmp_path):
    settings = make_index()
    report = add_articles(settings, [tmp_path / "articles"], embedder=embedder, quiet=True)
    assert report.articles_new == 0
    assert report.articles_unchanged == len(NEWS_ARTICLES)
    assert report.reread_reason == ""
    assert report.sentences_embedded == 0
    assert report.articles_total == len(NEWS_ARTICLES)


def test_one_url_twice_with_the_same_text_is_a_duplicate(tmp_path, embedder, write_articles):
    article = dict(NEWS_ARTICLES[0])
    folder = write_articles([article, article])
    report = build_index(Settings(index_dir=tmp_path / "index"), [folder], embedder=embedder, quiet=True)
    assert report.articles_new == 1
    assert report.duplicates == 1


def test_changed_article_is_re_embedded_and_only_it(make_index, embedder, tmp_path):
    settings = make_index()
    changed = dict(NEWS_ARTICLES[1])
    changed["text"] += "\n\nMarkets rallied after the announcement, with the S&P 500 up 0.9%."
    folder = tmp_path / "articles"
    write_article(folder, "001.txt", changed)
    report = add_articles(settings, [folder], embedder=embedder, quiet=True)
    assert report.articles_updated == 1
    assert report.articles_unchanged == len(NEWS_ARTICLES) - 1
    assert report.sentences_embedded == 1  # only the new sentence; the old two are reused
    assert report.sentences_reused == 2
    searcher = Searcher.open(settings, embedder)
    hit = searcher.search("how did the S&P 500 react to the Fed?").results[0]
    assert hit.text.startswith("Markets rallied")
    assert hit.source == "CNN"
    assert searcher.stats().articles == len(NEWS_ARTICLES)


def test_wire_copy_in_a_new_article_reuses_the_stored_vector(make_index, embedder, tmp_path):
    """A paper that runs the AFP sentence word for word: only its own sentence is embedded, and
    the archive still answers with the AFP original and finds the paper's story."""
    settings = make_index()
    folder = tmp_path / "wire"
    write_article(
        folder,
        "courier.txt",
        {
            "title": "Wire roundup",
            "source": "The Courier",
            "date": "2025-06-27",
            "url": "https://example.com/courier/wire-roundup",
            "text": f"{NK_SENTENCE}\n\nThe county fair opens on Saturday with a record number of stalls.",
        },
    )
    report = add_articles(settings, [folder], embedder=embedder, quiet=True)
    assert (report.sentences_embedded, report.sentences_reused) == (1, 1)
    searcher = Searcher.open(settings, embedder)
    first = searcher.search("how many NK soldiers died?").results[0]
    assert (first.text, first.source) == (NK_SENTENCE, "AFP")
    fair = searcher.search("when does the county fair open?").results[0]
    assert (fair.source, fair.date.isoformat()) == ("The Courier", "2025-06-27")
    assert searcher.stats().sentences == report.sentences_total
    assert not list(settings.index_dir.rglob("waiting-for-vectors.db"))  # removed before publishing


def test_rebuild_drops_articles_no_longer_given(make_index, embedder, tmp_path):
    settings = make_index()
    folder = tmp_path / "articles"
    (folder / "000.txt").unlink()
    report = build_index(settings, [folder], embedder=embedder, quiet=True)
    assert report.articles_removed == 1
    assert report.sentences_embedded == 0
    answer = Searcher.open(settings, embedder).search("how many NK soldiers died?")
    assert all(hit.source != "AFP" for hit in answer.results)


def test_retracted_story_is_removed_by_url(make_index, embedder):
    settings = make_index()
    report = remove_articles(settings, urls=["https://example.com/afp/nk-troops"], quiet=True)
    assert report.articles_removed == 1
    searcher = Searcher.open(settings, embedder)
    assert all(h.text != NK_SENTENCE for h in searcher.search("how many NK soldiers died?").results)
    assert searcher.stats().articles == len(NEWS_ARTICLES) - 1


def test_removing_an_unknown_url_changes_nothing(make_index):
    settings = make_index()
    before = current_version(settings.index_dir)
    with pytest.raises(NewsdeskError, match="Not in the index"):
        remove_articles(settings, urls=["https://example.com/never-published"], quiet=True)
    assert current_version(settings.index_dir) == before


def test_broken_files_are_reported_and_the_rest_indexed(tmp_path, embedder, write_articles):
    folder = write_articles(NEWS_ARTICLES[:2])
    (folder / "broken.json").write_text('{"title": "Oops", "text": ')
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (folder / "empty.md").write_text("")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    report = build_index(Settings(index_dir=tmp_path / "index"), [folder], embedder=embedder, quiet=True)
    assert report.articles_total == 2
    failed = {Path(f.path).name for f in report.failures}
    assert failed == {"broken.json", "binary.txt", "empty.md", "photo.jpg"}
    assert all(f.reason for f in report.failures)


def test_a_build_with_nothing_readable_keeps_the_previous_index(make_index, embedder, tmp_path):
    settings = make_index()
    before = current_version(settings.index_dir)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.json").write_text("{")
    with pytest.raises(NewsdeskError, match="No article could be read"):
        build_index(settings, [bad], embedder=embedder, quiet=True)
    assert current_version(settings.index_dir) == before


def test_killing_a_build_midway_leaves_the_previous_index_searchable(make_index, embedder, tmp_path):
    settings = make_index()
    served = current_version(settings.index_dir)
    big = tmp_path / "big"
    for number in range(400):
        write_article(
            big,
            f"{number:04d}.txt",
            {
                "title": f"Council meeting {number}",
                "source": "The Courier",
                "date": "2024-01-01",
                "url": f"https://example.com/courier/{number}",
                "text": "\n\n".join(
                    f"Item {number}-{line}: the council discussed road repairs on street {line * number}."
                    for line in range(30)
                ),
            },
        )
    env = {**os.environ, "NEWSDESK_INDEX": str(settings.index_dir)}
    build = subprocess.Popen(
        [str(Path(sys.executable).parent / "newsdesk"), "index", "build", str(big)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    partial = []
    while time.monotonic() < deadline and build.poll() is None:
        versions = [p for p in (settings.index_dir / "versions").iterdir() if p != served]
        partial = [p for p in versions if (p / "newsdesk.db").exists()]
        if partial:
            time.sleep(1.0)  # let it get well into reading and embedding
            break
        time.sleep(0.05)
    assert build.poll() is None, "the build finished before it could be killed"
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    assert current_version(settings.index_dir) == served
    answer = Searcher.open(settings, embedder).search("how many NK soldiers died?")
    assert answer.results[0].text == NK_SENTENCE
    assert answer.results[0].source == "AFP"
    # The next build clears the debris and succeeds.
    report = add_articles(settings, [big / "0000.txt"], embedder=embedder, quiet=True)
    assert report.articles_new == 1
    leftovers = [p for p in (settings.index_dir / "versions").iterdir() if not (p / "build.json").exists()]
    assert leftovers == []


def test_a_full_disk_keeps_the_served_index_and_says_so_in_one_line(make_index, embedder, tmp_path):
    """The real build runs out of room: its files may grow only a little past the served database."""
    settings = make_index()
    served = current_version(settings.index_dir)
    assert served is not None
    room = (served / "newsdesk.db").stat().st_size + 16 * 1024
    more = tmp_path / "more"
    for number in range(30):
        lines = [f"Item {number}-{line}: the council discussed street {line}." for line in range(20)]
        write_article(more, f"{number:02d}.txt", {"title": f"Council {number}", "text": "\n\n".join(lines)})

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    build = subprocess.run(
        [str(Path(sys.executable).parent / "newsdesk"), "index", "build", str(more), "--quiet"],
        cwd=REPO,
        env={**os.environ, "NEWSDESK_INDEX": str(settings.index_dir)},
        preexec_fn=limit_file_size,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 1
    assert build.stderr.startswith(f"Error: The disk is full at {settings.index_dir} (")
    assert "the index being served is unchanged. Free some space there" in build.stderr
    assert len(build.stderr.strip().splitlines()) == 1, build.stderr
    assert current_version(settings.index_dir) == served
    assert [p.name for p in (settings.index_dir / "versions").iterdir()] == [served.name]
    answer = Searcher.open(settings, embedder).search("how many NK soldiers died?")
    assert answer.results[0].text == NK_SENTENCE


def test_a_rebuild_for_another_model_reads_every_article_again_and_says_why(make_index, embedder, tmp_path):
    settings = make_index()
    meta_path = current_version(settings.index_dir) / META_NAME
    meta = json.loads(meta_path.read_text())
    meta["model"] = "some-other-model"
    meta_path.write_text(json.dumps(meta))
    report = build_index(settings, [tmp_path / "articles"], embedder=embedder, quiet=True)
    assert report.articles_new == len(NEWS_ARTICLES)
    assert report.reread_reason == "the model or its encoding changed"
    assert Searcher.open(settings, embedder).search("how many NK soldiers died?").results
