"""Mentoring: the mentor pool, explainable matching, sessions, logs and the hour budget."""
