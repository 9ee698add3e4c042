"""The errors a person's action or input can cause, under one root.

The UI and the CLI catch `LiaisonError` and show its message as a plain sentence: it
says what the person asked for that cannot be done and, where it can, what to do
instead. Anything else that escapes a page or a command is a bug and is shown as one
(a traceback), never dressed up as a polite refusal. So raise one of these only for
what a marketer, an admin or a CLI user could have done differently; a broken
invariant or a wrong argument from our own code stays a plain ValueError/TypeError."""

from __future__ import annotations


class LiaisonError(Exception):
    """Refused because of what the person asked; the message is written for them."""


class InvalidInput(LiaisonError, ValueError):
    """What was typed, chosen or uploaded is not acceptable. Also a ValueError, so
    code that reads a value and catches ValueError (an import row) keeps doing so."""


class NotFound(LiaisonError, LookupError):
    """The record asked for does not exist (any longer)."""


class Conflict(LiaisonError, ValueError):
    """The input is fine but the records' present state refuses it: a name already
    taken, a task already done, an event cancelled meanwhile."""
