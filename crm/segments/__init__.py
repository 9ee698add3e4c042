"""Segments: saved, named filters over partners (dynamic) or hand-picked lists (static),
evaluated in SQL as one query whatever their size."""
from crm.segments.definition import FIELDS, InvalidDefinition, SegmentDefinition, parse_definition
from crm.segments.service import (
    DYNAMIC, PREVIEW_LIMIT, STATIC, MemberRow, SegmentInput, SegmentNotFound, add_members, archive_segment,
    cadence_choices, count_matching, count_members, create_segment, definition_of, export_csv, get_segment,
    list_segments, matching_ids_select, member_ids_select, preview_matching, preview_members, remove_members,
    update_segment,
)

__all__ = [
    "DYNAMIC", "FIELDS", "PREVIEW_LIMIT", "STATIC", "InvalidDefinition", "MemberRow", "SegmentDefinition",
    "SegmentInput", "SegmentNotFound", "add_members", "archive_segment", "cadence_choices", "count_matching",
    "count_members", "create_segment", "definition_of", "export_csv", "get_segment", "list_segments",
    "matching_ids_select", "member_ids_select", "parse_definition", "preview_matching", "preview_members",
    "remove_members", "update_segment",
]
