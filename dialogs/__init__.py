"""Guided walk-throughs of the handbook's step plan (data-driven flows, see dialogs/engine.py)."""
