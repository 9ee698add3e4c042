"""Field types for the input models: each strips, normalises and validates one kind of
value with `crm.validation`, so forms and imports store identical data."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from crm import validation
from crm.vocab import Vocabulary


def _blank_to_empty(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from pandas/openpyxl
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    return value.strip() if isinstance(value, str) else value


def _optional(check):  # type: ignore[no-untyped-def]
    def run(value: str) -> str:
        return check(value) if value else ""

    return run


def _none_if_blank(value: str) -> str | None:
    return value or None


Clean = BeforeValidator(_blank_to_empty)


def text(max_length: int, required: bool = False) -> Any:
    return Annotated[
        str, Clean, StringConstraints(min_length=1 if required else 0, max_length=max_length)
    ]


def vocab(kind: type[Vocabulary], optional: bool = False) -> Any:
    def parse(value: Any) -> str:
        value = _blank_to_empty(value)
        if optional and value == "":
            return ""
        return kind.parse(str(value)).value

    return Annotated[str, BeforeValidator(parse)]


Email = Annotated[str | None, Clean, AfterValidator(lambda v: validation.email(v) if v else None)]
Phone = Annotated[str, Clean, AfterValidator(_optional(validation.phone))]
State = Annotated[str, Clean, AfterValidator(_optional(validation.state))]
Zip = Annotated[str, Clean, AfterValidator(_optional(validation.zip_code))]
Npi = Annotated[str | None, Clean, AfterValidator(lambda v: validation.npi(v) if v else None)]
Website = Annotated[str, Clean, AfterValidator(_optional(validation.website))]
WordList = Annotated[str, Clean, AfterValidator(validation.word_list)]
OptionalText = Annotated[str | None, Clean, AfterValidator(_none_if_blank)]
