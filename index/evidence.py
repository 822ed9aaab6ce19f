"""Whether the index can answer at all: do the question's key terms occur where the answer was found?"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence

from .ranking import COMMON_SHARE, KEY_TERM_MAX_SHARE, quote_term, share_floor
from .store import Store


def term_weights(store: Store, terms: Sequence[str], sentence_count: int) -> dict[str, float]:
    """Each term's IDF, log((N + 1) / (n + 1)) for a term in the text of n of N sentences.

    Counting stops at COMMON_SHARE of the sentences, so a common word costs no more than a rare
    one; such words all get the same small weight.
    """
    cap = max(1, int(sentence_count * COMMON_SHARE))
    weights: dict[str, float] = {}
    for term in terms:
        (count,) = store.db.execute(
            "SELECT count(*) FROM (SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH ? LIMIT ?)",
            ["text : " + quote_term(term), cap],
        ).fetchone()
        weights[term] = math.log((sentence_count + 1) / (count + 1))
    return weights


def key_terms(
    weights: Mapping[str, float], sentence_count: int, names: Collection[str] = ()
) -> dict[str, float]:
    """The names the question capitalises (`names`) that are rare: in at most KEY_TERM_MAX_SHARE of sentences.

    Only names: rare lowercase words ("clinched", "moniker") are as often the question's own
    phrasing as the topic, and counting them refused answerable questions (docs/search.md).
    """
    floor = share_floor(sentence_count, KEY_TERM_MAX_SHARE)
    return {t: w for t, w in weights.items() if w >= floor and len(t) > 1 and not t.isdigit() and t in names}


def unknown_names(
    store: Store, weights: Mapping[str, float], sentence_count: int, names: Collection[str]
) -> list[str]:
    """The names in the question that no sentence, context or headline of the index contains."""
    absent = share_floor(sentence_count, 0.0)  # the IDF of a term found in no sentence
    candidates = [t for t in names if weights.get(t, 0.0) >= absent]
    return [t for t in candidates if not _anywhere(store, t)]


def _anywhere(store: Store, term: str) -> bool:
    row = store.db.execute(
        "SELECT 1 FROM sentences_fts WHERE sentences_fts MATCH ? LIMIT 1", [quote_term(term)]
    )
    return row.fetchone() is not None


def coverage(store: Store, article_id: int, title: str, keys: Mapping[str, float]) -> float | None:
    """The weighted share of `keys` found in the article (headline or any sentence); None without keys."""
    total = sum(keys.values())
    if not total:
        return None
    found = 0.0
    for term, weight in keys.items():
        if re.search(rf"\b{re.escape(term)}", title, re.IGNORECASE) or _in_article(store, term, article_id):
            found += weight
    return found / total


def _in_article(store: Store, term: str, article_id: int) -> bool:
    row = store.db.execute(
        "SELECT 1 FROM sentences_fts JOIN sentences ON sentences.id = sentences_fts.rowid "
        "WHERE sentences_fts MATCH ? AND sentences.article_id = ? LIMIT 1",
        [quote_term(term), article_id],
    ).fetchone()
    return row is not None
