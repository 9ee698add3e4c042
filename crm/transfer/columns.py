"""Which column of the file is which field: headers match in any case, spacing or
punctuation, by the field's own name or a common alias."""

from __future__ import annotations

from dataclasses import dataclass, field

from crm.transfer.report import ImportFileError


def squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@dataclass(frozen=True)
class Columns:
    """The columns of one entity in export order; `required` must be present as headers."""

    names: tuple[str, ...]
    required: tuple[str, ...]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def lookup(self) -> dict[str, str]:
        found = {squash(name): name for name in self.names}
        for name, words in self.aliases.items():
            found.update({squash(word): name for word in words})
        return found


def map_headers(headers: list[str], columns: Columns) -> dict[int, str]:
    """Position in the row -> column name. Blank headers (Excel's trailing commas) are
    skipped; an unknown, repeated or missing required column makes the file unusable,
    because guessing would put values in the wrong fields."""
    lookup = columns.lookup()
    positions: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        name = lookup.get(squash(header))
        if name is None:
            raise ImportFileError(
                f"unknown column {header!r}; the columns are: {', '.join(columns.names)}"
            )
        if name in seen:
            raise ImportFileError(f"columns {seen[name]!r} and {header!r} both mean {name}")
        seen[name] = header
        positions[index] = name
    missing = [name for name in columns.required if name not in seen]
    if missing:
        raise ImportFileError(f"missing required column(s): {', '.join(missing)}")
    return positions
