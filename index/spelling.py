"""Mends the typos reporters make in a hurry, from the words the archive itself uses (pure).

"how high did weekly unemplyment claims spike" is searched as "... unemployment claims ...": a
word the archive never uses, typed in lower case, becomes the archive's most frequent word one
edit away (a letter dropped, added, changed, or two swapped; Norvig's classic corrector). Words
with a capital are left alone, so an unknown name still counts as unknown (answer_policy).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# A word shorter than this is more often an abbreviation than a typo ("hrs", "wk").
MIN_LENGTH = 4
# The replacement must occur at least this often in the archive.
MIN_COUNT = 3
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# A whole word in lower case letters only ("usf's", "Ukrainians" and "2021" are left alone).
_TYPED = re.compile(r"(?<![\w'’])[a-z]+(?![\w'’])")
# Below this length a changed letter too often makes another real word ("vettes" -> "vetted"):
# shorter words are mended only by a dropped, added or swapped letter ("waht", "arest").
MIN_LENGTH_TO_CHANGE_A_LETTER = 7


def one_edit_away(word: str) -> set[str]:
    """Every string one deletion, swap of neighbours, insertion or (in a long word) replacement away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    replaces = (
        [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
        if len(word) >= MIN_LENGTH_TO_CHANGE_A_LETTER
        else []
    )
    return set(deletes + swaps + replaces + inserts) - {word}


def corrections(
    text: str, counts: Callable[[Iterable[str]], dict[str, int]], keep: Iterable[str] = ()
) -> dict[str, str]:
    """Typo -> correction for each lower-case word of `text` the archive does not use.

    `counts` gives how often each of the given words occurs in the archive (absent words left
    out); `keep` lists words never to touch (shorthand the search spells out itself).
    """
    kept = set(keep)
    typed = {w for w in _TYPED.findall(text) if len(w) >= MIN_LENGTH and w not in kept}
    if not typed:
        return {}
    known = counts(typed)
    mended: dict[str, str] = {}
    for word in sorted(typed - set(known)):
        near = counts(one_edit_away(word))
        best = max(near.items(), key=lambda kv: (kv[1], kv[0]), default=None)
        if best and best[1] >= MIN_COUNT:
            mended[word] = best[0]
    return mended


def apply(text: str, mended: dict[str, str]) -> str:
    """`text` with each mended word replaced where it stands as a whole lower-case word."""
    if not mended:
        return text
    return _TYPED.sub(lambda m: mended.get(m.group(0), m.group(0)), text)
