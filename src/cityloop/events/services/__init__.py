"""Writes of the closed loop. Views, API endpoints, commands and tasks call only these."""
