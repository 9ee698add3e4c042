"""The one error every template problem becomes, so that the outbox can fail a row and
a page can show the marketer what to fix."""

from __future__ import annotations

from crm.errors import InvalidInput


class TemplateError(InvalidInput):
    """A template cannot be used. The message says which part (subject, HTML or text),
    the line when there is one, and what is wrong, in words a marketer can act on."""

    def __init__(self, what: str, *, part: str | None = None, line: int | None = None) -> None:
        self.what = what
        self.part = part
        self.line = line
        super().__init__(_sentence(what, part, line))


def _sentence(what: str, part: str | None, line: int | None) -> str:
    if part is None:
        return what
    where = f"{part}, line {line}" if line else part
    return f"{where}: {what}"
