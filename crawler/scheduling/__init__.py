"""Unattended runs: cron schedules per portal, one process per run, health of every portal."""
