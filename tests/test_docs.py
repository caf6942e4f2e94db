"""Every command and every setting is documented where a user looks for it."""

import re
from pathlib import Path

from scrapy.settings import default_settings

from crawler.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
SETTINGS = (ROOT / "crawler" / "settings.py").read_text("utf-8")


def test_every_command_is_in_the_readme_commands_table():
    commands = build_parser()._subparsers._group_actions[0].choices
    table = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    for name in commands:
        assert f"| `{name}" in table, f"{name} missing from the README's Commands table"


def test_every_setting_is_explained_where_it_is_declared():
    """Each group of settings (a paragraph of settings.py) opens with a comment that says what it is for."""
    for paragraph in SETTINGS.split("\n\n"):
        settings = re.findall(r"^([A-Z_]+) = ", paragraph, flags=re.M)
        if settings and settings != ["BOT_NAME"]:
            assert paragraph.lstrip().startswith("#"), f"{settings} have no comment"


def test_the_archivers_own_settings_are_in_the_readmes_settings_table():
    """Ours: every setting Scrapy does not define (RETRY_AFTER_MAX as much as ARCHIVE_DB)."""
    ours = [name for name in re.findall(r"^([A-Z_]+) = ", SETTINGS, flags=re.M) if not hasattr(default_settings, name)]
    assert "ARCHIVE_DB" in ours
    table = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    for name in ours:
        assert f"`{name}`" in table, f"{name} is not in the README's Settings table"
