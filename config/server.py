"""Run daphne on uvloop: `python -m config.server <daphne's arguments>`.

Daphne drives Twisted's asyncio reactor on an event loop it makes when `daphne.server` is first
imported; choosing uvloop's policy before that import makes it uvloop's loop, which schedules
callbacks, socket reads and thread-pool wake-ups in C. Everything else is daphne's own command
line (`--help` lists it)."""

import asyncio

import uvloop


def main() -> None:
    """Choose uvloop, then hand the command line to daphne."""
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    from daphne.cli import CommandLineInterface  # imports daphne.server, which makes the loop

    CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
