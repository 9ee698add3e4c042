"""What an edited template may do: anything that could reach outside the template
(private attributes, calls, includes) or do unbounded work (huge loops, huge output)
is refused when the edit is validated, with a message naming the part and the line."""

from __future__ import annotations

import time

import pytest

from campaigns.mail.templating import TemplateError, validate_override
from campaigns.mail.templating.checks import compile_checked
from campaigns.mail.templating.sandbox import RenderLimit, budget, render_capped

CHECKIN = "partner_checkin"
LONG = "x" * 1000


def refused(html: str = "<p>Hi</p>", *, subject: str = "Hello", text: str = "Hi") -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        validate_override(CHECKIN, subject, html, text)
    return caught.value


def test_a_syntax_error_names_the_part_and_line():
    assert str(refused("<p>Hi</p>\n{% if %}")) == (
        "HTML, line 2: syntax error: Expected an expression, got 'end of statement block'"
    )


def test_an_unclosed_block_in_the_text_names_the_text():
    assert str(refused(text="{% for s in partner_name %}")).startswith("Text, line 1: syntax error")


def test_an_unknown_variable_is_named_with_what_the_template_can_use():
    error = refused("<p>{{ contact_first_name }}</p>\n<p>{{ patient_diagnosis }}</p>")
    assert str(error).startswith(
        "HTML, line 2: unknown variable 'patient_diagnosis'; this template can use: "
        "contact_first_name, current_year, partner_link, partner_name"
    )


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self.__init__.__globals__ }}",
        "{{ partner_name['__class__'] }}",
    ],
)
def test_reaching_a_private_attribute_is_refused(attack):
    assert "is a private attribute, which templates cannot reach" in str(refused(attack))


def test_a_private_attribute_built_at_render_is_refused_by_the_sandbox():
    error = refused("{{ partner_name['_' ~ '_class__'] }}")
    assert (
        str(error)
        == "HTML, line 1: refused: access to attribute '__class__' of 'str' object is unsafe."
    )


def test_calling_a_function_is_refused():
    assert "calling range() is not available" in str(
        refused("{% for i in range(10**9) %}{% endfor %}")
    )


def test_a_huge_loop_is_refused_quickly():
    started = time.monotonic()
    error = refused(
        f"{{% for a in '{LONG}' %}}{{% for b in '{LONG}' %}}{{% for c in '{LONG}' %}}"
        "{% endfor %}{% endfor %}{% endfor %}"
    )
    assert "does too much work" in str(error)
    assert time.monotonic() - started < 1.0


def test_output_over_the_cap_is_refused():
    error = refused(f"{{% for a in '{LONG}' %}}{LONG}{{% endfor %}}")
    assert str(error) == "HTML: the output is over the 256 KB limit"


def test_a_join_that_would_multiply_its_input_is_refused():
    assert "|join would build over 64 KB" in str(
        refused("{{ partner_name|join('" + "-" * 5000 + "') }}")
    )


@pytest.mark.parametrize(
    ("html", "why"),
    [
        ("{% set x = partner_name %}", "setting variables ({% set %}) is not available"),
        ("{% macro m() %}{% endmacro %}", "macros are not available"),
        ("{% include 'layout.html' %}", "cannot include another"),
        ("{% extends 'layout.html' %}", "cannot extend another"),
        (
            "{% autoescape false %}{{ partner_name }}{% endautoescape %}",
            "{% autoescape %} is not available",
        ),
        ("{{ partner_name * 9 }}", "arithmetic (*, /, //, %, **) is not available"),
        ("{{ partner_name|center(99) }}", "the filter 'center' is not available"),
        ("{{ partner_name|safe }}", "the filter 'safe' is not available"),
        ("{% for p in partner_name recursive %}{% endfor %}", "recursive loops are not available"),
    ],
)
def test_constructs_outside_the_template_language_are_refused(html, why):
    assert why in str(refused(html))


def test_strict_undefined_refuses_a_missing_attribute():
    assert str(refused("<p>\n{{ partner_name.nickname }}</p>")) == (
        "HTML, line 2: 'str object' has no attribute 'nickname'"
    )


def test_an_empty_part_is_refused():
    assert str(refused(text="  \n")) == (
        "Text: is empty; every email needs a subject, an HTML and a text version"
    )


def test_a_subject_over_300_characters_is_refused():
    assert "the subject is 301 characters long; the limit is 300" in str(refused(subject="s" * 301))


def test_a_template_source_over_its_limit_is_refused():
    assert (
        str(refused(subject="s" * 1001)) == "Subject: is 1,001 characters long; the limit is 1,000"
    )


def test_an_unknown_template_is_refused():
    with pytest.raises(TemplateError, match="no email template named 'newsletter'"):
        validate_override("newsletter", "Hi", "<p>Hi</p>", "Hi")


def test_a_valid_edit_passes():
    validate_override(
        CHECKIN,
        "Hi {{ contact_first_name }}",
        "{% for c in partner_name|list %}{{ loop.index }}{% endfor %}{{ partner_name|upper }}",
        "Hi {{ contact_first_name|default('there') }}",
    )


def test_a_render_stops_at_its_deadline():
    template = compile_checked(
        "{% for c in partner_name %}{{ c }}{% endfor %}", "HTML", frozenset({"partner_name"}), True
    )
    with budget(seconds=-1), pytest.raises(RenderLimit, match="took longer than"):
        render_capped(template, {"partner_name": "abc"}, 1000)


def test_a_render_outside_a_budget_is_refused():
    template = compile_checked(
        "{% for c in partner_name %}{{ c }}{% endfor %}", "HTML", frozenset({"partner_name"}), True
    )
    with pytest.raises(RenderLimit, match="only through campaigns.mail.templating"):
        render_capped(template, {"partner_name": "abc"}, 1000)
