"""Every cchc management command's help (description and arguments) is translatable: it is
shown in Vietnamese by default and in English when English is active (issue #2)."""

from pathlib import Path

import pytest
from django.core.management import load_command_class
from django.utils import translation

import cchc

SRC = Path(cchc.__file__).parent
COMMANDS = sorted((path.parents[2].name, path.stem)
                  for path in SRC.glob("*/management/commands/*.py")
                  if not path.stem.startswith("_"))


def test_every_command_is_found():
    assert ("workcal", "due") in COMMANDS and ("core", "audit-log") in COMMANDS
    assert len(COMMANDS) >= 14


@pytest.mark.parametrize(("app", "name"), COMMANDS)
def test_help_is_translated(app, name):
    command = load_command_class(f"cchc.{app}", name)
    source = str(type(command).help)
    with translation.override("vi"):
        vietnamese = command.create_parser("cchc", name).format_help()
    command = load_command_class(f"cchc.{app}", name)
    with translation.override("en"):
        english = command.create_parser("cchc", name).format_help()
        translated = str(type(command).help)
    assert " ".join(source.split()[:4]) in " ".join(vietnamese.split())
    assert translated != source, f"{name}: no English translation of its help"
    assert " ".join(translated.split()[:4]) in " ".join(english.split())
    assert english != vietnamese
