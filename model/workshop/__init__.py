"""Workshops: decision rounds for teams, each team its own copy of the company.

`rules` says what a workshop allows (settings, levers, shocks, budgets, the
debrief); `rounds` prices the levers and plays rounds on the model; `store`
keeps workshops, teams, decisions and results in SQLite, and nothing else.
"""
