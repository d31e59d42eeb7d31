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
