"""Which column of the file is which field: headers match in any case, spacing or
punctuation, by the field's own name or a common alias; the person importing can map
or drop any column by its header. A column that maps to nothing is left out and named
in the report, never a reason to refuse the file (unless the caller asks for strict
columns, for scripts that want today's refusal)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from crm.transfer.report import ImportFileError


def squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@dataclass(frozen=True)
class Columns:
    """The columns of one entity in export order; `required` must be present as headers.
    `extra` are columns an import takes that an export does not write (a partner row's
    main contact, say), so an export stays a template that imports back unchanged.
    `fallbacks` are headers that stand for a field only when no other column of the file
    does (HubSpot's "Industry" is the partner type unless the file has a "Type").
    `required_unless` excuses a required column when another one stands in for it (a
    referral report's provider NPI finds the partner its practice column would)."""

    names: tuple[str, ...]
    required: tuple[str, ...]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extra: tuple[str, ...] = ()
    fallbacks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    required_unless: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        return self.names + self.extra

    def lookup(self) -> dict[str, str]:
        found = {squash(name): name for name in self.fields}
        for name, words in self.aliases.items():
            found.update({squash(word): name for word in words})
        return found

    def fallback_lookup(self) -> dict[str, str]:
        return {squash(word): name for name, words in self.fallbacks.items() for word in words}


@dataclass(frozen=True)
class HeaderMap:
    """Position in the row -> field, and the headers of the columns left out."""

    positions: dict[int, str]
    not_imported: list[str]


def parse_overrides(items: list[str]) -> dict[str, str]:
    """`Header=field` as typed on the command line; `Header=` drops the column."""
    found: dict[str, str] = {}
    for item in items:
        header, sep, name = item.partition("=")
        if not sep or not header.strip():
            raise ImportFileError(f'--map {item!r}: write it as "Header=field" (or "Header=")')
        found[header.strip()] = name.strip()
    return found


def map_columns(
    headers: list[str],
    columns: Columns,
    overrides: Mapping[str, str] | None = None,
    *,
    strict: bool = False,
) -> HeaderMap:
    """Match each header to a field. `overrides` (header -> field, "" to drop) win over
    the automatic match; `strict` refuses a column that maps to nothing and matches only
    the record's own columns (not `extra`) by themselves. A repeated field or a missing
    required one makes the file unusable, because guessing would put values in the wrong
    fields; blank headers (Excel's trailing commas) are skipped."""
    chosen = _overrides(headers, columns, columns.lookup(), overrides or {})
    matched = _match(headers, columns, chosen, strict)
    positions: dict[int, str] = {}
    not_imported: list[str] = []
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        name = matched[index]
        if name is None and strict:
            raise ImportFileError(
                f"unknown column {header!r}; the columns are: {', '.join(columns.names)}"
            )
        if not name:
            not_imported.append(header)
            continue
        if name in seen:
            raise ImportFileError(f"columns {seen[name]!r} and {header!r} both mean {name}")
        seen[name] = header
        positions[index] = name
    missing = [
        name
        for name in columns.required
        if name not in seen and columns.required_unless.get(name) not in seen
    ]
    if missing:
        raise ImportFileError(
            f"missing required column(s): {', '.join(missing)}"
            + (
                f" (the file's columns are: {', '.join(h for h in headers if h)})"
                if headers
                else ""
            )
        )
    return HeaderMap(positions, not_imported)


def suggest(headers: list[str], columns: Columns) -> dict[str, str]:
    """Header -> the field it maps itself to ("" for none), for a person to review
    before the import; never refuses, so every column can be shown and changed."""
    matched = _match(headers, columns, {}, strict=False)
    return {header: matched[i] or "" for i, header in enumerate(headers) if header}


def _match(
    headers: list[str], columns: Columns, chosen: dict[str, str], strict: bool
) -> dict[int, str | None]:
    """Position -> field: the person's choice, else the header's own match; a fallback
    header only when no other column gives its field. None: the header means nothing."""
    lookup = columns.lookup()
    fallbacks = columns.fallback_lookup()
    if strict:
        # Today's contract for scripts: only the record's own columns match by
        # themselves; a column that writes another record (extra) must be mapped.
        lookup = {key: name for key, name in lookup.items() if name not in columns.extra}
        fallbacks = {key: name for key, name in fallbacks.items() if name not in columns.extra}
    taken = {
        chosen.get(squash(h), lookup.get(squash(h)))
        for h in headers
        if h and squash(h) not in fallbacks
    }
    matched: dict[int, str | None] = {}
    for index, header in enumerate(headers):
        key = squash(header)
        if key in chosen:
            matched[index] = chosen[key]
        elif key in fallbacks:
            matched[index] = fallbacks[key] if fallbacks[key] not in taken else ""
        else:
            matched[index] = lookup.get(key)
    return matched


def map_headers(headers: list[str], columns: Columns) -> dict[int, str]:
    """Position in the row -> field, refusing any unknown column."""
    return map_columns(headers, columns, strict=True).positions


def _overrides(
    headers: list[str], columns: Columns, lookup: dict[str, str], overrides: Mapping[str, str]
) -> dict[str, str]:
    present = {squash(h) for h in headers if h}
    chosen: dict[str, str] = {}
    for header, name in overrides.items():
        if squash(header) not in present:
            raise ImportFileError(
                f"cannot map {header!r}: the file has no such column "
                f"(its columns are: {', '.join(h for h in headers if h)})"
            )
        field_name = lookup.get(squash(name)) if name else ""
        if field_name is None:
            raise ImportFileError(
                f"cannot map {header!r} to {name!r}: no such field; the fields are: "
                f"{', '.join(columns.fields)}"
            )
        chosen[squash(header)] = field_name
    return chosen
