import datetime as dt
import gzip
import json
import socket
from pathlib import Path

import pytest

from index.errors import IngestError
from index.ingest import read_articles
from index.records import Article
from index.sentences import split_sentences

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"
LIMIT = 10 * 1024 * 1024

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Port strike ends after three days | The Harbour Gazette</title>
  <meta property="og:title" content="Port strike ends after three days">
  <meta property="og:site_name" content="The Harbour Gazette">
  <meta property="og:url" content="https://www.harbourgazette.example/news/port-strike-ends">
  <meta property="article:published_time" content="2024-03-01T08:30:00+00:00">
  <meta name="author" content="Jane Doe">
</head>
<body>
  <header><a href="/">The Harbour Gazette</a> <a href="/subscribe">Subscribe</a></header>
  <nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
  <main>
    <article>
      <h1>Port strike ends after three days</h1>
      <p class="byline">By Jane Doe</p>
      <p>Dock workers returned to the container terminal on Friday after a three-day strike over
      pay ended with a deal brokered by the mayor.</p>
      <p>The agreement raises hourly wages by 3.5 percent this year and adds a second rest break
      to night shifts, union officials said.</p>
      <p>\u201cWe got what we came for,\u201d said Maria Lopez, who has worked at the port for 22
      years. \u201cNow we can get the ships moving again.\u201d</p>
      <p>About 40 vessels waited offshore during the stoppage, according to the harbour
      master\u2019s office, which expects the backlog to clear by Tuesday.</p>
    </article>
  </main>
  <aside><h2>Most read</h2><ul><li><a href="/a">Council approves new ferry timetable</a></li></ul></aside>
  <footer><p>\u00a9 2024 The Harbour Gazette. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body>
</html>
"""

STORY = "Port strike ends\n\nDock workers returned on Friday. The deal raises wages by 3.5 percent."


def read(*paths, max_bytes=LIMIT, **overrides):
    return list(read_articles(paths, max_bytes=max_bytes, **overrides))


def only_article(items) -> Article:
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def only_error(items) -> IngestError:
    assert len(items) == 1 and isinstance(items[0], IngestError), items
    return items[0]


def test_txt_without_front_matter_takes_its_headline_from_the_first_line(tmp_path):
    path = tmp_path / "strike.txt"
    path.write_text(STORY, encoding="utf-8")
    article = only_article(read(path))
    assert article.title == "Port strike ends"
    assert split_sentences(article.body) == [
        "Dock workers returned on Friday.",
        "The deal raises wages by 3.5 percent.",
    ]
    assert (article.source, article.date, article.url) == (None, None, None)
    assert article.path == str(path)


def test_txt_front_matter_gives_title_outlet_date_url_and_authors(tmp_path):
    path = tmp_path / "strike.txt"
    path.write_text(
        "---\ntitle: Port strike ends after three days\noutlet: The Harbour Gazette\n"
        "date: June 26, 2025\nurl: https://harbourgazette.example/strike\n"
        "authors: [Jane Doe, John Roe]\n---\nDock workers returned on Friday.\n",
        encoding="utf-8",
    )
    article = only_article(read(path))
    assert article.title == "Port strike ends after three days"
    assert article.source == "The Harbour Gazette"
    assert article.date == dt.date(2025, 6, 26)
    assert article.url == "https://harbourgazette.example/strike"
    assert article.authors == ("Jane Doe", "John Roe")
    assert article.body == "Dock workers returned on Friday."


def test_md_with_single_author_string(tmp_path):
    path = tmp_path / "strike.md"
    path.write_text("---\nauthor: Jane Doe\ndate: 2025-06-26\n---\nDock workers returned on Friday.\n")
    article = only_article(read(path))
    assert article.authors == ("Jane Doe",)
    assert article.date == dt.date(2025, 6, 26)


def test_md_heading_is_the_title_without_its_marker(tmp_path):
    path = tmp_path / "strike.md"
    path.write_text("# Port strike ends\n\nDock workers returned on Friday.\n")
    article = only_article(read(path))
    assert article.title == "Port strike ends"
    assert article.body == "Dock workers returned on Friday."


def test_title_falls_back_to_the_first_sentence_cut_short(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(
        "Dock workers returned to the container terminal on Friday after a three-day strike over "
        "pay ended. The deal was brokered by the mayor.\n"
    )
    article = only_article(read(path))
    assert article.title.endswith("\u2026")
    assert len(article.title) <= 81
    assert article.title.startswith("Dock workers returned to the container terminal on Friday")


def test_json_object_with_url_and_no_source_is_credited_to_the_host(tmp_path):
    path = tmp_path / "story.json"
    record = {
        "title": "Port strike ends",
        "body": "Dock workers returned on Friday.",
        "publish_date": "2024/03/01",
        "url": "https://www.usatoday.com/story/news/strike/",
        "authors": ["Jane Doe"],
    }
    path.write_text(json.dumps(record))
    article = only_article(read(path))
    assert article.source == "usatoday.com"
    assert article.date == dt.date(2024, 3, 1)
    assert article.authors == ("Jane Doe",)


def test_json_list_yields_each_article_and_names_the_bad_item(tmp_path):
    path = tmp_path / "stories.json"
    records = [
        {"title": "One", "text": "First story text.", "source": "AFP", "date": "2025-06-26"},
        {"title": "Two", "summary": "no text field here"},
        {"title": "Three", "text": "Third story text.", "published": "2025-06-27T10:00:00Z"},
    ]
    path.write_text(json.dumps(records))
    first, bad, third = read(path)
    assert (first.title, first.source, first.date) == ("One", "AFP", dt.date(2025, 6, 26))
    assert isinstance(bad, IngestError)
    assert bad.path == f"{path} item 2" and "'text'" in bad.reason
    assert third.date == dt.date(2025, 6, 27)


def test_jsonl_bad_line_is_reported_by_line_and_the_rest_continue(tmp_path):
    path = tmp_path / "archive.jsonl"
    lines = [
        json.dumps({"title": "One", "text": "First story text."}),
        '{"title": "Two", "text": ',
        "",
        json.dumps({"title": "Three", "text": "Third story text."}),
    ]
    path.write_text("\n".join(lines) + "\n")
    first, bad, third = read(path)
    assert first.title == "One" and third.title == "Three"
    assert isinstance(bad, IngestError) and bad.path == f"{path}:2"
    assert "not valid JSON" in bad.reason


def test_jsonl_pre_split_sentences_are_kept(tmp_path):
    path = tmp_path / "eval.jsonl"
    record = {"title": "Eval", "sentences": ["First one.", "Second one."], "source": "Wire"}
    path.write_text(json.dumps(record) + "\n")
    article = only_article(read(path))
    assert article.sentences == ("First one.", "Second one.")
    assert article.body == "First one. Second one."


def test_jsonl_size_limit_applies_per_line(tmp_path):
    path = tmp_path / "archive.jsonl"
    small = json.dumps({"title": "Small", "text": "Short text."})
    big = json.dumps({"title": "Big", "text": "x " * 500})
    path.write_text("\n".join([small, big, small]) + "\n")
    items = read(path, max_bytes=200)
    assert [type(i).__name__ for i in items] == ["Article", "IngestError", "Article"]
    assert items[1].path == f"{path}:2" and "limit" in items[1].reason


def test_html_page_gives_article_text_and_metadata_without_furniture(tmp_path):
    path = tmp_path / "strike.html"
    path.write_text(PAGE, encoding="utf-8")
    article = only_article(read(path))
    assert article.title == "Port strike ends after three days"
    assert article.source == "The Harbour Gazette"
    assert article.date == dt.date(2024, 3, 1)
    assert article.url == "https://www.harbourgazette.example/news/port-strike-ends"
    assert article.authors == ("Jane Doe",)
    sentences = split_sentences(article.body)
    assert not any("\n" in sentence for sentence in sentences)
    assert "\u201cNow we can get the ships moving again.\u201d" in sentences
    assert article.body.count("\n\n") == 3
    for furniture in ("Most read", "Privacy", "All rights reserved", "Subscribe", "Sport"):
        assert furniture not in article.body


def test_html_is_read_without_touching_the_network(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the HTML reader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    path = tmp_path / "strike.htm"
    path.write_text(PAGE, encoding="utf-8")
    assert only_article(read(path)).source == "The Harbour Gazette"


def test_html_without_an_article_body_is_an_error(tmp_path):
    path = tmp_path / "index.html"
    path.write_text(
        "<html><head><title>Home</title></head><body><nav><a href='/a'>News</a>"
        "<a href='/b'>Sport</a></nav><footer>\u00a9 2024</footer></body></html>"
    )
    assert "no article text found" in only_error(read(path)).reason


def test_gzipped_files_are_read_by_their_inner_type(tmp_path):
    text_path = tmp_path / "strike.txt.gz"
    text_path.write_bytes(gzip.compress(STORY.encode()))
    jsonl_path = tmp_path / "archive.jsonl.gz"
    jsonl_path.write_bytes(
        gzip.compress(b'{"title": "One", "text": "First."}\n{"title": "Two", "text": "Second."}\n')
    )
    titles = [a.title for a in read(tmp_path)]
    assert titles == ["One", "Two", "Port strike ends"]


def test_gzip_bomb_is_refused_while_decompressing(tmp_path):
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 5_000_000))
    error = only_error(read(path, max_bytes=100_000))
    assert "decompresses to more than" in error.reason


def test_corrupt_gzip_is_an_error(tmp_path):
    path = tmp_path / "broken.txt.gz"
    path.write_bytes(b"\x1f\x8b not really gzip")
    assert "not a valid gzip file" in only_error(read(path)).reason


def test_command_line_source_and_date_override_the_file(tmp_path):
    path = tmp_path / "strike.txt"
    path.write_text("---\nsource: Someone Else\ndate: 2020-01-01\n---\nDock workers returned.\n")
    article = only_article(read(path, source="AFP", date=dt.date(2025, 6, 26)))
    assert (article.source, article.date) == ("AFP", dt.date(2025, 6, 26))


def test_front_matter_source_wins_over_a_credit_in_the_text(tmp_path):
    path = tmp_path / "strike.txt"
    path.write_text("---\nsource: CNA\n---\nDock workers returned.\nSource: AFP/lh\n")
    article = only_article(read(path))
    assert article.source == "CNA"
    assert article.body == "Dock workers returned."


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bad.json", b'{"title": "x",\n "text": }', "not valid JSON at line 2, column 10"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "Caf\u00e9 owners protested.".encode("latin-1"), "not valid UTF-8 at byte 3"),
        ("empty.txt", b"", "empty"),
        ("blank.md", b"---\ntitle: Only a title\n---\n\n", "no article text"),
        (
            "bad-date.json",
            b'{"text": "Some text.", "date": "next Thursday"}',
            "'date' is not a date: 'next Thursday'",
        ),
        ("no-text.json", b'{"title": "Headline only"}', "no 'text' or 'body' field"),
        ("numbers.json", b"[1, 2]", "not an object"),
    ],
)
def test_bad_input_is_yielded_as_an_error_naming_the_problem(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    items = read(path)
    assert items and all(isinstance(i, IngestError) for i in items)
    assert reason in items[0].reason
    assert items[0].path.startswith(str(path))


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffDock workers returned on Friday.".encode())
    assert only_article(read(path)).body == "Dock workers returned on Friday."


def test_too_large_file_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Dock workers returned on Friday. " * 100)
    error = only_error(read(path, max_bytes=1000))
    assert "larger than the 1,000 bytes limit" in error.reason


def test_unknown_extension_says_what_is_supported(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7")
    error = only_error(read(path))
    assert error.reason == (
        "unsupported file type '.pdf' (newsdesk reads .txt .md .json .jsonl .html .htm, optionally .gz)"
    )


def test_missing_path_is_named(tmp_path):
    error = only_error(read(tmp_path / "nowhere"))
    assert error.path == str(tmp_path / "nowhere") and "does not exist" in error.reason


def test_folder_is_walked_in_order_skipping_hidden_and_broken_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text("Not an article.")
    (tmp_path / ".draft.txt").write_text("Not an article either.")
    (tmp_path / "a.txt").write_text("First story\n\nDock workers returned.")
    (tmp_path / "b" / "broken.json").write_text("{not json")
    (tmp_path / "b" / "c.md").write_text("Second story\n\nThe port reopened.")
    (tmp_path / "z.txt").write_text("Third story\n\nShips sailed again.")
    items = read(tmp_path)
    assert [i.title if isinstance(i, Article) else "error" for i in items] == [
        "First story",
        "error",
        "Second story",
        "Third story",
    ]


def test_seed_articles_read_cleaned_with_outlet_and_date():
    afp, nie = read(ARTICLES)
    assert (afp.source, afp.date) == ("AFP", dt.date(2025, 6, 26))
    assert afp.title.startswith("SEOUL: North Korea will send more troops to Russia")
    assert (
        "Around 600 North Korean soldiers have been killed and thousands more wounded fighting for "
        "Russia, according to Lee, citing the South Korean intelligence service." in split_sentences(afp.body)
    )
    assert (nie.source, nie.date) == ("The New Indian Express", None)
    assert nie.title == "North Korea sent more weapons to Russia: South Korean lawmaker"
    sentences = split_sentences(nie.body)
    for furniture in ("Related Stories", "2 min read", "No stories found.", "www.newindianexpress.com"):
        assert furniture not in sentences
    assert not any(s.startswith(("Updated on:", "In this photo provided")) for s in sentences)
