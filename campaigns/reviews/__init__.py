"""Patient review requests: after a completed visit, every consenting patient is asked
the same way (no gating by satisfaction, which review platforms and the FTC forbid),
with one reminder at most and never more than once per period."""
