"""newsdesk's exceptions; each message says what the user can do about it.

NewsdeskError
├── IngestError        a file or record could not be read as an article (it is skipped)
├── IndexMissingError  no index has been built at the configured location
├── IndexMismatchError the index was built with another model or format
├── IndexDamagedError  a file of the index is missing, unreadable or of the wrong shape
├── IndexBusyError     another build holds the index lock
├── DiskFullError      the new index version could not be written for lack of room
├── QuestionError      the question is empty or too long
├── ModelError         the embedding model cannot be loaded
└── RayClusterError    `--ray`: Ray is not installed, the cluster cannot be reached or was lost
"""

from __future__ import annotations

from pathlib import Path


def printable(text: str) -> str:
    """`text` safe to print: control characters (a file named with a terminal escape) and the
    surrogates standing for undecodable bytes of a file name are shown as escapes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


class NewsdeskError(Exception):
    """Base class: the message is meant for the user, as is."""


class IngestError(NewsdeskError):
    """`path` is what the message names (a file, `file:line`, `file item 3`); `input_path` is the
    file or folder on disk whose articles this run may be missing, and `scope` says how much of
    it: "record" (one record of that file), "file" (the file, or what it held after the damage)
    or "folder" (everything under it).
    """

    def __init__(
        self,
        path: str | Path,
        reason: str,
        *,
        input_path: str | Path | None = None,
        scope: str = "file",
    ) -> None:
        self.path = str(path)
        self.reason = reason
        self.input_path = self.path if input_path is None else str(input_path)
        self.scope = scope
        super().__init__(printable(f"{self.path}: {reason}"))


class IndexMissingError(NewsdeskError):
    def __init__(self, index_dir: str | Path) -> None:
        self.index_dir = str(index_dir)
        super().__init__(
            f"No index at {self.index_dir}: run `newsdesk index build data/articles` "
            "(or set NEWSDESK_INDEX / --index to where your index is)."
        )


class IndexMismatchError(NewsdeskError):
    pass


class IndexDamagedError(NewsdeskError):
    """One file of an index version cannot be used; the message names it and the two ways out."""

    def __init__(self, index_dir: str | Path, path: str | Path, problem: str) -> None:
        self.index_dir = str(index_dir)
        self.path = str(path)
        self.problem = problem
        super().__init__(
            f"{self.path}: {problem}. The index at {self.index_dir} is damaged: "
            f"`newsdesk index check --index {self.index_dir}` lists what is wrong, and "
            f"`newsdesk index build --fresh ARTICLES --index {self.index_dir}` rebuilds it."
        )


class IndexBusyError(NewsdeskError):
    def __init__(self, index_dir: str | Path) -> None:
        super().__init__(
            f"Another `newsdesk index` command is updating {index_dir}; wait for it to finish and try again."
        )


class DiskFullError(NewsdeskError):
    def __init__(self, index_dir: str | Path, detail: str) -> None:
        self.index_dir = str(index_dir)
        super().__init__(
            f"The disk is full at {self.index_dir} ({detail}): the new index could not be written, "
            "and the index being served is unchanged. Free some space there (or point --index at a "
            "disk with room) and run the command again."
        )


class QuestionError(NewsdeskError):
    pass


class ModelError(NewsdeskError):
    pass


class RayClusterError(NewsdeskError):
    pass
