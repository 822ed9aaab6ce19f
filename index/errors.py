"""newsdesk's exceptions; each message says what the user can do about it.

NewsdeskError
├── IngestError        a file or record could not be read as an article (it is skipped)
├── IndexMissingError  no index has been built at the configured location
├── IndexMismatchError the index was built with another model or format
├── IndexBusyError     another build holds the index lock
├── DiskFullError      the new index version could not be written for lack of room
├── QuestionError      the question is empty or too long
└── ModelError         the embedding model cannot be loaded
"""

from __future__ import annotations

from pathlib import Path


class NewsdeskError(Exception):
    """Base class: the message is meant for the user, as is."""


class IngestError(NewsdeskError):
    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class IndexMissingError(NewsdeskError):
    def __init__(self, index_dir: str | Path) -> None:
        self.index_dir = str(index_dir)
        super().__init__(
            f"No index at {self.index_dir}: run `newsdesk index build data/articles` "
            "(or set NEWSDESK_INDEX / --index to where your index is)."
        )


class IndexMismatchError(NewsdeskError):
    pass


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
