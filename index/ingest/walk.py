"""Finds the files to read under the paths given: regular files only, links kept inside them.

A link whose target lies outside every path given (a token file, a home folder) is not
followed unless the user asks (`--follow-links`): it is reported and skipped, so nothing
outside the archive becomes quotable. Named pipes, sockets and devices are reported and
skipped (opening a pipe would wait for a writer for ever). A path that does not exist and a
folder that cannot be listed are IngestErrors naming it, with `scope="folder"`: their articles
were not read, and a rebuild must not take that for their removal.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import IngestError
from ..records import IngestWarning

Found = Path | IngestError | IngestWarning
_FOLLOW_HINT = "pass --follow-links to read it"
_NOT_UTF8 = "has a name that is not valid UTF-8 (paths are stored as text); rename it"


def find_files(roots: Sequence[Path], *, follow_links: bool = False) -> Iterator[Found]:
    """Each regular file under `roots` once, in sorted order (hidden names skipped), with an
    IngestError or IngestWarning for each path that is not read."""
    walk = _Walk([Path(os.path.realpath(root)) for root in roots], follow_links)
    for root in roots:
        if not _is_utf8(str(root)):
            yield IngestError(root, _NOT_UTF8, scope="folder")
            continue
        if not os.path.lexists(root):
            yield IngestError(root, "does not exist; check the path", scope="folder")
            continue
        try:
            info = root.stat()
        except OSError as exc:
            yield IngestError(root, f"cannot be read: {_why(exc)}", scope="folder")
            continue
        yield from walk.visit(root, Path(os.path.realpath(root)), info.st_mode)


@dataclass
class _Walk:
    roots: list[Path]
    follow_links: bool
    seen: set[Path] = field(default_factory=set)  # real paths of the files and folders reached

    def visit(self, path: Path, real: Path, mode: int) -> Iterator[Found]:
        if real in self.seen:
            return  # reached before, under another name or through a link back up
        self.seen.add(real)
        if stat.S_ISDIR(mode):
            yield from self._folder(path, real)
        elif stat.S_ISREG(mode):
            yield path
        else:
            yield IngestWarning(str(path), f"is {describe_mode(mode)}, not a regular file; skipped")

    def _folder(self, folder: Path, real: Path) -> Iterator[Found]:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            yield IngestError(
                folder, f"cannot be listed ({_why(exc)}); none of its files were read", scope="folder"
            )
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if not _is_utf8(entry.name):
                scope = "folder" if entry.is_dir() else "file"
                yield IngestError(entry.path, _NOT_UTF8, scope=scope)
                continue
            yield from self._entry(Path(entry.path), real / entry.name, entry)

    def _entry(self, path: Path, real: Path, entry: os.DirEntry[str]) -> Iterator[Found]:
        if entry.is_symlink():
            real = Path(os.path.realpath(path))
            if not self.follow_links and not any(real.is_relative_to(root) for root in self.roots):
                reason = f"is a link to {real}, outside the paths given; not followed ({_FOLLOW_HINT})"
                yield IngestWarning(str(path), reason)
                return
        try:
            mode = _mode(entry)
        except OSError as exc:
            link = f"is a link to {real}, which " if entry.is_symlink() else ""
            yield IngestError(path, f"{link}cannot be read: {_why(exc)}")
            return
        yield from self.visit(path, real, mode)


def _mode(entry: os.DirEntry[str]) -> int:
    """The file type, from the listing itself when it says (no stat of a path that may be too
    long to stat: such a folder is then reported as one that cannot be listed)."""
    if not entry.is_symlink():
        if entry.is_dir(follow_symlinks=False):
            return stat.S_IFDIR
        if entry.is_file(follow_symlinks=False):
            return stat.S_IFREG
    return entry.stat().st_mode


def _is_utf8(name: str) -> bool:
    """False for a name holding bytes that are not UTF-8 (Python keeps them as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def describe_mode(mode: int) -> str:
    """What a file that is not a regular file or folder is, for a message."""
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)
