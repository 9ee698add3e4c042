"""The quarterly Four C's partner survey: sending it to a segment's chosen contacts,
its one reminder, and the signed links its emails carry."""
