"""Errors that carry a one-line, user-facing message naming the input and the problem."""

from __future__ import annotations


class CanhbaoError(Exception):
    """Base class: `str(err)` is the one line shown to the user."""


class InputError(CanhbaoError):
    """One input (file, URL, record) could not be processed; the rest of the batch goes on."""

    def __init__(self, source: object, problem: str):
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")


class ConfigError(CanhbaoError):
    """Configuration is wrong; fatal. The message names the file, the key and the problem."""

    def __init__(self, where: str, key: str, problem: str):
        self.where, self.key, self.problem = where, key, problem
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")


class NotFound(CanhbaoError):
    """A record asked for by id does not exist."""


class StorageError(CanhbaoError):
    """A file of the data home cannot be written or read back (read-only home, full disk, corrupt
    database). Fatal for the command; the message names the file and what to do."""

    def __init__(self, path: object, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"{self.path}: {problem}")


def storage_problem(exc: OSError) -> str:
    """A short, actionable description of an OSError from writing into the data home."""
    import errno

    if exc.errno == errno.ENOSPC:
        return "disk full (no space left on device); free space and run again"
    if exc.errno == errno.EDQUOT:
        return "disk quota exceeded; free space and run again"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "not writable (read-only file system or no permission); choose another --home or fix permissions"
    return exc.strerror or type(exc).__name__
