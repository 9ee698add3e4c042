"""A segment's definition is checked when it is built: a bad one is refused with a
sentence naming the condition and what is wrong, never stored."""

from __future__ import annotations

import pytest

from crm.segments import InvalidDefinition, SegmentDefinition, parse_definition


def refusal(raw: object) -> str:
    with pytest.raises(InvalidDefinition) as caught:
        parse_definition(raw)  # type: ignore[arg-type]
    return str(caught.value)


def test_vocabulary_values_are_stored_as_their_codes():
    """A label or alias typed by a person matches the stored value."""
    definition = parse_definition(
        {"conditions": [{"field": "partner_type", "op": "in", "value": ["Primary care", "ortho"]}]}
    )
    assert definition.conditions[0].value == ["orthopedics", "primary_care"]


def test_words_are_lowercased_like_stored_tags():
    definition = parse_definition(
        {"conditions": [{"field": "tags", "op": "any", "value": "VIP, Hospital"}]}
    )
    assert definition.conditions[0].value == ["hospital", "vip"]


def test_a_definition_survives_a_round_trip_through_json():
    raw = {
        "match": "any",
        "conditions": [
            {"field": "tier", "op": "in", "value": ["A"]},
            {
                "match": "all",
                "conditions": [
                    {
                        "field": "referrals",
                        "op": "per_month_below",
                        "value": {"per_month": 2, "months": 6},
                    }
                ],
            },
        ],
    }
    definition = parse_definition(raw)
    assert parse_definition(definition.to_json()) == definition


def test_an_unknown_value_names_the_condition_and_the_choices():
    message = refusal({"conditions": [{"field": "tier", "op": "in", "value": ["D"]}]})
    assert message == (
        "the segment's conditions are not valid: condition 1: Tier is any of: "
        "unknown value 'D'; expected one of: A, B, C"
    )


def test_an_unknown_field_is_refused():
    assert "unknown field 'color'" in refusal(
        {"conditions": [{"field": "color", "op": "in", "value": ["red"]}]}
    )


def test_an_operator_the_field_does_not_take_is_refused():
    message = refusal({"conditions": [{"field": "tier", "op": "older_than_days", "value": 3}]})
    assert "Tier: unknown operator 'older_than_days'; expected one of: in, not_in" in message


def test_a_problem_inside_a_group_says_where():
    message = refusal(
        {
            "conditions": [
                {"field": "tier", "op": "in", "value": ["A"]},
                {
                    "match": "any",
                    "conditions": [{"field": "last_touch", "op": "older_than_days", "value": 0}],
                },
            ]
        }
    )
    assert (
        "condition 1 of group 2: Last touch older than N days (or never): expects a whole number"
        in message
    )


def test_a_list_condition_needs_a_value():
    assert "needs at least one value" in refusal(
        {"conditions": [{"field": "territory", "op": "in", "value": []}]}
    )


def test_a_negative_rate_is_refused():
    message = refusal(
        {
            "conditions": [
                {"field": "referrals", "op": "per_month_above", "value": {"per_month": -1}}
            ]
        }
    )
    assert "Referrals per month above: expects a rate per month" in message


def test_an_empty_nested_group_is_refused():
    assert "a nested group needs at least one condition" in refusal(
        {"conditions": [{"match": "any", "conditions": []}]}
    )


def test_a_match_other_than_all_or_any_is_refused():
    assert "'all' or 'any'" in refusal({"match": "some", "conditions": []})


def test_broken_json_is_refused():
    assert "Invalid JSON" in refusal("{not json")


def test_an_empty_definition_is_valid():
    """No conditions: the segment is every partner."""
    assert parse_definition({}) == SegmentDefinition()
