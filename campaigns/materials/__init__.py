"""Printed materials a liaison drops off at partners' offices."""
