"""The `cchc` console script: Django's management commands with cchc's settings."""

import os
import sys

# Commands that serve HTTP need a real secret key outside debug; the rest are one-off processes.
SERVING_COMMANDS = {"runserver", "runserver_plus"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    command = argv[1] if len(argv) > 1 else ""
    if command == "demo":
        # The demo is a development server on the embedded database.
        os.environ.setdefault("CCHC_DEBUG", "1")
    elif command not in SERVING_COMMANDS and not os.environ.get("CCHC_SECRET_KEY"):
        os.environ["CCHC_CLI_EPHEMERAL_KEY"] = "1"
    from django.core.management import execute_from_command_line

    argv[0] = "cchc"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
