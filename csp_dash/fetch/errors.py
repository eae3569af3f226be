"""Errors a fetch raises: each says what failed, where, and what to do."""

from __future__ import annotations


class FetchError(Exception):
    """A download or an answer that cannot be used. Nothing has been loaded when it is raised."""


class NotPublished(FetchError):
    """police.uk answered 404: the month (or its archive) is not published yet."""


class FetchCancelled(FetchError):
    """The user cancelled; nothing was loaded."""
