"""Every command and every setting is documented where a user looks for it."""

import re
from pathlib import Path

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
    lines = SETTINGS.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[A-Z_]+ = ", line) and not line.startswith("BOT_NAME"):
            above = lines[i - 1] if i else ""
            assert above.startswith("#") or "#" in line or re.match(r"^[A-Z_]+ = ", above), \
                f"setting on line {i + 1} has no comment: {line}"


def test_the_archivers_own_settings_are_in_the_readme():
    ours = re.findall(r"^((?:ARCHIVE|EXTRACT|REPLICA|CONTACT|PORTALS)_[A-Z_]*|REPLICA_URL|CONTACT_URL) = ",
                      SETTINGS, flags=re.M)
    assert ours
    for name in ours:
        assert name in README, f"{name} is not in the README"
