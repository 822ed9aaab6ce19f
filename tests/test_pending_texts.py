"""Sentences waiting for a vector wait on disk: queued once per text, read back a slice at a time."""

from __future__ import annotations

import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from index.pending_texts import FILE_NAME, PendingTexts


@pytest.fixture
def pending(tmp_path: Path) -> PendingTexts:
    return PendingTexts(sqlite3.connect(str(tmp_path / "build.db")), tmp_path)


def test_each_text_is_queued_once_in_the_order_it_was_first_written(pending, tmp_path):
    pending.add([(5, "Rates rose."), (3, "Wire copy."), (9, "Rates rose."), (2, "Rain fell."), (4, "Gone.")])
    assert pending.discard(4) and not pending.discard(4)
    assert pending.count() == 4

    queue = pending.queue(skip={"Wire copy."})
    assert len(queue) == 2
    assert queue[0:2] == ["Rain fell.", "Rates rose."]
    assert (queue[0], queue[-1]) == ("Rain fell.", "Rates rose.")
    assert queue.ids(0, 2) == [[2], [5, 9]]
    assert pending.ids_of(["Wire copy.", "Rates rose."]) == {"Wire copy.": [3], "Rates rose.": [5, 9]}
    with pytest.raises(IndexError):
        queue[2]
    assert (tmp_path / FILE_NAME).exists()
    pending.close()
    assert not (tmp_path / FILE_NAME).exists()


def test_the_texts_ivf_trains_on_are_spread_over_the_whole_archive_and_come_first(pending):
    """Ten articles written one after another: the first texts encoded sample every one of them."""
    pending.add((n, f"Article {n // 10}, line {n % 10}.") for n in range(100))
    queue = pending.queue(skip=(), spread_first=10)
    first = queue[0:10]
    assert first == [f"Article {a}, line 0." for a in range(10)]
    rest = queue[10:100]
    assert rest[0:2] == ["Article 0, line 1.", "Article 0, line 2."]  # then the rest as written
    assert sorted(first + rest) == sorted(f"Article {n // 10}, line {n % 10}." for n in range(100))
    assert queue.ids(0, 2) == [[0], [10]]


def test_distinct_texts_come_a_page_at_a_time(pending):
    pending.add((n, f"Sentence {n % 7}.") for n in range(50))
    pages = list(pending.distinct_texts(3))
    assert [len(page) for page in pages] == [3, 3, 1]
    assert sorted(t for page in pages for t in page) == [f"Sentence {n}." for n in range(7)]


class _Measured(Exception):
    pass


def test_a_build_holds_no_waiting_text_in_memory(monkeypatch, tmp_path, embedder, write_articles):
    """The build's Python heap when the first text goes to the encoder (every sentence waiting)
    does not grow with the number waiting: ten times the sentences, a few bytes more a sentence
    at most, where a map from id to text held about 350."""
    import index.vector_update as vector_update
    from index.build import build_index
    from index.config import Settings
    from index.embedder import Embedder

    monkeypatch.setattr(vector_update, "ENCODE_CHUNK", 4)

    def lines_of(article: int) -> list[str]:
        return [f"Clerk {article} filed report {n} on road {n * 7 + article}." for n in range(100)]

    seen: list[tuple[list[str], int]] = []
    waiting: list[Path] = []

    def measured_encode(self: Embedder, texts: Any, **kwargs: Any) -> Any:
        seen.append((list(texts), tracemalloc.get_traced_memory()[0] - before))
        waiting.extend(settings.index_dir.rglob(FILE_NAME))
        raise _Measured

    monkeypatch.setattr(Embedder, "encode", measured_encode)
    grown = {}
    for count in (3, 30):
        folder = write_articles(
            [
                {
                    "title": f"Road reports, part {a}",
                    "source": "The Courier",
                    "date": "2024-05-01",
                    "url": f"https://example.com/roads/{a}",
                    "text": "\n\n".join(lines_of(a)),
                }
                for a in range(count)
            ],
            folder=f"articles-{count}",
        )
        settings = Settings(index_dir=tmp_path / f"index-{count}")
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            with pytest.raises(_Measured):
                build_index(settings, [folder], embedder=embedder, quiet=True)
        finally:
            tracemalloc.stop()
        first_texts, grown[count] = seen.pop()
        assert first_texts == lines_of(0)[:4]
        # The sentences waited on the index's disk, in the new version's folder, gone with it.
        assert [p.parent.parent for p in waiting] == [settings.index_dir / "versions"]
        assert not waiting.pop().exists() and not (settings.index_dir / "current").exists()
    per_sentence = (grown[30] - grown[3]) / 2_700
    assert per_sentence < 20, f"{per_sentence:.0f} bytes held per waiting sentence"
