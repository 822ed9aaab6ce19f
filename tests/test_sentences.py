import pytest

from index.sentences import split_sentences

CASES = [
    (
        "The meeting was held on Nov. 15, 2024. Officials attended.",
        ["The meeting was held on Nov. 15, 2024.", "Officials attended."],
    ),
    (
        "The U.S. military said it would respond. Others disagreed.",
        ["The U.S. military said it would respond.", "Others disagreed."],
    ),
    (
        "Mr. Lee told reporters on Thursday. He left.",
        ["Mr. Lee told reporters on Thursday.", "He left."],
    ),
    (
        "A lawmaker said on Thursday (Jun 26), citing the spy agency. More followed.",
        ["A lawmaker said on Thursday (Jun 26), citing the spy agency.", "More followed."],
    ),
    ('He said: "We will win." Then he left.', ['He said: "We will win."', "Then he left."]),
    ("\u201cIt is over.\u201d The crowd cheered.", ["\u201cIt is over.\u201d", "The crowd cheered."]),
    (
        "She asked: \u201cWhy now?\u201d Nobody answered.",
        ["She asked: \u201cWhy now?\u201d", "Nobody answered."],
    ),
    (
        "North Korea to send more troops\nSEOUL: North Korea will send troops. It said so.",
        ["North Korea to send more troops", "SEOUL: North Korea will send troops.", "It said so."],
    ),
    ("Growth was 3.5 percent in May. Prices rose.", ["Growth was 3.5 percent in May.", "Prices rose."]),
    (
        "Key points:\n- First point here\n- Second point here.\n\u2022 Third point",
        ["Key points:", "First point here", "Second point here.", "Third point"],
    ),
    (
        "He is ranked No. 3 in the world. She is No. 1.",
        ["He is ranked No. 3 in the world.", "She is No. 1."],
    ),
    (
        "They moved to St. Louis last year. It rained.",
        ["They moved to St. Louis last year.", "It rained."],
    ),
    (
        "The author J. K. Rowling spoke. Fans cheered.",
        ["The author J. K. Rowling spoke.", "Fans cheered."],
    ),
    (
        "He said he would wait... and see. Then he left.",
        ["He said he would wait... and see.", "Then he left."],
    ),
    (
        "He said he would wait \u2026 and see. Then he left.",
        ["He said he would wait \u2026 and see.", "Then he left."],
    ),
    (
        "The vote closed at 5 p.m. on Friday. Results came later.",
        ["The vote closed at 5 p.m. on Friday.", "Results came later."],
    ),
    ("Is it over? No! It is not.", ["Is it over?", "No!", "It is not."]),
    (
        "SAN DIEGO, Calif. (AP) \u2014 A fire broke out. Crews responded.",
        ["SAN DIEGO, Calif. (AP) \u2014 A fire broke out.", "Crews responded."],
    ),
    (
        "Gov. Gretchen Whitmer spoke on Friday. Dr. Jose Romero agreed.",
        ["Gov. Gretchen Whitmer spoke on Friday.", "Dr. Jose Romero agreed."],
    ),
    (
        "The court overturned Roe v. Wade in 2022. Protests followed.",
        ["The court overturned Roe v. Wade in 2022.", "Protests followed."],
    ),
    (
        "St. Louis County has no authority. Officials said so.",
        ["St. Louis County has no authority.", "Officials said so."],
    ),
    (
        'Lee said. "They have been assigned." He added more.',
        ["Lee said.", '"They have been assigned."', "He added more."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_splits_news_text_where_a_reader_would(text, expected):
    assert split_sentences(text) == expected


def test_every_sentence_is_an_exact_substring():
    text = (
        "SEOUL:\u00a0North Korea has sent additional shipments of\u00a0artillery.  "
        "\u201cCasualties are occurring,\u201d he said.\r\n\r\n  Prices rose 3.5%.\t"
    )
    sentences = split_sentences(text)
    assert sentences == [
        "SEOUL:\u00a0North Korea has sent additional shipments of\u00a0artillery.",
        "\u201cCasualties are occurring,\u201d he said.",
        "Prices rose 3.5%.",
    ]
    assert all(sentence in text for sentence in sentences)


def test_blank_lines_and_single_newlines_both_end_a_sentence():
    assert split_sentences("First line without stop\nSecond line\n\nThird") == [
        "First line without stop",
        "Second line",
        "Third",
    ]


def test_drops_pieces_without_letters():
    assert split_sentences("Fact one.\n***\n---\n2024\n\u2014\nFact two.") == ["Fact one.", "Fact two."]


def test_empty_text_has_no_sentences():
    assert split_sentences("") == []
    assert split_sentences(" \n\n\t") == []
