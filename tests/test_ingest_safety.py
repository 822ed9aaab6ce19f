"""Careless or hostile input: every input is read, skipped with a reason, or reported; none
aborts a build, hangs it, leaks a file from outside the archive or smuggles control characters."""

from __future__ import annotations

import gzip
import json
import os
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from index.errors import IngestError
from index.ingest import read_articles
from index.records import Article, IngestWarning

LIMIT = 10 * 1024 * 1024
STORY = "Port strike ends\n\nDock workers returned on Friday. The deal raises wages by 3.5 percent."
SECRET = "xoxb-not-a-real-token-but-it-must-never-be-quoted"


def read(*paths, **options):
    return list(read_articles(paths, max_bytes=LIMIT, **options))


def kinds(items) -> list[str]:
    return [type(i).__name__ for i in items]


def articles(items) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def only(items, kind):
    found = [i for i in items if isinstance(i, kind)]
    assert len(found) == 1, items
    return found[0]


# -- links ---------------------------------------------------------------------------------


@pytest.fixture
def archive_with_links(tmp_path) -> Path:
    """An archive holding links out of it (a token file, a folder) and links inside it."""
    outside = tmp_path / "home"
    (outside / "private").mkdir(parents=True)
    (outside / "token.txt").write_text(f"Slack token\n\n{SECRET}.")
    (outside / "private" / "notes.txt").write_text(f"Private notes\n\n{SECRET}.")
    archive = tmp_path / "archive"
    (archive / "2025").mkdir(parents=True)
    (archive / "2025" / "strike.txt").write_text(STORY)
    (archive / "leak.txt").symlink_to(outside / "token.txt")
    (archive / "private").symlink_to(outside / "private")
    (archive / "latest.txt").symlink_to(archive / "2025" / "strike.txt")
    (archive / "this-year").symlink_to(archive / "2025")
    return archive


def test_links_out_of_the_paths_given_are_named_and_not_followed(archive_with_links):
    items = read(archive_with_links)
    assert all(SECRET not in a.body for a in articles(items))
    skipped = {w.path: w.reason for w in items if isinstance(w, IngestWarning)}
    assert set(skipped) == {str(archive_with_links / "leak.txt"), str(archive_with_links / "private")}
    reason = skipped[str(archive_with_links / "leak.txt")]
    assert "outside the paths given" in reason and "--follow-links" in reason
    assert str(archive_with_links.parent / "home" / "token.txt") in reason


def test_links_inside_the_paths_given_are_read_once(archive_with_links):
    read_articles_ = articles(read(archive_with_links))
    assert [a.title for a in read_articles_] == ["Port strike ends"]


def test_follow_links_reads_what_links_lead_to(archive_with_links):
    items = read(archive_with_links, follow_links=True)
    assert not [i for i in items if not isinstance(i, Article)], items
    assert sorted(a.title for a in articles(items)) == ["Port strike ends", "Private notes", "Slack token"]


def test_the_build_command_skips_a_link_out_and_says_so(archive_with_links, embedder, tmp_path):
    index = tmp_path / "index"
    result = CliRunner().invoke(
        cli,
        ["index", "build", str(archive_with_links), "--index", str(index), "--quiet"],
        obj={"embedder": embedder},
    )
    assert result.exit_code == 0, result.output
    assert f"{archive_with_links / 'leak.txt'}: is a link to" in result.output
    asked = CliRunner().invoke(
        cli, ["ask", "what is the slack token?", "--index", str(index), "--json"], obj={"embedder": embedder}
    )
    assert SECRET not in asked.output


# -- special files -------------------------------------------------------------------------


def test_a_named_pipe_is_skipped_not_waited_on(tmp_path):
    (tmp_path / "a.txt").write_text(STORY)
    os.mkfifo(tmp_path / "pipe.txt")
    result: list = []
    reader = threading.Thread(target=lambda: result.append(read(tmp_path)), daemon=True)
    reader.start()
    reader.join(timeout=60)
    if reader.is_alive():
        # Unblock the reader so the test run can end, then fail.
        with open(tmp_path / "pipe.txt", "w"):
            pass
        pytest.fail("reading a folder with a named pipe in it waited for a writer")
    [items] = result
    assert kinds(items) == ["Article", "IngestWarning"]
    assert items[1].path == str(tmp_path / "pipe.txt")
    assert items[1].reason == "is a named pipe, not a regular file; skipped"


def test_a_socket_or_device_given_by_name_is_skipped(tmp_path):
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "s.txt"))
    try:
        items = read(tmp_path / "s.txt", Path("/dev/null"))
    finally:
        server.close()
    assert [(i.path, i.reason) for i in items] == [
        (str(tmp_path / "s.txt"), "is a socket, not a regular file; skipped"),
        ("/dev/null", "is a device, not a regular file; skipped"),
    ]


# -- one bad file never stops the others ------------------------------------------------------

BAD_FILES = {
    "impossible-date.md": (
        b"---\ntitle: Leap day\ndate: 2025-02-30\n---\nThe council met.\n",
        "field 'date' is not a date: '2025-02-30'",
    ),
    "huge-number.json": (
        b'{"title": "Big", "text": "Some text.", "count": ' + b"9" * 5000 + b"}",
        "holds a number of more than 4,300 digits",
    ),
    "huge-number.md": (
        b"---\ntitle: Big\nwords: " + b"9" * 5000 + b"\n---\nSome text.\n",
        "front matter (line 3: a number of 5,000 digits is too long to read; quote it)",
    ),
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "nests JSON arrays or objects too deeply"),
    "deep.md": (
        b"---\ntitle: " + b"[" * 100_000 + b"]" * 100_000 + b"\n---\nSome text.\n",
        "nested too deeply",
    ),
    "surrogate-text.json": (
        b'{"title": "Ok", "text": "Bad \\ud800 text."}',
        "field 'text' holds a lone UTF-16 surrogate (\\ud800) at character 5",
    ),
    "surrogate-title.jsonl": (
        b'{"title": "Bad \\udfff title", "text": "Fine text."}\n',
        "field 'title' holds a lone UTF-16 surrogate (\\udfff)",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_reported_by_path_and_field_and_the_rest_read(tmp_path, name):
    content, reason = BAD_FILES[name]
    (tmp_path / name).write_bytes(content)
    (tmp_path / "zz-good.txt").write_text(STORY)
    items = read(tmp_path)
    assert kinds(items) == ["IngestError", "Article"], items
    assert items[0].path.startswith(str(tmp_path / name))
    assert items[0].input_path == str(tmp_path / name)
    assert reason in items[0].reason
    assert items[1].title == "Port strike ends"


def test_bad_files_reach_the_build_summary_by_path(tmp_path, embedder):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, (content, _) in BAD_FILES.items():
        (folder / name).write_bytes(content)
    (folder / "good.txt").write_text(STORY)
    result = CliRunner().invoke(
        cli,
        ["index", "build", str(folder), "--index", str(tmp_path / "index"), "--quiet"],
        obj={"embedder": embedder},
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "\ud800" not in result.output
    assert f"{len(BAD_FILES)} skipped:" in result.output
    for name, (_, reason) in BAD_FILES.items():
        assert f"{folder / name}" in result.output and reason in result.output
    assert "1 articles" in result.output


def test_a_yaml_alias_bomb_is_refused_by_path(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    front = "\n".join(lines) + "\ntitle: *i\n"
    assert len(front) < 500
    path = tmp_path / "bomb.md"
    path.write_text(f"---\n{front}---\nSome text.\n")
    error = only(read(path), IngestError)
    assert error.path == str(path)
    assert "line 3: uses a YAML alias (*name); write the value out in full" in error.reason


def test_a_truncated_gzip_keeps_its_records_and_says_how_many(tmp_path):
    records = "".join(
        json.dumps({"title": f"Story {n}", "text": f"Story number {n} ran."}) + "\n" for n in range(200)
    )
    whole = gzip.compress(records.encode(), compresslevel=1)
    path = tmp_path / "archive.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    items = read(path)
    kept = articles(items)
    error = only(items, IngestError)
    assert kinds(items) == ["Article"] * len(kept) + ["IngestError"]
    assert 0 < len(kept) < 200
    assert error.path == str(path)
    assert error.reason == (
        f"damaged after record {len(kept)}: the compressed data ends early; {len(kept)} records kept"
    )


# -- control characters ----------------------------------------------------------------------


def test_control_characters_never_reach_stored_text(tmp_path):
    record = {
        "title": "\x1b[31mRed\x1b[0m alert\x07",
        "text": "The fire\x00 spread \x1b]0;owned\x07quickly.\r\nCrews\x9b2J arrived\x08 at dawn.",
        "source": "Wire\x1b[5m",
        "authors": ["Jane\x00 Doe"],
    }
    path = tmp_path / "story.json"
    path.write_text(json.dumps(record))
    article = only(read(path), Article)
    assert article.title == "Red alert"
    assert article.body == "The fire spread quickly.\n\nCrews arrived at dawn."
    assert (article.source, article.authors) == ("Wire", ("Jane Doe",))


# -- every input not read is named ----------------------------------------------------------


def test_a_missing_root_is_an_error_for_the_whole_folder(tmp_path):
    error = only(read(tmp_path / "archive-typo"), IngestError)
    assert (error.input_path, error.scope) == (str(tmp_path / "archive-typo"), "folder")
    assert "does not exist" in error.reason


def nest_folders(root: Path, *, limit: int) -> Path:
    """Folders inside folders while the next one's path stays within `limit` characters; the
    innermost one (its path is more than `limit` - 201 characters long)."""
    root.mkdir()
    deep, fd = root, os.open(root, os.O_RDONLY)
    try:
        while len(str(deep)) + 201 <= limit:
            os.mkdir("d" * 200, dir_fd=fd)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            deep, fd = deep / ("d" * 200), inner
    finally:
        os.close(fd)
    return deep


def test_a_folder_that_cannot_be_listed_is_named(tmp_path):
    """Tests run as root, so permissions cannot stop a listing; a path longer than the system
    allows (PATH_MAX) can: the folder is there, but asking for its contents fails."""
    root = tmp_path / "archive"
    nest_folders(root, limit=os.pathconf("/", "PC_PATH_MAX") + 200)
    (root / "a.txt").write_text(STORY)
    items = read(root)
    assert kinds(items) == ["Article", "IngestError"]
    error = items[1]
    assert error.scope == "folder"
    assert len(error.input_path) > os.pathconf("/", "PC_PATH_MAX")
    assert error.path == error.input_path
    assert "cannot be listed (File name too long)" in error.reason


def test_a_broken_link_inside_the_archive_is_named(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "moved-away.txt")
    error = only(read(tmp_path), IngestError)
    assert error.path == error.input_path == str(tmp_path / "gone.txt")
    assert "is a link to" in error.reason and "No such file or directory" in error.reason


def test_an_undecodable_file_under_a_path_with_a_colon_carries_its_whole_path(tmp_path):
    folder = tmp_path / "2025-06-26 10:00"
    folder.mkdir()
    (folder / "a:b.txt").write_bytes("Caf\u00e9 owners protested.".encode("latin-1"))
    (folder / "c:d.jsonl").write_bytes(b'{"title": "Ok", "text": "Fine."}\n\xff\n')
    bad_file, good, bad_line = read(folder)
    assert isinstance(good, Article)
    assert (bad_file.input_path, bad_file.scope) == (str(folder / "a:b.txt"), "file")
    assert "not valid UTF-8" in bad_file.reason
    assert bad_line.path == f"{folder / 'c:d.jsonl'}:2"
    assert (bad_line.input_path, bad_line.scope) == (str(folder / "c:d.jsonl"), "record")


def test_a_file_that_cannot_be_opened_is_named(tmp_path):
    """The folder can be listed, but the file's full path is longer than the system allows."""
    folder = nest_folders(tmp_path / "archive", limit=os.pathconf("/", "PC_PATH_MAX") - 1)
    name = "s" * 200 + ".txt"
    fd = os.open(folder.parent, os.O_RDONLY)
    try:
        # Write the file through the folders' descriptors: its own path is too long to open.
        inner = os.open(folder.name, os.O_RDONLY, dir_fd=fd)
        file_fd = os.open(name, os.O_WRONLY | os.O_CREAT, dir_fd=inner)
        os.write(file_fd, STORY.encode())
        os.close(file_fd)
        os.close(inner)
    finally:
        os.close(fd)
    error = only(read(tmp_path / "archive"), IngestError)
    assert error.path == error.input_path == str(folder / name)
    assert error.reason == "cannot be read: File name too long"


def test_a_file_name_that_is_not_utf8_is_named_not_stored(tmp_path, embedder):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text(STORY)
    bad = os.fsdecode(bytes(folder) + b"/caf\xe9.txt")
    Path(bad).write_text(STORY.replace("Friday", "Monday"))
    Path(folder / "\x1b[2Jwiped.pdf").write_bytes(b"%PDF")
    items = read(folder)
    error = next(i for i in items if isinstance(i, IngestError) and i.input_path == bad)
    assert "not valid UTF-8" in error.reason
    result = CliRunner().invoke(
        cli,
        ["index", "build", str(folder), "--index", str(tmp_path / "index"), "--quiet"],
        obj={"embedder": embedder},
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{folder}/caf\\udce9.txt: has a name that is not valid UTF-8" in result.output
    assert f"{folder}/\\x1b[2Jwiped.pdf: unsupported file type" in result.output
    assert "\x1b" not in result.output
