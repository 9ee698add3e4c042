"""Alerts about partners for the people who look after them: the weekly dormancy
digest to each liaison and the one-click win-back enrolment from the Dormancy page."""
