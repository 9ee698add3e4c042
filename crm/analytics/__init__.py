"""Leadership analytics: figures computed in SQL, set-based, from one Filters object."""
