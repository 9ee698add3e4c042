"""Prospects: practices and providers found in the public NPI registry (NPPES), brought
in as prospect partners and their contacts."""
