from pathlib import Path

import frontmatter

from index.ingest.clean import clean_text, remove_controls
from index.sentences import split_sentences

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"
AFP = ARTICLES / "afp-2025-06-26-north-korea-more-troops-russia.txt"
NIE = ARTICLES / "new-indian-express-north-korea-sent-more-weapons-russia.txt"


def raw_page(path: Path) -> str:
    """The page text under the front matter, exactly as the seed gives it."""
    return frontmatter.load(path).content


def test_afp_seed_credit_names_the_outlet_and_is_not_a_sentence():
    cleaned = clean_text(raw_page(AFP))
    sentences = split_sentences(cleaned.body)
    assert cleaned.source == "AFP"
    assert (
        "Around 600 North Korean soldiers have been killed and thousands more wounded fighting for "
        "Russia, according to Lee, citing the South Korean intelligence service." in sentences
    )
    assert not any("Source:" in s for s in sentences)
    assert sentences[-1] == (
        "North Korean state media said leader Kim Jong Un had confirmed plans for further "
        "cooperation but did not provide detail."
    )


def test_new_indian_express_seed_loses_its_furniture():
    cleaned = clean_text(
        raw_page(NIE), title="North Korea sent more weapons to Russia: South Korean lawmaker"
    )
    sentences = split_sentences(cleaned.body)
    assert cleaned.source == "The New Indian Express"
    for furniture in ("Related Stories", "2 min read", "No stories found.", "X", "www.newindianexpress.com"):
        assert furniture not in sentences
    assert not any(s.startswith("Updated on:") for s in sentences)
    assert not any("In this photo provided by the North Korean government" in s for s in sentences)
    assert not any(s.startswith("North Korea sent more weapons to Russia") for s in sentences)
    assert sentences[0].startswith("SEOUL: North Korea has sent additional shipments of\u00a0artillery")
    standfirst = sentences.count(
        "Seoul has accused the North of sending thousands of soldiers and container loads of weapons "
        "to Russia as military ties between the two countries have grown closer, despite rafts of "
        "sanctions on both."
    )
    assert standfirst == 1


def test_body_keeps_published_characters_and_paragraph_breaks():
    text = "SEOUL:\u00a0“It’s over,” he said.\nSecond paragraph – with a dash.\n\n\nThird."
    cleaned = clean_text(text)
    assert cleaned.body == "SEOUL:\u00a0“It’s over,” he said.\n\nSecond paragraph – with a dash.\n\nThird."
    assert cleaned.source is None


def test_drops_timestamps_reading_time_share_and_related_lines():
    text = "\n".join(
        [
            "Updated on: 26 Jun 2025, 5:00 pm",
            "Updated 10:43 AM EST, Sat November 26, 2022",
            "3 min read",
            "Share this article",
            "Subscribe to our newsletter.",
            "Facebook",
            "X",
            "The council voted on Monday.",
            "Related Articles",
            "Also read: Council ends session early",
            "No stories found.",
        ]
    )
    assert clean_text(text).body == "The council voted on Monday."


def test_drops_bylines_and_contributing_lines():
    text = "By Jane Doe and John Roe\nThe council voted.\n– Ken Tran\nContributing: The Associated Press"
    assert clean_text(text).body == "The council voted."


def test_keeps_sentences_that_only_start_like_furniture():
    text = "By Monday, the council had voted.\nShare prices rose 3%.\nUpdated figures come later."
    assert clean_text(text).body.split("\n\n") == text.split("\n")


def test_caption_repeated_with_a_glued_photo_credit_is_dropped():
    caption = "Kim Jong Un delivers a speech in Pyongyang, North Korea, on Nov. 15, 2024."
    text = f"{caption}\n{caption}Photo | AP\nThe speech lasted an hour."
    assert clean_text(text).body == "The speech lasted an hour."


def test_headline_repeated_in_the_body_is_dropped():
    text = "Port strike ends\nDock workers went back to work on Friday."
    assert clean_text(text, title="Port  strike ends").body == "Dock workers went back to work on Friday."


def test_reuters_dateline_names_the_outlet_and_stays_in_the_text():
    text = "WASHINGTON (Reuters) - The Senate passed the bill on Friday."
    cleaned = clean_text(text)
    assert cleaned.source == "Reuters"
    assert cleaned.body == text


def test_closing_dash_credit_names_the_outlet():
    cleaned = clean_text("The Senate passed the bill on Friday.\n\u2014 AP")
    assert cleaned.source == "AP"
    assert cleaned.body == "The Senate passed the bill on Friday."


def test_wire_credit_wins_over_the_site_name():
    text = "The Senate passed the bill.\nSource: AFP/ga\nCNA\nwww.channelnewsasia.com"
    cleaned = clean_text(text)
    assert cleaned.source == "AFP"
    assert cleaned.body == "The Senate passed the bill."


def test_a_data_source_line_is_not_the_outlet():
    cleaned = clean_text("Corn prices fell.\nSource: U.S. Department of Agriculture")
    assert cleaned.source is None
    assert cleaned.body == "Corn prices fell."


def test_lone_domain_at_the_end_names_the_outlet_by_host():
    cleaned = clean_text("The Senate passed the bill.\nwww.example-news.com")
    assert cleaned.source == "example-news.com"
    assert cleaned.body == "The Senate passed the bill."


def test_terminal_escapes_and_control_characters_are_removed_in_cleaning():
    cleaned = clean_text(
        "Council\x1b[1;31m votes\x1b[0m to reopen the library.\x07\r\n"
        "The\x00 vote\x1b]8;;https://evil.example\x1b\\ was 7-2.\x0cBranches\x9b2J open Sundays.\x7f"
    )
    assert cleaned.body == (
        "Council votes to reopen the library.\n\nThe vote was 7-2.\n\nBranches open Sundays."
    )


def test_newlines_and_tabs_survive_control_removal():
    assert remove_controls("One\tcolumn\nTwo\u00e9\u2019") == "One\tcolumn\nTwo\u00e9\u2019"
