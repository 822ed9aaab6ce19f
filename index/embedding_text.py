"""What the encoder sees for a sentence. The displayed and quoted text is always the sentence alone."""

from __future__ import annotations

# Recorded in the build metadata; changing the recipe means existing vectors are stale.
EMBEDDING_INPUT = "sentence"


def embedding_text(title: str, sentence: str) -> str:
    return sentence
